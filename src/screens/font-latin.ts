/**
 * 5x7 glyphs for Latin-1 Supplement (U+00A0–U+00FF) and Latin Extended-A (U+0100–U+017F), so names such as
 * "José Núñez", "Zoë", "Łukasz" or "Søren" are drawn as written (issue #16). Hand-drawn for this project to
 * match the ASCII font's grid, in two parts:
 *
 * - letters with a diacritic are composed from their Unicode canonical decomposition (NFD: base letter +
 *   combining mark). Marks above sit on rows 0–1, so capitals under them are redrawn 5 rows tall (rows 2–6,
 *   as in the classic glcdfont's Ä Ö Ü) and i/j lose their dot; marks below use the descender row 7;
 * - everything without a decomposition (Æ Ø ß Ł Œ…), the letters whose ascender leaves no room for their
 *   mark (ď ľ ť ĺ ģ), and the Latin-1 symbols are drawn whole.
 *
 * Art is row by row, top first, '#' lit: a reviewer sees each glyph in the diff.
 */

/** Capitals 5 rows tall (rows 2–6), for a mark above: only the letters that take one in these blocks. */
// prettier-ignore
const SHORT_CAPITALS: Readonly<Record<string, string>> = {
  A: '.###.|#...#|#####|#...#|#...#',
  C: '.####|#....|#....|#....|.####',
  D: '####.|#...#|#...#|#...#|####.',
  E: '#####|#....|####.|#....|#####',
  G: '.####|#....|#..##|#...#|.###.',
  H: '#...#|#...#|#####|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|.###.',
  J: '..###|...#.|...#.|#..#.|.##..',
  L: '#....|#....|#....|#....|#####',
  N: '#...#|##..#|#.#.#|#..##|#...#',
  O: '.###.|#...#|#...#|#...#|.###.',
  R: '####.|#...#|####.|#..#.|#...#',
  S: '.####|#....|.###.|....#|####.',
  T: '#####|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|.###.',
  W: '#...#|#...#|#.#.#|##.##|#...#',
  Y: '#...#|.#.#.|..#..|..#..|..#..',
  Z: '#####|...#.|..#..|.#...|#####',
};

/** Lower-case bases drawn without their dot under a mark above (ì í î ï ĩ ī ĭ ĵ). */
// prettier-ignore
const DOTLESS: Readonly<Record<string, string>> = {
  i: '.....|.....|.##..|..#..|..#..|..#..|.###.',
  j: '.....|.....|....#|....#|....#|#...#|.###.|.....',
};

/**
 * Combining marks (U+0300–U+036F) as 2 rows: above marks on rows 0–1, below marks on the descender row.
 * One-row marks keep row 1 dark, so they stand clear of the letter.
 */
// prettier-ignore
const MARKS: Readonly<Record<string, { readonly at: 'above' | 'below'; readonly art: string }>> = {
  '\u0300': { at: 'above', art: '.#...|..#..' }, // grave
  '\u0301': { at: 'above', art: '...#.|..#..' }, // acute
  '\u0302': { at: 'above', art: '..#..|.#.#.' }, // circumflex
  '\u0303': { at: 'above', art: '.##.#|#..#.' }, // tilde
  '\u0304': { at: 'above', art: '.###.|.....' }, // macron
  '\u0306': { at: 'above', art: '#...#|.###.' }, // breve
  '\u0307': { at: 'above', art: '..#..|.....' }, // dot above
  '\u0308': { at: 'above', art: '.#.#.|.....' }, // diaeresis
  '\u030a': { at: 'above', art: '.###.|.#.#.' }, // ring above
  '\u030b': { at: 'above', art: '..#.#|.#.#.' }, // double acute
  '\u030c': { at: 'above', art: '.#.#.|..#..' }, // caron
  '\u0327': { at: 'below', art: '..##.' }, // cedilla
  '\u0328': { at: 'below', art: '...##' }, // ogonek
};

