import type { IconName } from './icons.js';
import { ICON_SIZE } from './icons.js';
import type { QrPlan } from './qr.js';
import { lineHeight, textWidth } from './text.js';

/**
 * What a text element is for. Tests use it (the `code` lines joined must be the user code); the painter
 * doesn't care.
 */
export type TextRole = 'title' | 'body' | 'hint' | 'code' | 'url' | 'countdown';

/**
 * A positioned piece of a screen. Layout produces these and painting only draws them, so tests can check
 * bounds, overlaps and which region changes from one second to the next without decoding pixels.
 */
export type Element =
  | { kind: 'text'; role: TextRole; x: number; y: number; scale: number; text: string }
  /** A lit square `side` px wide at (x, y) with the QR symbol's dark modules centred in it. */
  | { kind: 'qr'; x: number; y: number; side: number; plan: QrPlan }
  | { kind: 'icon'; x: number; y: number; icon: IconName }
  /** An outlined bar whose inside is lit from the left for `fraction` (0–1) of its width. */
  | { kind: 'bar'; x: number; y: number; width: number; height: number; fraction: number };

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The rectangle an element may draw in. Text includes its descender row and any padding spaces. */
export function boundsOf(element: Element): Rect {
  switch (element.kind) {
    case 'text':
      return {
        x: element.x,
        y: element.y,
        width: textWidth(element.text, element.scale),
        height: lineHeight(element.scale),
      };
    case 'qr':
      return { x: element.x, y: element.y, width: element.side, height: element.side };
    case 'icon':
      return { x: element.x, y: element.y, width: ICON_SIZE, height: ICON_SIZE };
    case 'bar':
      return { x: element.x, y: element.y, width: element.width, height: element.height };
  }
}
