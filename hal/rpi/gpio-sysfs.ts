/**
 * The button line on sysfs GPIO through onoff (interrupts via epoll on the `value` file). onoff and its
 * native `epoll` addon are imported only when this runs.
 *
 * Pull-ups cannot be set through sysfs: an active-low button needs `gpio=17=ip,pu` in config.txt
 * (BCM 9–27 reset to pull-down), as README's wiring section says.
 */
import { join } from 'node:path';
import type { GpioLine, Level } from '../button/line.js';
import { SYSFS_GPIO_ROOT, resolveSysfsGpio } from './gpio-chips.js';
import { toHardwareError } from './hardware-error.js';
import { loadNative } from './native.js';

/** The part of onoff 6.0.3's `Gpio` the button uses (onoff.d.ts). */
export interface OnoffGpio {
  readSync(): Level;
  watch(callback: (error: Error | null | undefined, value: Level) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

/**
 * A `GpioLine` over an onoff `Gpio` (or anything that behaves like one: tests use a simulated line).
 * onoff calls back with the value it reads after each interrupt, so a burst may report one level twice.
 */
export function lineFromOnoff(gpio: OnoffGpio, onError: (error: Error) => void): GpioLine {
  let closed = false;
  return {
    initialLevel: gpio.readSync(),
    watch(listener) {
      gpio.watch((error, value) => {
        if (closed) return;
        if (error) onError(error);
        else listener(value);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      gpio.unwatchAll();
      gpio.unexport();
    },
  };
}

export interface SysfsLineOptions {
  /**
   * sysfs GPIO root, where the gpiochip bases are read. onoff itself always uses /sys/class/gpio; this is
   * a parameter so the base resolution can be tested on a fake tree.
   * @default "/sys/class/gpio"
   */
  sysfsRoot?: string;
  onError: (error: Error) => void;
}

/** Exports BCM pin `gpio` (at base + pin, see gpio-chips.ts) as an input with interrupts on both edges. */
export async function openSysfsLine(gpio: number, options: SysfsLineOptions): Promise<GpioLine> {
  const root = options.sysfsRoot ?? SYSFS_GPIO_ROOT;
  const { number } = await resolveSysfsGpio(gpio, root);
  const onoff = await loadNative(
    () => import('onoff'),
    'the onoff module or its native epoll addon could not be loaded: rebuild it on the device (npm rebuild epoll)',
  );
  try {
    // Raw levels, no onoff debounce: the press logic debounces and maps the active level, the same way for
    // both GPIO backends. activeLow is passed as false so a value left by another program is reset.
    const pin = new onoff.Gpio(number, 'in', 'both', { activeLow: false });
    return lineFromOnoff(pin, options.onError);
  } catch (error) {
    throw toHardwareError(error, { device: 'gpio', gpio, path: join(root, 'export'), sysfsNumber: number });
  }
}