/** Glyphs drawn whole: 7 rows, or 8 with a descender. */
// prettier-ignore
const WHOLE: Readonly<Record<string, string>> = {
  '\u00a0': '.....', // no-break space
  '¡': '..#..|.....|..#..|..#..|..#..|..#..|..#..',
  '¢': '.....|..#..|.####|#.#..|#.#..|.####|..#..',
  '£': '..##.|.#..#|.#...|###..|.#...|.#..#|#####',
  '¤': '.....|#...#|.###.|.#.#.|.###.|#...#|.....',
  '¥': '#...#|.#.#.|#####|..#..|#####|..#..|..#..',
  '¦': '..#..|..#..|..#..|.....|..#..|..#..|..#..',
  '§': '.####|#....|.###.|#...#|.###.|....#|####.',
  '¨': '.#.#.',
  '©': '.###.|#.###|##..#|##..#|#.###|#...#|.###.',
  'ª': '.###.|#..#.|.###.|.....|####.',
  '«': '.....|..#.#|.#.#.|#.#..|.#.#.|..#.#',
  '¬': '.....|.....|#####|....#|....#',
  '\u00ad': '.....|.....|.....|#####', // soft hyphen: drawn as "-" where the text breaks
  '®': '.###.|###.#|##.##|###.#|##.##|#...#|.###.',
  '¯': '#####',
  '°': '.##..|#..#.|.##..',
  '±': '..#..|..#..|#####|..#..|..#..|.....|#####',
  '²': '.##..|#..#.|..#..|.#...|####.',
  '³': '###..|...#.|.##..|...#.|###..',
  '´': '...#.|..#..',
  'µ': '.....|.....|#...#|#...#|#...#|##..#|#.##.|#....',
  '¶': '.####|###.#|###.#|.##.#|..#.#|..#.#|..#.#',
  '·': '.....|.....|.....|..#..',
  '¸': '.....|.....|.....|.....|.....|..#..|...#.|.##..',
  '¹': '..#..|.##..|..#..|..#..|.###.',
  'º': '.##..|#..#.|.##..|.....|####.',
  '»': '.....|#.#..|.#.#.|..#.#|.#.#.|#.#..',
  '¼': '#....|#...#|#..#.|..#..|.#.#.|#.###|...#.',
  '½': '#....|#...#|#..#.|..#..|.#.##|#...#|...##',
  '¾': '##...|##..#|##.#.|..#..|.#.#.|#.###|...#.',
  '¿': '..#..|.....|..#..|.#...|#....|#...#|.###.',
  'Æ': '.####|#.#..|#.#..|####.|#.#..|#.#..|#.###',
  'Ð': '.###.|.#..#|.#..#|###.#|.#..#|.#..#|.###.',
  '×': '.....|#...#|.#.#.|..#..|.#.#.|#...#',
  // The slash runs past the bowl at both ends: a slashed O inside the bowl is this font's zero.
  'Ø': '.####|#..##|#.#.#|#.#.#|#.#.#|##..#|####.',
  'Þ': '#....|####.|#...#|#...#|####.|#....|#....',
  'ß': '.##..|#..#.|#..#.|#.#..|#..#.|#...#|#.##.',
  'æ': '.....|.....|##.#.|..#.#|.####|#.#..|.#.##',
  'ð': '.#.#.|..#..|.#.#.|....#|.####|#...#|.###.',
  '÷': '.....|..#..|.....|#####|.....|..#..',
  'ø': '.....|....#|.###.|#..##|#.#.#|##..#|.###.|#....',
  'þ': '#....|#....|####.|#...#|#...#|#...#|####.|#....',
  'Đ': '.###.|.#..#|.#..#|###.#|.#..#|.#..#|.###.',
  'đ': '....#|..###|.##.#|#..##|#...#|#...#|.####',
  'ď': '..#.#|..#.#|.##..|#.#..|#.#..|#.#..|.##..',
  'ģ': '...#.|..#..|.####|#...#|#...#|.####|....#|.###.',
  'Ħ': '#...#|#####|#...#|#####|#...#|#...#|#...#',
  'ħ': '#....|###..|#.##.|##..#|#...#|#...#|#...#',
  'ı': '.....|.....|.##..|..#..|..#..|..#..|.###.',
  'Ĳ': '#.###|#...#|#...#|#...#|#...#|#.#.#|#.##.',
  'ĳ': '#...#|.....|#..##|#...#|#...#|#...#|#...#|..##.',
  'ĸ': '.....|.....|#..#.|#.#..|##...|#.#..|#..#.',
  'ĺ': '##..#|.#.#.|.#...|.#...|.#...|.#...|###..',
  'Ľ': '#..#.|#..#.|#....|#....|#....|#....|#####',
  'ľ': '##.#.|.#.#.|.#...|.#...|.#...|.#...|###..',
  'Ŀ': '#....|#....|#....|#..#.|#....|#....|#####',
  'ŀ': '##...|.#...|.#...|.#..#|.#...|.#...|###..',
  'Ł': '.#...|.#...|.#.#.|.##..|##...|.#...|.####',
  'ł': '.##..|..#..|..#..|..##.|.##..|..#..|.###.',
  'ŉ': '#....|#....|.#.#.|.##.#|.#..#|.#..#|.#..#',
  'Ŋ': '#.##.|##..#|#...#|#...#|#...#|#...#|#...#|..##.',
  'ŋ': '.....|.....|#.##.|##..#|#...#|#...#|#...#|...#.',
  'Œ': '.####|#.#..|#.#..|#.###|#.#..|#.#..|.####',
  'œ': '.....|.....|.#.#.|#.#.#|#.###|#.#..|.#.##',
  'ť': '.#..#|.#..#|###..|.#...|.#...|.#...|..##.',
  'Ŧ': '#####|..#..|..#..|.###.|..#..|..#..|..#..',
  'ŧ': '.#...|.#...|###..|.#...|###..|.#..#|..##.',
  'ſ': '..##.|.#...|.#...|.#...|.#...|.#...|.#...',
};

