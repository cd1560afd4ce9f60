/**
 * A button on the keyboard: Enter is a short press, `l` then Enter a long press. Line-based so it
 * works in any terminal, tmux and pipes alike.
 *
 * With `raw` (the demo in a terminal, issue #15) single keys act at once, without Enter: Enter or
 * space press, `l` long-presses, `q` or Ctrl-C call `onQuit` (raw mode turns Ctrl-C into a key).
 */
import { EventEmitter } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Button, ButtonEvents } from '../types.js';

export interface KeyboardButtonOptions {
  /** Single keys instead of lines; only when the input is a terminal. */
  raw?: boolean;
  /** `q` (a line `q` without `raw`), Ctrl-C or Ctrl-D in raw mode. */
  onQuit?: () => void;
}

type RawInput = Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };

const CTRL_C = '\x03';
const CTRL_D = '\x04';

export class KeyboardButton extends EventEmitter<ButtonEvents> implements Button {
  readonly #input: RawInput;
  readonly #lines: Interface | undefined;
  readonly #onData: ((chunk: Buffer | string) => void) | undefined;

  constructor(input: RawInput, options: KeyboardButtonOptions = {}) {
    super();
    this.#input = input;
    if (options.raw && input.isTTY && typeof input.setRawMode === 'function') {
      input.setRawMode(true);
      this.#onData = (chunk) => {
        for (const key of String(chunk)) {
          if (key === '\r' || key === '\n' || key === ' ') this.emit('press');
          else if (key === 'l' || key === 'L') this.emit('longPress');
          else if (key === 'q' || key === 'Q' || key === CTRL_C || key === CTRL_D) options.onQuit?.();
        }
      };
      input.on('data', this.#onData);
      input.resume();
      return;
    }
    this.#lines = createInterface({ input, terminal: false });
    this.#lines.on('line', (line) => {
      const key = line.trim().toLowerCase();
      if (key === '') this.emit('press');
      else if (key === 'l' || key === 'long') this.emit('longPress');
      else if ((key === 'q' || key === 'quit') && options.onQuit) options.onQuit();
    });
  }

  async close(): Promise<void> {
    this.#lines?.close();
    if (this.#onData !== undefined) {
      this.#input.off('data', this.#onData);
      this.#input.setRawMode?.(false);
      this.#input.pause();
    }
  }
}
