import { CLOCK_WIDTH, countdownColumn, countdownStrip, rightAlignedClock } from './countdown.js';
import type { Element, Rect } from './elements.js';
import type { PanelSize, Screen } from './model.js';
import { planQr } from './qr.js';
import type { QrPlan } from './qr.js';
import { centeredX, charsThatFit, lineHeight, toDisplayable, wrapText } from './text.js';
import { splitUserCode } from './user-code.js';

type CodeScreen = Extract<Screen, { kind: 'code' }>;

/** Scale of the user code when it fits: 10x14 px capitals, readable at arm's length on a 0.96" panel. */
const CODE_SCALE = 2;
/** Dark columns between the lit QR square and the text, so the first glyph doesn't merge into the quiet zone. */
const QR_TEXT_GAP = 2;
/** Dark columns between a code line and the countdown column beside it. */
const COLUMN_GAP = 3;
/** Rows of a capital at scale 1: an inline clock sits on the code's baseline, not its top. */
const CAP_HEIGHT = 7;

/**
 * The QR symbol for the code screen in a square `side` px wide: `verification_uri_complete` when it fits,
 * since scanning it skips typing the code (RFC 8628 §3.3.1); else `verification_uri`, so that a 128x32 panel
 * (at most a version 3 symbol) still offers a scan and the user types only the code.
 */
export function chooseCodeQr(screen: CodeScreen, side: number): QrPlan | undefined {
  for (const uri of [screen.verificationUriComplete, screen.verificationUri]) {
    const plan = uri ? planQr(uri, side) : undefined;
    if (plan !== undefined) return plan;
  }
  return undefined;
}

/**
 * The verification URI as a person types it: without "https://" (browsers add it) and without the slash
 * after a bare host. Any other scheme stays, because typing the host alone would not reach it.
 */
