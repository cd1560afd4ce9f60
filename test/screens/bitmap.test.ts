import { inflateSync } from 'node:zlib';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { toHalfBlocks } from '../../hal/terminal/half-blocks.js';
import { Bitmap, encodePng } from '../../src/screens/index.js';

const { PNG } = pngjs;

describe('Bitmap', () => {
  it('uses the SSD1306 page layout: byte x + width * (y >> 3), bit y & 7, LSB on top', () => {
    const bitmap = new Bitmap(128, 64);
    bitmap.set(0, 0, true);
    bitmap.set(5, 9, true);
    bitmap.set(127, 63, true);
    expect(bitmap.data).toHaveLength(1024);
    expect(bitmap.data[0]).toBe(0b0000_0001);
    expect(bitmap.data[5 + 128 * 1]).toBe(0b0000_0010);
    expect(bitmap.data[1023]).toBe(0b1000_0000);
    expect(bitmap.data.reduce((sum, byte) => sum + byte, 0)).toBe(1 + 2 + 128);
  });

  it('sizes a 128x32 buffer at 512 bytes, four pages', () => {
    expect(new Bitmap(128, 32).data).toHaveLength(512);
  });

  it('reads and clears single pixels without touching their neighbours', () => {
    const bitmap = new Bitmap(8, 8);
    bitmap.clear(true);
    bitmap.set(3, 4, false);
    expect(bitmap.get(3, 4)).toBe(false);
    expect(bitmap.get(3, 3)).toBe(true);
    expect(bitmap.data[3]).toBe(0b1110_1111);
  });

  it('ignores writes and reads as unlit outside the panel', () => {
    const bitmap = new Bitmap(16, 8);
    for (const [x, y] of [[-1, 0], [16, 0], [0, -1], [0, 8], [1.5, 2]] as const) {
      bitmap.set(x, y, true);
      expect(bitmap.get(x, y)).toBe(false);
    }
    expect(bitmap.data.every((byte) => byte === 0)).toBe(true);
  });

  it('clips fillRect to the panel', () => {
    const bitmap = new Bitmap(16, 8);
    bitmap.fillRect(-4, -4, 6, 6, true);
    const lit = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) if (bitmap.get(x, y)) lit.push(`${x},${y}`);
    expect(lit).toEqual(['0,0', '1,0', '0,1', '1,1']);
  });

  it('compares by size and content', () => {
    const a = new Bitmap(16, 8);
    const b = new Bitmap(16, 8);
    expect(a.equals(b)).toBe(true);
    b.set(15, 7, true);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(new Bitmap(8, 16))).toBe(false);
  });

  it('refuses a height that is not whole pages', () => {
    expect(() => new Bitmap(128, 30)).toThrow(RangeError);
  });
});

describe('encodePng', () => {
  function checkerboard(): Bitmap {
    const bitmap = new Bitmap(13, 8); // 13: a row that ends mid-byte
    for (let y = 0; y < 8; y++) for (let x = 0; x < 13; x++) bitmap.set(x, y, (x + y) % 2 === 0);
    return bitmap;
  }

  it('writes one greyscale pixel per display pixel, lit = white', () => {
    const bitmap = checkerboard();
    const png = PNG.sync.read(encodePng(bitmap), { checkCRC: true });
    expect([png.width, png.height]).toEqual([13, 8]);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 13; x++) {
        const at = (y * 13 + x) * 4;
        expect([png.data[at], png.data[at + 1], png.data[at + 2], png.data[at + 3]]).toEqual(
          bitmap.get(x, y) ? [255, 255, 255, 255] : [0, 0, 0, 255],
        );
      }
    }
  });

  it('is a 1-bit greyscale PNG with valid chunk CRCs', () => {
    const bytes = encodePng(checkerboard());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([bytes[24], bytes[25]]).toEqual([1, 0]); // bit depth 1, colour type 0
    // The first scanline: filter byte 0, then x = 0, 2, 4… lit, most significant bit first.
    const idatLength = bytes.readUInt32BE(33);
    const raw = inflateSync(bytes.subarray(41, 41 + idatLength));
    expect([...raw.subarray(0, 3)]).toEqual([0, 0b1010_1010, 0b1010_1000]);
  });
});

describe('toHalfBlocks', () => {
  // 4x4, rows top to bottom: 1000, 0100, 0011, 0011.
  function tiny(): Bitmap {
    const bitmap = new Bitmap(4, 8);
    for (const [x, y] of [[0, 0], [1, 1], [2, 2], [3, 2], [2, 3], [3, 3]] as const) bitmap.set(x, y, true);
    return bitmap;
  }

  it('draws two pixel rows per text row with half blocks', () => {
    expect(toHalfBlocks(tiny(), { border: false })).toBe(['\u2580\u2584  ', '  \u2588\u2588', '    ', '    '].join('\n'));
  });

  it('frames the panel by default so its edges show in a dark terminal', () => {
    expect(toHalfBlocks(tiny()).split('\n')).toEqual([
      '\u250c\u2500\u2500\u2500\u2500\u2510',
      '\u2502\u2580\u2584  \u2502',
      '\u2502  \u2588\u2588\u2502',
      '\u2502    \u2502',
      '\u2502    \u2502',
      '\u2514\u2500\u2500\u2500\u2500\u2518',
    ]);
  });
});
