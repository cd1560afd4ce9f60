/**
 * Picks the hardware layer from the configuration (luma's `cmdline.create_device`): the Raspberry Pi
 * drivers, the simulated device, or the terminal. The Pi drivers and their native addons are loaded
 * only here, lazily, so everything else runs where they cannot be built.
 */
import type { Readable, Writable } from 'node:stream';
import { VirtualButton } from './sim/button.js';
import { FramebufferDisplay } from './sim/display.js';
import type { HalConfig } from './config.js';
import type { Hal, Simulation } from './types.js';

export interface SimHal extends Hal {
  display: FramebufferDisplay;
  button: VirtualButton;
  simulation: Simulation;
}

export function createSimHal(config: Pick<HalConfig, 'display_width' | 'display_height'>): SimHal {
  const display = new FramebufferDisplay(config.display_width, config.display_height);
  const button = new VirtualButton();
  return {
    display,
    button,
    simulation: { press: (long) => button.press(long), capture: () => display.frame },
    close: async () => {
      await button.close();
      await display.close();
    },
  };
}

/** The terminal HAL's input and output. */
export interface TerminalIo {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
}

/**
 * The configured HAL. `io` for the terminal HAL: the process's own by default, taken only in that branch:
 * process.stdin on /dev/null (systemd's default) is a file stream that loads the promise-based fs and
 * readline, some 2 MB that an idle daemon on another HAL never needs (issue #18).
 */
export async function createHal(config: HalConfig, io?: TerminalIo): Promise<Hal> {
  switch (config.hal) {
    case 'sim':
      return createSimHal(config);
    case 'terminal': {
      const { TerminalDisplay } = await import('./terminal/display.js');
      const display = new TerminalDisplay({ out: io?.stdout ?? process.stdout, width: config.display_width, height: config.display_height });
      // A kiosk's terminal may have a keyboard; without `auto_pair` Enter is the button.
      const { KeyboardButton } = await import('./terminal/button.js');
      const button = config.auto_pair ? undefined : new KeyboardButton(io?.stdin ?? process.stdin);
      return {
        display,
        ...(button === undefined ? {} : { button }),
        close: async () => {
          await button?.close();
          await display.close();
        },
      };
    }
    case 'rpi': {
      const { createRpiHal } = await import('./rpi/index.js');
      return createRpiHal(config);
    }
  }
}