export function shortUrl(uri: string): string {
  const bare = uri.replace(/^https:\/\//i, '');
  return /^[^/]+\/$/.test(bare) ? bare.slice(0, -1) : bare;
}

/** Where the text goes, and how. */
interface TextArea {
  readonly area: Rect;
  /** Centre lines in a wide area; keep them flush left next to a QR so code lines align. */
  readonly centered: boolean;
}

/**
 * Seconds each page of a paged code screen stays up: enough to read a URL line or to aim a phone, short enough
 * that someone who missed the text page sees it again soon (issue #16).
 */
export const CODE_PAGE_SECONDS = 5;

/**
 * How much of the URL text an arrangement must show. Never part of it: RFC 8628 §3.3.1 makes the URI what
 * a person without a camera types, so a URL that doesn't fit whole goes on a page of its own (issue #16).
 */
type UrlNeed =
  /** None: the QR holds a URL, and the rows go to the code. */
  | 'none'
  /** All of it if it fits, else none (the QR holds a URL, and a text page follows). */
  | 'optional'
  /** All of it. */
  | 'all';

/** One way to arrange the code, the URL and the countdown in a text area. */
interface Arrangement {
  readonly codeScale: number;
  /**
   * `strip`: bar and clock on the area's bottom line, under code and URL. `column`: bar above clock in a
   * column right of the code, for a two-line code on 32 rows. `inline`: the clock alone at the end of the
   * code's first line, so a long URL gets every other row.
   */
  readonly countdown: 'strip' | 'column' | 'inline';
  readonly url: UrlNeed;
}

/** Beside a QR: the largest code first; the URL text is a bonus. */
const BESIDE_QR: readonly Arrangement[] = [
  { codeScale: CODE_SCALE, countdown: 'strip', url: 'optional' },
  { codeScale: CODE_SCALE, countdown: 'column', url: 'none' },
  { codeScale: 1, countdown: 'strip', url: 'optional' },
];

/** A text page: the whole URL, with the largest code that leaves room for it. */
const WITHOUT_QR: readonly Arrangement[] = [
  { codeScale: CODE_SCALE, countdown: 'strip', url: 'all' },
  { codeScale: 1, countdown: 'strip', url: 'all' },
  { codeScale: 1, countdown: 'inline', url: 'all' },
];

/** A URL longer than one text page holds goes on several, each with the code and the clock on its first line. */
const SPLIT_URL: Arrangement = { codeScale: 1, countdown: 'inline', url: 'all' };

function lineElements(
  lines: readonly string[],
  role: 'code' | 'url',
  scale: number,
  top: number,
  area: Rect,
  centered: boolean,
): Element[] {
  return lines.map((text, i) => ({
    kind: 'text',
    role,
    x: centered ? centeredX(text, area.x, area.width, scale) : area.x,
    y: top + i * lineHeight(scale),
    scale,
    text,
  }));
}

/**
 * Places the code, the URL and the countdown as `arrangement` says, or returns undefined when the code
 * doesn't fit whole or the URL gets less than the arrangement needs. Positions depend on the code, the URL
 * and the area only, never on the time left, so only the countdown's own pixels change each second.
 */
function arrange(
  code: string,
  url: string | readonly string[],
  screen: CodeScreen,
  { area, centered }: TextArea,
  { codeScale, countdown, url: urlNeed }: Arrangement,
): Element[] | undefined {
  const besideClock = countdown === 'strip' ? 0 : CLOCK_WIDTH + COLUMN_GAP;
  const codeArea = { ...area, width: area.width - besideClock };
  const contentHeight = area.height - (countdown === 'strip' ? lineHeight(1) : 0);
  const codeLines = splitUserCode(code, charsThatFit(codeArea.width, codeScale), Math.floor(contentHeight / lineHeight(codeScale)));
  if (codeLines === undefined) return undefined;
  const codeHeight = codeLines.length * lineHeight(codeScale);

  // A column runs the full height, so URL lines would share its narrower width; inline leaves them the full one.
  const urlArea = countdown === 'column' ? codeArea : area;
  const urlChars = charsThatFit(urlArea.width);
  const urlRows = urlNeed === 'none' ? 0 : Math.floor((contentHeight - codeHeight) / lineHeight(1));
  // Lines already broken (one page of a split URL) are placed as they are.
  const wholeUrl = typeof url === 'string' ? wrapText(url, urlChars, Number.MAX_SAFE_INTEGER, { url: true }) : url;
  const fits = wholeUrl.length <= urlRows;
  if (urlNeed === 'all' && !fits) return undefined;
  const urlLines = fits && urlNeed !== 'none' ? wholeUrl : [];

  const top = area.y + Math.floor((contentHeight - codeHeight - urlLines.length * lineHeight(1)) / 2);
  const clockX = area.x + area.width - CLOCK_WIDTH;
  const countdownElements =
    countdown === 'strip'
      ? countdownStrip({ ...area, y: area.y + contentHeight, height: lineHeight(1) }, screen.secondsLeft, screen.totalSeconds)
      : countdown === 'column'
        ? countdownColumn({ ...area, x: clockX, width: CLOCK_WIDTH }, screen.secondsLeft, screen.totalSeconds)
        : [inlineClock(clockX, top + (codeScale - 1) * CAP_HEIGHT, screen.secondsLeft)];
  return [
    ...lineElements(codeLines, 'code', codeScale, top, codeArea, centered),
    ...lineElements(urlLines, 'url', 1, top + codeHeight, urlArea, centered),
    ...countdownElements,
  ];
}

function inlineClock(x: number, y: number, secondsLeft: number): Element {
  return { kind: 'text', role: 'countdown', x, y, scale: 1, text: rightAlignedClock(secondsLeft) };
}

/**
 * Last resort for a code longer than every arrangement allows (beyond some 45 characters on 128x32 and 70 on
 * 128x64; RFC 8628 §6.1 suggests 8): the whole panel at scale 1 for the code alone. Only a code longer than
 * the panel holds in total (84 or 168 characters) gets an ellipsis.
 */
function codeOnlyLayout(code: string, size: PanelSize): Element[] {
  const maxChars = charsThatFit(size.width);
  const maxLines = size.height / lineHeight(1);
  const lines = splitUserCode(code, maxChars, maxLines) ?? wrapText(code, maxChars, maxLines);
  return lineElements(lines, 'code', 1, 0, { x: 0, y: 0, width: size.width, height: size.height }, true);
}

function firstFit(arrangements: readonly Arrangement[], place: (a: Arrangement) => Element[] | undefined): Element[] | undefined {
  for (const arrangement of arrangements) {
    const elements = place(arrangement);
    if (elements !== undefined) return elements;
  }
  return undefined;
}

/**
 * The text pages of a URL too long for one: the code (with the clock beside its first line) on each, and as
 * many URL lines as the rest of the panel holds. Undefined when not even one URL line fits beside the code.
 */
function splitUrlPages(code: string, url: string, screen: CodeScreen, full: TextArea): Element[][] | undefined {
  const codeWidth = full.area.width - CLOCK_WIDTH - COLUMN_GAP;
  const codeLines = splitUserCode(code, charsThatFit(codeWidth), full.area.height / lineHeight(1));
  if (codeLines === undefined) return undefined;
  const rows = full.area.height / lineHeight(1) - codeLines.length;
  if (rows < 1) return undefined;
  const lines = wrapText(url, charsThatFit(full.area.width), Number.MAX_SAFE_INTEGER, { url: true });
  const pages: Element[][] = [];
  for (let at = 0; at < lines.length; at += rows) {
    const page = arrange(code, lines.slice(at, at + rows), screen, full, SPLIT_URL);
    if (page === undefined) return undefined;
    pages.push(page);
  }
  return pages;
}

/**
 * The pages of the code screen, in the order they are shown. One page when everything fits beside the QR: the
 * QR, the user code as large as it fits, the whole URL and the countdown. Otherwise the QR page (QR, code,
 * countdown) is followed by a text page with the code and the whole `verification_uri` (issue #16: a person
 * without a camera must be able to type it); a URL too long for one text page continues on the next. Every page
 * has the code and the countdown, and nothing is ever cut.
 *
 * @see RFC 8628 §3.3 (user interaction), §3.3.1 (non-textual verification URI)
 */
export function layoutCodePages(screen: CodeScreen, size: PanelSize): Element[][] {
  const code = toDisplayable(screen.userCode);
  // The text is the short verification_uri even when the QR holds the complete one: it is what fits.
  const url = shortUrl(toDisplayable(screen.verificationUri));
  const side = size.height;
  const full: TextArea = { area: { x: 0, y: 0, width: size.width, height: size.height }, centered: true };
  const textPages = (): Element[][] => {
    const page = firstFit(WITHOUT_QR, (a) => arrange(code, url, screen, full, a));
    if (page !== undefined) return [page];
    const split = splitUrlPages(code, url, screen, full);
    return split !== undefined && split.length > 0 ? split : [codeOnlyLayout(code, size)];
  };

  const qr = chooseCodeQr(screen, side);
  if (qr !== undefined) {
    const beside: TextArea = {
      area: { x: side + QR_TEXT_GAP, y: 0, width: size.width - side - QR_TEXT_GAP, height: size.height },
      centered: false,
    };
    const text = firstFit(BESIDE_QR, (a) => arrange(code, url, screen, beside, a));
    if (text !== undefined) {
      const qrPage: Element[] = [{ kind: 'qr', x: 0, y: 0, side, plan: qr }, ...text];
      const urlShown = text.some((e) => e.kind === 'text' && e.role === 'url');
      return urlShown ? [qrPage] : [qrPage, ...textPages()];
    }
  }
  return textPages();
}

/** The page of the code screen that `screen.page` selects (counting on past the last page wraps around). */
export function layoutCodeScreen(screen: CodeScreen, size: PanelSize): Element[] {
  const pages = layoutCodePages(screen, size);
  return pages[pageIndex(screen.page, pages.length)] ?? [];
}

/** `page` wrapped into 0..count-1. */
export function pageIndex(page: number | undefined, count: number): number {
  const p = Number.isInteger(page) ? (page as number) : 0;
  return ((p % count) + count) % count;
}
