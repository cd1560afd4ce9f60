/**
 * A button on the keyboard: Enter is a short press, `l` then Enter a long press. Line-based so it
 * works in any terminal, tmux and pipes alike.
 */
import { EventEmitter } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Button, ButtonEvents } from '../types.js';

export class KeyboardButton extends EventEmitter<ButtonEvents> implements Button {
  readonly #lines: Interface;

  constructor(input: Readable) {
    super();
    this.#lines = createInterface({ input, terminal: false });
    this.#lines.on('line', (line) => {
      const key = line.trim().toLowerCase();
      if (key === '') this.emit('press');
      else if (key === 'l' || key === 'long') this.emit('longPress');
    });
  }

  async close(): Promise<void> {
    this.#lines.close();
  }
}
