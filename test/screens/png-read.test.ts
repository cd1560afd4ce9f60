/**
 * decodePng reads back the panel screenshots encodePng writes (issue #17: `sim qr` and the testing API get
 * the panel as PNG from the daemon). pngjs, an independent decoder, is the oracle for the pixels.
 */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { Bitmap, encodePng, renderScreen } from '../../src/screens/index.js';
import { decodePng } from '../../src/screens/png-read.js';
import { seededRandom } from '../support/virtual-time.js';

/** 8 signature bytes, then IHDR: length, type, 13 data bytes, CRC. The IDAT chunk starts here. */
const SIGNATURE_AND_IHDR = 8 + 4 + 4 + 13 + 4;

function randomBitmap(width: number, height: number, seed: number): Bitmap {
  const random = seededRandom(seed);
  const bitmap = new Bitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) bitmap.set(x, y, random() < 0.5);
  return bitmap;
}

describe('decodePng', () => {
  it('reads back every pixel encodePng wrote, as pngjs sees them (lit = white)', () => {
    const screens = [
      randomBitmap(128, 64, 1),
      randomBitmap(128, 32, 2),
      randomBitmap(13, 8, 3), // a width that is not a whole number of bytes
      renderScreen({ kind: 'code', userCode: 'WDJB-MJHT', verificationUri: 'https://idp.example.com/device', verificationUriComplete: 'https://idp.example.com/device?user_code=WDJB-MJHT', secondsLeft: 600, totalSeconds: 900 }, { width: 128, height: 64 }),
    ];
    for (const bitmap of screens) {
      const png = encodePng(bitmap);
      const read = decodePng(png);
      expect([read.width, read.height]).toEqual([bitmap.width, bitmap.height]);
      expect(Buffer.from(read.data).equals(Buffer.from(bitmap.data))).toBe(true);
      const oracle = PNG.sync.read(png);
      for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) expect(read.get(x, y)).toBe(oracle.data[(y * oracle.width + x) * 4] === 255);
    }
  });

  it('refuses anything but a 1-bit greyscale screenshot, saying why', () => {
    expect(() => decodePng(Buffer.from('{"error":"no_simulated_display"}'))).toThrow(new RangeError('not a PNG (no PNG signature)'));
    const rgba = new PNG({ width: 8, height: 8 });
    expect(() => decodePng(PNG.sync.write(rgba))).toThrow(/^PNG is bit depth 8, colour type 6, interlace 0; expected a 1-bit greyscale screenshot/);
    const png = encodePng(randomBitmap(16, 8, 4));
    expect(() => decodePng(png.subarray(0, 40))).toThrow(new RangeError('PNG is cut short (no IEND chunk)'));
    // Pixel data damaged in its zlib header, chunks intact.
    const damaged = Buffer.from(png);
    damaged[SIGNATURE_AND_IHDR + 8] = 0xff;
    expect(() => decodePng(damaged)).toThrow(/^PNG pixel data cannot be inflated \(/);
  });
});