/** The 5 column bytes (LSB = top row) of art whose first row is `top`. */
function columnsOf(art: string, top = 0): Uint8Array {
  const columns = new Uint8Array(5);
  art.split('|').forEach((row, r) => {
    [...row].forEach((pixel, c) => {
      if (pixel === '#') columns[c] = (columns[c] ?? 0) | (1 << (top + r));
    });
  });
  return columns;
}

/** Draws `base` with `mark`, or undefined when the pair is not one this font draws. */
function compose(base: string, mark: string, asciiGlyph: (char: string) => Uint8Array | undefined): Uint8Array | undefined {
  const m = MARKS[mark];
  if (m === undefined) return undefined;
  let letter: Uint8Array | undefined;
  if (m.at === 'below') {
    letter = asciiGlyph(base);
  } else {
    const short = SHORT_CAPITALS[base];
    const dotless = DOTLESS[base];
    letter = short !== undefined ? columnsOf(short, 2) : dotless !== undefined ? columnsOf(dotless) : /[a-z]/.test(base) ? asciiGlyph(base) : undefined;
  }
  if (letter === undefined) return undefined;
  const markColumns = columnsOf(m.art, m.at === 'above' ? 0 : 7);
  // A mark drawn over the letter would make a blot instead of a letter: such pairs are drawn whole above.
  if (letter.some((column, i) => (column & (markColumns[i] ?? 0)) !== 0)) {
    throw new Error(`font: U+${base.codePointAt(0)?.toString(16)} + U+${mark.codePointAt(0)?.toString(16)} collide`);
  }
  return letter.map((column, i) => column | (markColumns[i] ?? 0));
}

/** First and last code point covered here. */
export const LATIN_FIRST = 0xa0;
export const LATIN_LAST = 0x17f;

/**
 * Builds the glyphs of U+00A0–U+017F from the tables above and the ASCII font (passed in so this module
 * doesn't import it back). Code points that neither compose nor are drawn whole are left out; the test
 * suite checks there are none.
 */
export function buildLatinGlyphs(asciiGlyph: (char: string) => Uint8Array | undefined): Map<number, Uint8Array> {
  const glyphs = new Map<number, Uint8Array>();
  for (let code = LATIN_FIRST; code <= LATIN_LAST; code++) {
    const char = String.fromCodePoint(code);
    const whole = WHOLE[char];
    if (whole !== undefined) {
      glyphs.set(code, columnsOf(whole));
      continue;
    }
    const [base, mark, ...more] = [...char.normalize('NFD')];
    if (base === undefined || mark === undefined || more.length > 0) continue;
    const glyph = compose(base, mark, asciiGlyph);
    if (glyph !== undefined) glyphs.set(code, glyph);
  }
  return glyphs;
}
