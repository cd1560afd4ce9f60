/**
 * A panel drawn in braille cells: each character holds 2x4 pixels, so a 128x64 OLED takes 64 columns
 * and 16 rows and fits a standard 80x24 terminal (issue #15), where half blocks need 128x32.
 * Fine for reading the screen; not for scanning a QR code (phones need solid modules: see
 * `dev/demo/qr-text.ts`).
 */
import type { Bitmap } from '../bitmap.js';

/** Braille dot bits by [row][column] within a cell (Unicode braille patterns, U+2800–U+28FF). */
const DOTS = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
] as const;

const BLANK = 0x2800;

/** The bitmap as braille text, lit pixels as raised dots, with a box-drawing frame unless `border` is false. */
export function toBraille(bitmap: Bitmap, options: { border?: boolean } = {}): string[] {
  const rows: string[] = [];
  for (let y = 0; y < bitmap.height; y += 4) {
    let row = '';
    for (let x = 0; x < bitmap.width; x += 2) {
      let bits = 0;
      for (let dy = 0; dy < 4; dy++) {
        for (let dx = 0; dx < 2; dx++) if (bitmap.get(x + dx, y + dy)) bits |= DOTS[dy]?.[dx] ?? 0;
      }
      row += String.fromCharCode(BLANK + bits);
    }
    rows.push(row);
  }
  if (options.border === false) return rows;
  const edge = '─'.repeat(Math.ceil(bitmap.width / 2));
  return [`┌${edge}┐`, ...rows.map((row) => `│${row}│`), `└${edge}┘`];
}
