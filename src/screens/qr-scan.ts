/**
 * Reads the QR code off the panel as a phone camera would (issue #17: `pairing-agent sim qr`, the
 * testing API's `code()`; the tests' scanner since issue #3). jsQR (pure JS, no dependencies) is a
 * run-time dependency for this module alone, and this module is loaded only by those callers, by
 * `import()`: the daemon and every other command never load it (issue #9, start-up).
 */
import jsQRModule from 'jsqr';
import type { Bitmap } from './bitmap.js';

// jsqr is CommonJS with typings that declare an ES default export. Under NodeNext a default import is
// module.exports, typed as that namespace; at run time it is the function, whose `default` is itself.
const jsQR = jsQRModule.default;

/**
 * Camera pixels per panel pixel. A phone held at reading distance sees each OLED pixel as several camera
 * pixels; jsQR on the raw 1 px-per-module bitmap sees modules no wider than its binarizer's noise, which no
 * camera would deliver. Nearest-neighbour scaling adds no detail, so what decodes here is what the panel shows.
 */
const CAMERA_SCALE = 4;
/**
 * Unlit margin around the panel, in panel pixels: the black of the OLED's glass and bezel. It is dark, not
 * white, so the test gets no quiet zone the panel doesn't draw itself.
 */
const BEZEL = 8;

/** The bitmap as the RGBA a camera would see: lit = white, unlit and bezel = black, scaled up. */
export function toCameraImage(bitmap: Bitmap): { data: Uint8ClampedArray; width: number; height: number } {
  const width = (bitmap.width + 2 * BEZEL) * CAMERA_SCALE;
  const height = (bitmap.height + 2 * BEZEL) * CAMERA_SCALE;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const lit = bitmap.get(Math.floor(x / CAMERA_SCALE) - BEZEL, Math.floor(y / CAMERA_SCALE) - BEZEL);
      const at = (y * width + x) * 4;
      data[at] = data[at + 1] = data[at + 2] = lit ? 255 : 0;
      data[at + 3] = 255;
    }
  }
  return { data, width, height };
}

/**
 * Scans the panel for a QR code as a phone would. Normal polarity only (`dontInvert`): phones read dark
 * modules on light, and an inverted code that only decodes when inverted must not be read. The option is
 * passed on every call because jsQR's options leak between calls.
 * @returns the decoded text, or undefined when the panel shows no readable QR code.
 */
export function scanPanel(bitmap: Bitmap): string | undefined {
  const image = toCameraImage(bitmap);
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data;
}
