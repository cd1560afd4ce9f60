/**
 * The panel drawn in a terminal with half-block characters (luma.emulator's `asciiblock`): the demo's
 * screen and the display of kiosks without an OLED (`hal: "terminal"`).
 */
import type { Writable } from 'node:stream';
import { Bitmap } from '../bitmap.js';
import { toHalfBlocks } from './half-blocks.js';
import type { Display, Frame } from '../types.js';

export interface TerminalDisplayOptions {
  out: Writable & { isTTY?: boolean };
  width?: number;
  height?: number;
  /** Lines drawn above the panel (title, instructions). */
  header?: () => string[];
  /** Lines drawn below the panel (status, recent log lines). */
  footer?: () => string[];
  /**
   * Draws the whole screen from the panel instead (header and footer unused): the demo draws the panel
   * in braille to fit 80x24 (issue #15). Lines may carry colour sequences.
   */
  render?: (panel: Bitmap, state: { on: boolean }) => string[];
}

/** The line under a switched-off panel. */
export const PANEL_OFF = ' (panel off: display sleeping)';

const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

export class TerminalDisplay implements Display {
  readonly width: number;
  readonly height: number;
  readonly #o: TerminalDisplayOptions;
  #last = '';
  #cleared = false;
  #on = true;
  #frame: Frame | undefined;

  constructor(options: TerminalDisplayOptions) {
    this.#o = options;
    this.width = options.width ?? 128;
    this.height = options.height ?? 64;
  }

  async show(frame: Frame): Promise<void> {
    this.#frame = frame;
    this.#draw();
  }

  /** Redraws with fresh header and footer lines (after a log line, say). */
  refresh(): void {
    this.#draw();
  }

  async setContrast(_level: number): Promise<void> {
    // A terminal has no contrast to set; brightness is the terminal's business.
  }

  async setPower(on: boolean): Promise<void> {
    this.#on = on;
    this.#draw();
  }

  async close(options: { blank?: boolean } = {}): Promise<void> {
    if (options.blank) await this.setPower(false);
  }

  #draw(): void {
    const bitmap = new Bitmap(this.width, this.height);
    if (this.#frame !== undefined && this.#on) bitmap.data.set(this.#frame.data.subarray(0, bitmap.data.length));
    // A switched-off OLED is as dark as an empty one: say which it is (issue #16).
    const panel = toHalfBlocks(bitmap).split('\n');
    if (!this.#on) panel.push(PANEL_OFF);
    const lines = this.#o.render?.(bitmap, { on: this.#on }) ?? [...(this.#o.header?.() ?? []), ...panel, ...(this.#o.footer?.() ?? [])];
    const text = lines.join('\n');
    if (text === this.#last) return;
    this.#last = text;
    const { out } = this.#o;
    if (!out.isTTY) {
      // Piped (CI logs, `tee`): print each new picture in full, no cursor movement.
      out.write(`${text}\n`);
      return;
    }
    const prefix = this.#cleared ? HOME : HOME + CLEAR_SCREEN;
    this.#cleared = true;
    // No newline after the last line: on a screen exactly as tall as the picture it would scroll the
    // top line away (issue #15: the demo fills 80x24).
    out.write(prefix + lines.map((line) => line + CLEAR_LINE_END).join('\r\n') + CLEAR_BELOW);
  }
}
