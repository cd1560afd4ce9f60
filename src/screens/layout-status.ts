import { formatClock } from './countdown.js';
import type { Element } from './elements.js';
import { ELLIPSIS } from './font5x7.js';
import { ICON_SIZE } from './icons.js';
import type { IconName } from './icons.js';
import type { PanelSize, Screen } from './model.js';
import { charsThatFit, lineHeight, textWidth, toDisplayable, wrapText } from './text.js';

/** Every screen but the code screen: an icon, a one-word title, a sentence and maybe an action hint. */
export type StatusScreen = Exclude<Screen, { kind: 'code' }>;

interface StatusContent {
  readonly icon: IconName;
  /** At most 9 characters, so it fits beside the icon at scale 2. */
  readonly title: string;
  /** Written to fit two 21-character lines (a 128x32 panel without hint) where possible. */
  readonly body: string;
  /** Said in one 21-character line, for a panel where `body` would be cut (128x32 with a hint). */
  readonly shortBody?: string;
  /** An action or a retry time, on the bottom line; at most 21 characters. */
  readonly hint?: string | undefined;
}

const RETRY_HINT = 'Press to retry';

/** What each status screen says. Short words first, so a cut (a long error reason) keeps the gist. */
function statusContent(screen: StatusScreen): StatusContent {
  switch (screen.kind) {
    case 'press_to_pair':
      if (screen.notice === 'pairing_lost') {
        return {
          icon: 'warning',
          title: 'Unpaired',
          body: 'Pairing ended by the server',
          shortBody: 'Ended by the server',
          hint: screen.hasButton ? 'Press to pair again' : 'Pairing again soon',
        };
      }
      if (screen.notice === 'not_revoked') {
        return {
          icon: 'warning',
          title: 'Unpaired',
          body: 'Unpaired, not revoked \u2014 the server may still accept its tokens.',
          shortBody: 'Unpaired, not revoked',
          ...(screen.hasButton ? { hint: 'Press to pair again' } : {}),
        };
      }
      return screen.hasButton
        ? { icon: 'button', title: 'Unpaired', body: 'Press the button to pair this device.' }
        : { icon: 'exchange', title: 'Unpaired', body: 'Pairing will start automatically.' };
    case 'connecting':
      return { icon: 'exchange', title: 'Pairing', body: 'Getting a code from the server\u2026' };
    case 'paired':
      return {
        icon: 'check',
        title: 'Paired',
        body: screen.who ? `Signed in as ${screen.who}` : 'This device is linked to your account.',
      };
    case 'offline':
      return {
        icon: 'offline',
        title: 'Offline',
        body: screen.paired ? 'Paired, no network' : 'No network',
        // The clock is the line's last field, so only its cells change from one second to the next.
        hint: screen.retryInSeconds > 0 ? `Retry in ${formatClock(screen.retryInSeconds)}` : 'Retrying\u2026',
      };
    case 'denied':
      return { icon: 'cross', title: 'Denied', body: 'Pairing was declined.', hint: RETRY_HINT };
    case 'expired':
      return { icon: 'hourglass', title: 'Expired', body: 'Code not used in time', hint: RETRY_HINT };
    case 'unpairing':
      return { icon: 'trash', title: 'Unpairing', body: 'Removing this device from your account\u2026' };
    case 'error':
      return { icon: 'warning', title: 'Error', body: screen.reason || 'Something went wrong.' };
  }
}

/** Dark columns between the icon and the title. */
const ICON_GAP = 4;
/** Title scale: capitals 14 px tall, nearly the icon's height. */
const TITLE_SCALE = 2;
/**
 * Body line pitch: 64 rows have room for a blank row between lines, which keeps descenders off the next line's
 * capitals; 32 rows don't, and set lines one page apart.
 */
const BODY_PITCH = { 64: 9, 32: 8 } as const;
/** Blank rows between the icon row and the body on 64 rows; 32 rows have none to spare. */
const BODY_GAP = { 64: 3, 32: 0 } as const;

/**
 * Lays out a status screen: icon and title side by side, the body wrapped below them, the hint on the
 * bottom line. The icon, title and body are centred as a group in the rows above the hint, so a short text
 * doesn't leave the bottom half of a 64-row panel empty. 128x32 gets the same plan with fewer body lines.
 */
export function layoutStatusScreen(screen: StatusScreen, size: PanelSize): Element[] {
  const content = statusContent(screen);
  const titleX = ICON_SIZE + ICON_GAP;
  const title = toDisplayable(content.title);
  const titleScale = textWidth(title, TITLE_SCALE) <= size.width - titleX ? TITLE_SCALE : 1;

  const pitch = BODY_PITCH[size.height];
  const groupBottom = content.hint === undefined ? size.height : size.height - lineHeight(1);
  const bodyOffset = ICON_SIZE + BODY_GAP[size.height];
  // The last line needs only its glyph height, not a full pitch.
  const maxLines = Math.floor((groupBottom - bodyOffset - lineHeight(1)) / pitch) + 1;
  const chars = charsThatFit(size.width);
  const whole = wrapText(toDisplayable(content.body), chars, maxLines);
  const cut = whole.at(-1)?.endsWith(ELLIPSIS) ?? false;
  const body = cut && content.shortBody !== undefined ? wrapText(toDisplayable(content.shortBody), chars, maxLines) : whole;
  const groupHeight = body.length === 0 ? ICON_SIZE : bodyOffset + (body.length - 1) * pitch + lineHeight(1);
  const top = Math.floor((groupBottom - groupHeight) / 2);

  const elements: Element[] = [
    { kind: 'icon', x: 0, y: top, icon: content.icon },
    { kind: 'text', role: 'title', x: titleX, y: top, scale: titleScale, text: title },
    ...body.map((text, i): Element => ({ kind: 'text', role: 'body', x: 0, y: top + bodyOffset + i * pitch, scale: 1, text })),
  ];
  if (content.hint !== undefined) {
    elements.push({ kind: 'text', role: 'hint', x: 0, y: groupBottom, scale: 1, text: toDisplayable(content.hint) });
  }
  return elements;
}
