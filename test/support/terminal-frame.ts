/**
 * Reads half blocks back from a terminal's text: the inverse of the half-block drawing, so an
 * end-to-end test can scan the QR code a person would see.
 */
import { Bitmap } from '../../src/screens/bitmap.js';

const TOP = new Set(['▀', '█']);
const BOTTOM = new Set(['▄', '█']);

/**
 * A whole terminal screen as a camera sees the demo's QR code (issue #15): half blocks are dark, every
 * other character (spaces, text, braille, frames) is light, one pixel per column and two per row. The
 * result's lit pixels are the light ones, as `scanPanel` expects of a panel.
 */
export function screenAsLight(text: string): Bitmap {
  const lines = text.split('\n').map((line) => [...line]);
  const width = Math.max(1, ...lines.map((line) => line.length));
  const bitmap = new Bitmap(width, Math.ceil((lines.length * 2) / 8) * 8);
  for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < width; x++) bitmap.set(x, y, true);
  lines.forEach((line, r) =>
    line.forEach((ch, x) => {
      if (TOP.has(ch)) bitmap.set(x, 2 * r, false);
      if (BOTTOM.has(ch)) bitmap.set(x, 2 * r + 1, false);
    }),
  );
  return bitmap;
}
