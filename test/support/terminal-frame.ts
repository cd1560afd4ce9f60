/**
 * Reads a panel back from the terminal rendering (`hal/sim/terminal.ts`): the inverse of the
 * half-block drawing, so an end-to-end test can scan the QR code a person would see.
 */
import { Bitmap } from '../../src/screens/bitmap.js';

const TOP = new Set(['▀', '█']);
const BOTTOM = new Set(['▄', '█']);

/** The last bordered panel in `text`, as a bitmap; undefined when there is none. */
export function lastPanel(text: string): Bitmap | undefined {
  const lines = text.split('\n');
  const end = lines.findLastIndex((line) => line.includes('└'));
  const start = lines.findLastIndex((line, i) => i < end && line.includes('┌'));
  if (start < 0 || end < 0) return undefined;
  const rows = lines.slice(start + 1, end).map((line) => [...line.slice(line.indexOf('│') + 1, line.lastIndexOf('│'))]);
  const width = rows[0]?.length ?? 0;
  const bitmap = new Bitmap(width, rows.length * 2);
  rows.forEach((row, r) =>
    row.forEach((ch, x) => {
      bitmap.set(x, 2 * r, TOP.has(ch));
      bitmap.set(x, 2 * r + 1, BOTTOM.has(ch));
    }),
  );
  return bitmap;
}
