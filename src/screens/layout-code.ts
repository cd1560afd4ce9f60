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

/** How much of the URL text an arrangement must show. */
type UrlNeed =
  /** None: the QR holds a URL, and the rows go to the code. */
  | 'none'
  /** What fits, maybe nothing (the QR holds a URL). */
  | 'optional'
  /** At least one line, ellipsized if need be. */
  | 'some'
  /** All of it: with no QR, the text is the only way to the verification page. */
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

/** Without a QR: the whole URL first, since nobody can reach the page otherwise; the largest code second. */
const WITHOUT_QR: readonly Arrangement[] = [
  { codeScale: CODE_SCALE, countdown: 'strip', url: 'all' },
  { codeScale: 1, countdown: 'strip', url: 'all' },
  { codeScale: 1, countdown: 'inline', url: 'all' },
  { codeScale: CODE_SCALE, countdown: 'strip', url: 'some' },
  { codeScale: 1, countdown: 'strip', url: 'some' },
];

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
  url: string,
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
  const urlLines = wrapText(url, urlChars, urlRows);
  if (urlNeed === 'some' && urlLines.length === 0) return undefined;
  if (urlNeed === 'all' && wrapText(url, urlChars, Number.MAX_SAFE_INTEGER).length > urlRows) return undefined;

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
 * The code screen: the QR square on the left, the user code as large as it fits, the verification URL and a
 * countdown beside it. Arrangements are tried from the most readable down; the code is never cut.
 *
 * @see RFC 8628 §3.3 (user interaction), §3.3.1 (non-textual verification URI)
 */
export function layoutCodeScreen(screen: CodeScreen, size: PanelSize): Element[] {
  const code = toDisplayable(screen.userCode);
  const url = shortUrl(toDisplayable(screen.verificationUri));
  const side = size.height;
  const qr = chooseCodeQr(screen, side);

  if (qr !== undefined) {
    const beside: TextArea = {
      area: { x: side + QR_TEXT_GAP, y: 0, width: size.width - side - QR_TEXT_GAP, height: size.height },
      centered: false,
    };
    const text = firstFit(BESIDE_QR, (a) => arrange(code, url, screen, beside, a));
    if (text !== undefined) return [{ kind: 'qr', x: 0, y: 0, side, plan: qr }, ...text];
  }
  const full: TextArea = { area: { x: 0, y: 0, width: size.width, height: size.height }, centered: true };
  return firstFit(WITHOUT_QR, (a) => arrange(code, url, screen, full, a)) ?? codeOnlyLayout(code, size);
}
