/**
 * Opens the button's GPIO line on whichever interface the kernel offers: sysfs (through onoff) where
 * `/sys/class/gpio/export` exists, else the character device through libgpiod's `gpiomon`.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpioLine } from '../button/line.js';
import { SYSFS_GPIO_ROOT } from './gpio-chips.js';
import { openSysfsLine } from './gpio-sysfs.js';
import type { GpiodTools } from './gpiomon.js';
import { openGpiomonLine } from './gpiomon.js';
import { HardwareError, errnoOf } from './hardware-error.js';

export interface ButtonLineOptions {
  /** The button pulls the line low: ask for the internal pull-up where the interface can set one. */
  activeLow: boolean;
  onError: (error: Error) => void;
  /** @default "/sys/class/gpio" */
  sysfsRoot?: string;
  /** libgpiod tool names or paths. @default { gpiomon: 'gpiomon', gpiodetect: 'gpiodetect' } */
  gpiodTools?: GpiodTools;
  /** @default GPIOMON_STARTUP_MS */
  gpiomonStartupMs?: number;
}

export async function openButtonLine(gpio: number, options: ButtonLineOptions): Promise<GpioLine> {
  const root = options.sysfsRoot ?? SYSFS_GPIO_ROOT;
  if (await exists(join(root, 'export'))) {
    return openSysfsLine(gpio, { sysfsRoot: root, onError: options.onError });
  }
  try {
    return await openGpiomonLine(gpio, {
      bias: options.activeLow ? 'pull-up' : 'pull-down',
      onError: options.onError,
      ...(options.gpiodTools ? { tools: options.gpiodTools } : {}),
      ...(options.gpiomonStartupMs === undefined ? {} : { startupMs: options.gpiomonStartupMs }),
    });
  } catch (error) {
    if (error instanceof HardwareError && error.kind === 'not_installed') {
      throw new HardwareError(
        'not_found',
        `no GPIO interface for the button on GPIO ${gpio}: ${root} is absent (this kernel has no sysfs GPIO) ` +
          `and libgpiod's gpiomon is not installed for the GPIO character device: sudo apt install gpiod`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    // Present but not ours to open is still sysfs: let onoff report the permission problem precisely.
    return errnoOf(error) !== 'ENOENT' && errnoOf(error) !== 'ENOTDIR';
  }
}
