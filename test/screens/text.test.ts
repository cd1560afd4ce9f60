import { describe, expect, it } from 'vitest';
import { formatClock, fractionLeft, rightAlignedClock } from '../../src/screens/countdown.js';
import { ELLIPSIS, glyphFor, hasGlyph } from '../../src/screens/font5x7.js';
import { ICON_SIZE, ICONS } from '../../src/screens/icons.js';
import { shortUrl } from '../../src/screens/layout-code.js';
import { charsThatFit, drawableText, textWidth, toDisplayable, wrapText } from '../../src/screens/text.js';
import { splitUserCode } from '../../src/screens/user-code.js';

const PRINTABLE = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i));

describe('font5x7', () => {
  it('has a distinct, non-empty glyph for every printable ASCII character but the space', () => {
    const seen = new Map<string, string>();
    for (const char of PRINTABLE.slice(1)) {
      const glyph = glyphFor(char);
      expect(glyph, char).toHaveLength(5);
      expect(glyph.some((column) => column !== 0), char).toBe(true);
      const key = [...glyph].join(',');
      expect(seen.get(key), `${char} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, char);
    }
    expect([...glyphFor(' ')]).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps capitals and digits off the descender row, so lines one page apart never touch', () => {
    for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-') {
      expect(glyphFor(char).every((column) => (column & 0x80) === 0), char).toBe(true);
    }
  });

  it('slashes the zero so it cannot be read as O', () => {
    expect([...glyphFor('0')]).not.toEqual([...glyphFor('O')]);
    expect(glyphFor('0')[2]).toBe(0x49); // the middle column crosses the bowl
  });

  it('draws anything outside the table as "?"', () => {
    expect(glyphFor('山')).toEqual(glyphFor('?'));
    expect(glyphFor('\u{1f600}')).toEqual(glyphFor('?'));
    expect(glyphFor(ELLIPSIS)).not.toEqual(glyphFor('?'));
  });
});

describe('font5x7 beyond ASCII (issue #16)', () => {
  const LATIN = Array.from({ length: 0x17f - 0xa0 + 1 }, (_, i) => String.fromCodePoint(0xa0 + i));
  /**
   * Glyphs drawn alike on purpose: characters Unicode itself draws alike, and the only capitals whose 5-row form
   * under a mark is their lower-case letter (5x7 leaves no other O or Z in 5 rows; a name's case is clear from
   * the letters around them).
   */
  const ALIKE: Readonly<Record<string, string>> = {
    '\u00a0': ' ',
    '\u00ad': '-',
    Đ: 'Ð',
    ...Object.fromEntries([...'òóôõöōŏőźżž'].map((small) => [small, small.toUpperCase()])),
  };

  it('draws every character of Latin-1 Supplement and Latin Extended-A, each distinct from every other', () => {
    const seen = new Map<string, string>();
    for (const char of [...PRINTABLE, ...LATIN]) {
      expect(hasGlyph(char), `U+${char.codePointAt(0)?.toString(16)} ${char}`).toBe(true);
      const key = [...glyphFor(char)].join(',');
      const twin = seen.get(key);
      if (twin !== undefined) expect(ALIKE[char], `${char} looks like ${twin}`).toBe(twin);
      else seen.set(key, char);
    }
  });

  it('keeps capitals with a mark above inside rows 0-6, like every capital', () => {
    for (const char of 'ÀÁÂÃÄÅÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝĀĂĆĈĊČĎĒĔĖĚĜĞĠĤĨĪĬİĴĹŃŇŌŎŐŔŘŚŜŠŤŨŪŬŮŰŴŶŸŹŻŽ') {
      expect(glyphFor(char).every((column) => (column & 0x80) === 0), char).toBe(true);
      // The mark sits above the letter: something lit on rows 0-1, and the letter itself below.
      expect(glyphFor(char).some((column) => (column & 0x03) !== 0), char).toBe(true);
    }
  });

  it('tells the accented letter from its base letter', () => {
    for (const [accented, base] of [['é', 'e'], ['ñ', 'n'], ['Ł', 'L'], ['ø', 'o'], ['Ø', '0'], ['ë', 'e'], ['ą', 'a']] as const) {
      expect([...glyphFor(accented)], accented).not.toEqual([...glyphFor(base)]);
    }
  });

  it('says which names it cannot draw, instead of a row of "?"', () => {
    expect(drawableText('José Núñez')).toBe('José Núñez');
    expect(drawableText('Søren')).toBe('Søren');
    expect(drawableText('山田太郎')).toBeUndefined();
    expect(drawableText('محمد')).toBeUndefined();
    expect(drawableText('Nguyễn Văn')).toBe('Nguyen Văn');
  });
});

describe('text metrics', () => {
  it.each([
    ['', 1, 0],
    ['A', 1, 5],
    ['WDJB', 1, 23],
    ['WDJB', 2, 46],
    ['WDJB-', 2, 58],
  ])('%j at scale %i is %i px wide', (text, scale, width) => {
    expect(textWidth(text, scale)).toBe(width);
  });

  it.each([
    [128, 1, 21],
    [128, 2, 10],
    [94, 2, 8],
    [62, 2, 5],
    [62, 1, 10],
  ])('%i px hold %i-scale text of %i characters', (width, scale, chars) => {
    expect(charsThatFit(width, scale)).toBe(chars);
  });
});

describe('toDisplayable', () => {
  it.each([
    ['José Müller', 'José Müller'],
    ['Łukasz Żółć', 'Łukasz Żółć'],
    // Decomposed input (NFD, as macOS file names come) is drawn as the composed letters.
    ['Zoe\u0308', 'Zoë'],
    // Outside Latin-1 and Extended-A: the base letter rather than "?".
    ['Nguyễn', 'Nguyen'],
    ['zero\u200bwidth \u202eoverride', 'zerowidth override'],
    ['  two\n lines\t', 'two lines'],
    ['smile \u{1f600}', 'smile ?'],
    ['wait\u2026', 'wait\u2026'],
  ])('%j → %j', (input, output) => {
    expect(toDisplayable(input)).toBe(output);
  });
});

describe('wrapText', () => {
  it('wraps words at spaces', () => {
    expect(wrapText('Press the button to pair this device.', 21, 4)).toEqual(['Press the button to', 'pair this device.']);
  });

  it('breaks a URL before its punctuation, as typesetters do', () => {
    expect(wrapText('github.com/login/device', 10, 3)).toEqual(['github.com', '/login', '/device']);
  });

  it('cuts inside a word when a break would leave the line less than half full', () => {
    expect(wrapText('auth.example.com/device', 10, 3)).toEqual(['auth.examp', 'le.com', '/device']);
  });

  it('ends the last line shown with an ellipsis when the text needs more lines', () => {
    expect(wrapText('Removing this device from your account', 21, 1)).toEqual([`Removing this device${ELLIPSIS}`]);
    expect(wrapText('umetrics.studio/auth/realms/core/device', 10, 2)).toEqual(['umetrics', `.studio${ELLIPSIS}`]);
  });

  it('never returns a line longer than asked', () => {
    const text = 'The server said: invalid_client (client authentication failed) https://example.com/a/very/long/path';
    for (let width = 1; width <= 25; width++) {
      for (const line of wrapText(text, width, 50)) expect([...line].length).toBeLessThanOrEqual(width);
    }
  });

  it('returns nothing when there is no room', () => {
    expect(wrapText('text', 0, 3)).toEqual([]);
    expect(wrapText('text', 10, 0)).toEqual([]);
  });
});

describe('splitUserCode never cuts a code', () => {
  it.each([
    ['WDJB-MJHT', 10, 1, ['WDJB-MJHT']],
    ['WDJB-MJHT', 5, 3, ['WDJB-', 'MJHT']],
    ['ABCD-EFGH-IJKL', 5, 3, ['ABCD-', 'EFGH-', 'IJKL']],
    ['ABCD-EFGH-IJKL', 10, 2, ['ABCD-EFGH-', 'IJKL']],
    ['123456789', 5, 2, ['12345', '6789']],
    ['ABCDEFGH', 5, 2, ['ABCD', 'EFGH']],
    ['019-450-730', 8, 2, ['019-450-', '730']],
    ['BCDF GHJK', 5, 2, ['BCDF ', 'GHJK']],
  ])('%j in lines of %i, at most %i lines → %j', (code, maxChars, maxLines, lines) => {
    expect(splitUserCode(code, maxChars, maxLines)).toEqual(lines);
    expect(lines.join('')).toBe(code);
  });

  it('gives up rather than drop a character', () => {
    expect(splitUserCode('ABCD-EFGH-IJKL', 5, 2)).toBeUndefined();
    expect(splitUserCode('WDJB-MJHT', 0, 2)).toBeUndefined();
  });
});

describe('countdown', () => {
  it.each([
    [900, '15:00'],
    [599.2, '10:00'],
    [59, '0:59'],
    [0.1, '0:01'],
    [0, '0:00'],
    [-5, '0:00'],
    [10_000, '99:59'],
    [Number.NaN, '0:00'],
  ])('shows %d s as %s', (seconds, text) => {
    expect(formatClock(seconds)).toBe(text);
  });

  it('pads the clock to a fixed field so its right edge never moves', () => {
    expect(rightAlignedClock(59)).toBe(' 0:59');
    expect(rightAlignedClock(600)).toBe('10:00');
  });

  it.each([
    [450, 900, 0.5],
    [1000, 900, 1],
    [-1, 900, 0],
    [10, 0, 0],
  ])('%d of %d s left is a %d bar', (left, total, fraction) => {
    expect(fractionLeft(left, total)).toBe(fraction);
  });
});

describe('shortUrl', () => {
  it.each([
    ['https://github.com/login/device', 'github.com/login/device'],
    ['https://device.sso.us-east-1.amazonaws.com/', 'device.sso.us-east-1.amazonaws.com'],
    ['HTTPS://EXAMPLE.COM/device', 'EXAMPLE.COM/device'],
    ['http://192.168.1.10:8080/device', 'http://192.168.1.10:8080/device'],
  ])('shows %s as %s', (uri, short) => {
    expect(shortUrl(uri)).toBe(short);
  });
});

describe('icons', () => {
  it.each(Object.entries(ICONS))('%s is %i px square', (_name, art) => {
    expect(art).toHaveLength(ICON_SIZE);
    for (const row of art) expect(row).toMatch(new RegExp(`^[#.]{${ICON_SIZE}}$`));
  });
});
