/**
 * The Pi's native addons (onoff's epoll, i2c-bus) are optional dependencies built on the device: each is
 * imported only by the driver that uses it, and a missing or unbuilt one is one named hardware error
 * saying how to rebuild it, not a module-loader stack.
 */
import { HardwareError } from './hardware-error.js';

/** Runs `load` (the driver's own `import()`, so nothing loads before a device is opened) or throws `not_installed`. */
export async function loadNative<T>(load: () => Promise<T>, rebuild: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new HardwareError('not_installed', rebuild, { cause: error });
  }
}
