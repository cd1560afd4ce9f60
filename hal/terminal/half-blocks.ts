import type { Bitmap } from '../bitmap.js';

/** Options for {@link toHalfBlocks}. */
export interface HalfBlockOptions {
  /**
   * Frame the panel with box-drawing lines: an unlit OLED is as dark as the terminal, so without a frame
   * its edges (and the lit QR quiet zone's edges) can't be seen.
   * @default true
   */
  border?: boolean;
}

// Indexed by (top lit ? 1 : 0) | (bottom lit ? 2 : 0).
const HALF_BLOCKS = [' ', '\u2580', '\u2584', '\u2588'] as const;

/**
 * Draws a bitmap as text, one character per pixel column and one text row per two pixel rows, lit pixels as
 * block characters (the luma.emulator "asciiblock" idea). For the terminal display and for eyeballing glyphs.
 */
export function toHalfBlocks(bitmap: Bitmap, options: HalfBlockOptions = {}): string {
  const border = options.border ?? true;
  const rows: string[] = [];
  for (let y = 0; y < bitmap.height; y += 2) {
    let row = '';
    for (let x = 0; x < bitmap.width; x++) {
      row += HALF_BLOCKS[(bitmap.get(x, y) ? 1 : 0) | (bitmap.get(x, y + 1) ? 2 : 0)];
    }
    rows.push(border ? `\u2502${row}\u2502` : row);
  }
  if (!border) return rows.join('\n');
  const edge = '\u2500'.repeat(bitmap.width);
  return [`\u250c${edge}\u2510`, ...rows, `\u2514${edge}\u2518`].join('\n');
}
