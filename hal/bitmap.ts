/**
 * A 1-bit framebuffer (a {@link Frame} that can be drawn on) laid out exactly like the SSD1306's display RAM
 * (and oled-i2c-bus's buffer), so the driver can send `data` as is: byte `x + width * (y >> 3)` holds the
 * 8-pixel column of page `y >> 3`, bit `y & 7` with the LSB at the top. 1 = lit pixel.
 *
 * @see SSD1306 datasheet §8.7 (GDDRAM, page addressing); docs/hardware-notes.md (oled-i2c-bus 1.0.12 keeps its
 *   buffer in this layout)
 */
import type { Frame } from './types.js';

export class Bitmap implements Frame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(width: number, height: number) {
    // Pages are 8 rows tall: a height that isn't a whole number of pages has no SSD1306 layout.
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0 || height % 8 !== 0) {
      throw new RangeError(`Bitmap size must be a positive width and a multiple of 8 rows, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.data = new Uint8Array((width * height) / 8);
  }

  /** Out-of-range pixels read as unlit, so drawing code can probe edges without bounds checks. */
  get(x: number, y: number): boolean {
    if (!this.inside(x, y)) return false;
    return ((this.data[x + this.width * (y >> 3)] ?? 0) & (1 << (y & 7))) !== 0;
  }

  /** Out-of-range writes are ignored: clipping is the framebuffer's job, not every caller's. */
  set(x: number, y: number, on: boolean): void {
    if (!this.inside(x, y)) return;
    const index = x + this.width * (y >> 3);
    const mask = 1 << (y & 7);
    const byte = this.data[index] ?? 0;
    this.data[index] = on ? byte | mask : byte & ~mask;
  }

  /** Fills the rectangle clipped to the bitmap; a non-positive width or height draws nothing. */
  fillRect(x: number, y: number, w: number, h: number, on: boolean): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.floor(x + w));
    const y1 = Math.min(this.height, Math.floor(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) this.set(xx, yy, on);
    }
  }

  clear(on = false): void {
    this.data.fill(on ? 0xff : 0x00);
  }

  equals(other: Bitmap): boolean {
    if (other.width !== this.width || other.height !== this.height) return false;
    return this.data.every((byte, i) => byte === other.data[i]);
  }

  private inside(x: number, y: number): boolean {
    return Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < this.width && y < this.height;
  }
}
