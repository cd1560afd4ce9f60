import type { Bitmap } from './bitmap.js';
import { ELLIPSIS, GLYPH_HEIGHT, GLYPH_SPACING, GLYPH_WIDTH, glyphFor, hasGlyph } from './font5x7.js';

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

/** A character the font lacks, or a whole run of them (a word in a script the panel can't draw). */
const REPLACEMENT = '?';

/** One code point as the font can draw it: itself, its letters without the marks the font lacks, or undefined. */
function drawableChar(char: string): string | undefined {
  if (hasGlyph(char)) return char;
  // "ễ" (Vietnamese) is not in Latin-1 or Extended-A, but its base letter is: "e" beats "?".
  const bare = char.normalize('NFD').replace(/\p{M}+/gu, '');
  return bare !== '' && [...bare].every(hasGlyph) ? bare : undefined;
}

/** Whitespace runs become one space; invisible format characters (zero-width, bidi controls) go. */
function tidy(text: string): string {
  return text.normalize('NFC').replace(/\p{Cf}+/gu, '').replace(/\s+/g, ' ').trim();
}

/**
 * Makes arbitrary text (an account name, a server's error description) drawable with the 5x7 font: letters of
 * Latin-1 and Latin Extended-A as written (issue #16), other accented letters without their accent, whitespace
 * runs as one space, and anything else as "?" so that one character always takes one cell.
 */
export function toDisplayable(text: string): string {
  return [...tidy(text)].map((char) => drawableChar(char) ?? REPLACEMENT).join('');
}

/**
 * The text as {@link toDisplayable} draws it, or undefined when any character would become "?": for a name in
 * a script the panel can't draw (CJK, Arabic…), whose caller then tries another name (issue #16).
 */
export function drawableText(text: string): string | undefined {
  const chars = [...tidy(text)].map(drawableChar);
  return chars.some((char) => char === undefined) ? undefined : chars.join('');
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

/**
 * Where a URL shown for typing breaks (issue #16: "wrapped at / and ."): before a path or host separator, or
 * before the query's punctuation. A line then starts with the separator, so it reads as a continuation.
 */
const URL_BREAK_BEFORE = new Set(['/', '.', '?', '#', '&', '=']);

/** Splits one token too long for a line into the head that goes on this line and the rest. */
function breakToken(token: string, maxChars: number, url: boolean): [string, string] {
  const chars = [...token];
  if (url) {
    // However short the line gets: a URL broken inside a name is harder to type than one more line.
    for (let at = maxChars; at >= 1; at--) {
      const after = chars[at];
      if (after !== undefined && URL_BREAK_BEFORE.has(after)) return [chars.slice(0, at).join(''), chars.slice(at).join('')];
    }
  }
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
 * lines, the last one shown ends in "…" so a cut is never mistaken for the whole text. With `url`, a URL breaks
 * only before `/ . ? # & =` while it has one within the line (issue #16).
 */
export function wrapText(text: string, maxChars: number, maxLines: number, options: { url?: boolean } = {}): string[] {
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
      const [head, tail] = breakToken(rest, maxChars, options.url ?? false);
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
