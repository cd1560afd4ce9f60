import type { Bitmap } from './bitmap.js';
import { ELLIPSIS, GLYPH_HEIGHT, GLYPH_SPACING, GLYPH_WIDTH, glyphFor } from './font5x7.js';

/** Horizontal distance from one glyph to the next at scale 1 (6 px). */
export const ADVANCE = GLYPH_WIDTH + GLYPH_SPACING;

/** Height of one line of text at `scale`, descender row included: one SSD1306 page at scale 1. */
export function lineHeight(scale: number): number {
  return GLYPH_HEIGHT * scale;
}

/** Width in pixels of `text` at `scale`, without the gap after the last glyph. */
export function textWidth(text: string, scale = 1): number {
  const length = [...text].length;
  return length === 0 ? 0 : length * ADVANCE * scale - GLYPH_SPACING * scale;
}

/** How many characters fit on one line `width` pixels wide at `scale`. */
export function charsThatFit(width: number, scale = 1): number {
  return Math.max(0, Math.floor((width + GLYPH_SPACING * scale) / (ADVANCE * scale)));
}

/**
 * Lights the glyphs of `text` with their top-left corner at (x, y). Only lit pixels are written, so text can
 * sit on anything already drawn; pixels outside the bitmap are clipped by {@link Bitmap.set}.
 */
export function drawText(bitmap: Bitmap, text: string, x: number, y: number, scale = 1): void {
  let left = x;
  for (const char of text) {
    const glyph = glyphFor(char);
    glyph.forEach((column, col) => {
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        if (column & (1 << row)) bitmap.fillRect(left + col * scale, y + row * scale, scale, scale, true);
      }
    });
    left += ADVANCE * scale;
  }
}

/** The x at which `text` is centred in the span [left, left + width). */
export function centeredX(text: string, left: number, width: number, scale = 1): number {
  return left + Math.floor((width - textWidth(text, scale)) / 2);
}

/**
 * Makes arbitrary text (an account name, a server's error description) drawable with the ASCII font: accents
 * are dropped ("José" → "Jose") rather than shown as "?", whitespace runs become one space, and anything left
 * outside printable ASCII becomes "?" so that one character always takes one cell.
 */
export function toDisplayable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[^\x20-\x7e\u2026]/gu, '?');
}

/**
 * Characters a URL or identifier is broken *before*, as the Chicago Manual of Style breaks URLs: a line that
 * starts with one reads as a continuation, not as a hyphenated word or the end of a sentence.
 */
const BREAK_BEFORE = new Set(['.', '/', '-', '_', '?', '#', '%', '~', '@', '=', '&']);
/** Characters a URL or identifier is broken *after*. */
const BREAK_AFTER = new Set([':', '=', '&']);
/**
 * A break at a punctuation mark must leave the line at least this full; otherwise the line is cut at its
 * last cell, because on a 10-character line a nicely placed break can waste half the space.
 */
const MIN_FILL_AT_BREAK = 0.5;

/** Splits one token too long for a line into the head that goes on this line and the rest. */
function breakToken(token: string, maxChars: number): [string, string] {
  const chars = [...token];
  const minHead = Math.ceil(maxChars * MIN_FILL_AT_BREAK);
  for (let at = maxChars; at >= minHead; at--) {
    const before = chars[at - 1];
    const after = chars[at];
    if ((after !== undefined && BREAK_BEFORE.has(after)) || (before !== undefined && BREAK_AFTER.has(before))) {
      return [chars.slice(0, at).join(''), chars.slice(at).join('')];
    }
  }
  return [chars.slice(0, maxChars).join(''), chars.slice(maxChars).join('')];
}

/**
 * Wraps `text` into at most `maxLines` lines of at most `maxChars` characters: at spaces between words, and
 * inside a word too long for a line (a URL, an e-mail address) at its punctuation. When the text needs more
 * lines, the last one shown ends in "…" so a cut is never mistaken for the whole text.
 */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
  if (maxChars <= 0 || maxLines <= 0) return [];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const joined = current === '' ? word : `${current} ${word}`;
    if ([...joined].length <= maxChars) {
      current = joined;
      continue;
    }
    if (current !== '') lines.push(current);
    let rest = word;
    while ([...rest].length > maxChars) {
      const [head, tail] = breakToken(rest, maxChars);
      lines.push(head);
      rest = tail;
    }
    current = rest;
  }
  if (current !== '') lines.push(current);
  if (lines.length <= maxLines) return lines;

  const shown = lines.slice(0, maxLines);
  const last = [...(shown[maxLines - 1] ?? '')];
  // Append the ellipsis after a short last line instead of cutting into it: "Press the…", not "Press th…".
  shown[maxLines - 1] = (last.length < maxChars ? last : last.slice(0, maxChars - 1)).join('') + ELLIPSIS;
  return shown;
}
