/**
 * The simulated panel: keeps the last frame in memory (for `sim screen --png` and tests) and counts
 * what a real panel would have been sent.
 */
import type { Display, Frame } from '../types.js';

export class FramebufferDisplay implements Display {
  readonly width: number;
  readonly height: number;
  #frame: Uint8Array;
  #on = true;
  #contrast = 0xcf;
  /** Frames that differed from the one before. */
  frames = 0;

  constructor(width = 128, height = 64) {
    this.width = width;
    this.height = height;
    this.#frame = new Uint8Array((width * height) / 8);
  }

  /** The frame as shown: all dark while the panel is off. */
  get frame(): Frame {
    return { width: this.width, height: this.height, data: this.#on ? this.#frame.slice() : new Uint8Array(this.#frame.length) };
  }

  get contrast(): number {
    return this.#contrast;
  }

  /** False while the panel is switched off (display off, the controller's sleep). */
  get on(): boolean {
    return this.#on;
  }

  async show(frame: Frame): Promise<void> {
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new RangeError(`frame is ${frame.width}x${frame.height}, the panel ${this.width}x${this.height}`);
    }
    if (!this.#frame.every((byte, i) => byte === frame.data[i])) this.frames++;
    this.#frame = frame.data.slice();
  }

  async setContrast(level: number): Promise<void> {
    this.#contrast = Math.max(0, Math.min(255, Math.round(level)));
  }

  async setPower(on: boolean): Promise<void> {
    this.#on = on;
  }

  async close(options: { blank?: boolean } = {}): Promise<void> {
    if (options.blank) this.#on = false;
  }
}
