/**
 * The Raspberry Pi hardware layer: the OLED on I2C (i2c-bus; an SSD1306 initialised by oled-i2c-bus; frames
 * through the SSD1306 / SH1106 drivers of
 * `hal/oled`) and the button on GPIO (onoff on sysfs, or libgpiod's gpiomon on the character device),
 * debounced by `hal/button`. The native addons (i2c-bus, onoff's epoll) are imported inside the functions
 * that need them, never at module load, so this module can be imported where they cannot be built.
 */
import type { HalConfig } from '../config.js';
import { DebouncedButton } from '../button/button.js';
import type { Clock } from '../button/button.js';
import { OledDisplay } from '../oled/display.js';
import { closeBus } from '../oled/i2c-bus.js';
import type { I2cBus } from '../oled/i2c-bus.js';
import { panelFor } from '../oled/panel.js';
import type { Panel } from '../oled/panel.js';
import type { Button, Hal } from '../types.js';
import { openButtonLine } from './gpio.js';
import type { GpiodTools } from './gpiomon.js';
import { HardwareError } from './hardware-error.js';
import { openI2cBus } from './i2c.js';

export { HardwareError, toHardwareError } from './hardware-error.js';
export type { HardwareContext, HardwareErrorKind } from './hardware-error.js';

/** The configuration keys this layer reads. */
export type RpiConfig = Pick<
  HalConfig,
  | 'auto_pair'
  | 'long_press_ms'
  | 'button_gpio'
  | 'button_active_low'
  | 'i2c_bus'
  | 'i2c_address'
  | 'display_controller'
  | 'display_width'
  | 'display_height'
  | 'display_rotation'
>;

/** Where the hardware is looked for, and where late failures go. Defaults are the real system's. */
export interface RpiHalOptions {
  /** @default "/dev" (see `I2cOpenOptions.devDir`) */
  devDir?: string;
  /** @default "/sys/class/gpio" */
  sysfsRoot?: string;
  /** @default { gpiomon: 'gpiomon', gpiodetect: 'gpiodetect' } */
  gpiodTools?: GpiodTools;
  /**
   * Failures after start-up that no call can return: the GPIO monitor exiting, an epoll error.
   * @default process.emitWarning (the journal shows it; the agent keeps running without its button)
   */
  onError?: (error: Error) => void;
  clock?: Clock;
}

/**
 * Opens the panel (init, cleared, on) and then the button; on failure closes what was opened and throws a
 * `HardwareError` whose message says what to fix. Kiosks with `auto_pair` get no button.
 */
export async function createRpiHal(config: RpiConfig, options: RpiHalOptions = {}): Promise<Hal> {
  let panel: Panel;
  try {
    panel = panelFor(config.display_controller, config.display_width, config.display_height);
  } catch (error) {
    throw new HardwareError('unsupported', (error as Error).message);
  }
  const bus = await openI2cBus(config.i2c_bus, options.devDir === undefined ? {} : { devDir: options.devDir });
  let display: OledDisplay;
  try {
    const preconfigured = panel.controller === 'ssd1306' && (await initialiseWithOledI2cBus(bus, panel, config.i2c_address));
    display = await OledDisplay.open(bus, { panel, address: config.i2c_address, rotation: config.display_rotation, preconfigured });
  } catch (error) {
    await closeBus(bus).catch(() => undefined);
    throw error;
  }
  if (config.auto_pair) return { display, close: () => display.close() };

  let button: Button;
  try {
    const line = await openButtonLine(config.button_gpio, {
      activeLow: config.button_active_low,
      onError: options.onError ?? ((error) => process.emitWarning(error)),
      ...(options.sysfsRoot === undefined ? {} : { sysfsRoot: options.sysfsRoot }),
      ...(options.gpiodTools === undefined ? {} : { gpiodTools: options.gpiodTools }),
    });
    button = new DebouncedButton(line, {
      activeLow: config.button_active_low,
      longPressMs: config.long_press_ms,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  } catch (error) {
    await display.close({ blank: true }).catch(() => undefined);
    throw error;
  }
  return {
    display,
    button,
    close: async () => {
      try {
        await button.close();
      } finally {
        await display.close();
      }
    },
  };
}

/**
 * The SSD1306 is initialised by oled-i2c-bus, the library this project builds its OLED support on
 * (issue #5): its constructor sends the configuration for the panel size (multiplex ratio, COM pins,
 * charge pump). Frames then go through `OledDisplay`'s diff planner on the same bus, because the
 * library's own paths cost a full frame per update (`update()`, synchronous, ~25 ms of blocked event
 * loop at 400 kHz) or 7 transactions per changed byte (`drawPixel`). Returns false when the library
 * cannot be used (it is an optional dependency): the driver then sends the same sequence itself.
 */
async function initialiseWithOledI2cBus(bus: I2cBus, panel: Panel, address: number): Promise<boolean> {
  if (bus.i2cWriteSync === undefined) return false;
  let Oled: typeof import('oled-i2c-bus').default;
  try {
    Oled = (await import('oled-i2c-bus')).default;
  } catch {
    return false;
  }
  const { i2cWriteSync } = bus;
  new Oled({ i2cWriteSync: (a, length, buffer) => i2cWriteSync.call(bus, a, length, buffer) }, { width: panel.width, height: panel.height, address });
  return true;
}
