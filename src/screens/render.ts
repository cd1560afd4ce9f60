import type { Bitmap } from './bitmap.js';
import type { Element } from './elements.js';
import { layoutCodePages, pageIndex } from './layout-code.js';
import { layoutStatusScreen } from './layout-status.js';
import type { PanelSize, Screen } from './model.js';
import { paint } from './paint.js';

/** One page of a screen as laid out, and where it sits among the screen's pages. */
export interface ScreenView {
  readonly elements: Element[];
  /** 0-based. */
  readonly page: number;
  /** 1 for every screen but a code screen whose URL needs a text page (issue #16). */
  readonly pages: number;
}

/** The page of `screen` on a panel of `size` that the screen selects; a pure function of both. */
export function viewScreen(screen: Screen, size: PanelSize): ScreenView {
  if (screen.kind !== 'code') return { elements: layoutStatusScreen(screen, size), page: 0, pages: 1 };
  const pages = layoutCodePages(screen, size);
  const page = pageIndex(screen.page, pages.length);
  return { elements: pages[page] ?? [], page, pages: pages.length };
}

/** Where everything on `screen` goes on a panel of `size`; a pure function of both. */
export function layoutScreen(screen: Screen, size: PanelSize): Element[] {
  return viewScreen(screen, size).elements;
}

/**
 * The text a person reads on a page, one entry per line of text as drawn, top to bottom and left to right
 * (issue #16, `sim screen --text`). Padding spaces (a right-aligned clock) are dropped.
 */
export function textLines(elements: readonly Element[]): string[] {
  return elements
    .flatMap((e) => (e.kind === 'text' ? [e] : []))
    .sort((a, b) => a.y - b.y || a.x - b.x)
    .map((e) => e.text.trim());
}

/**
 * The framebuffer for `screen`, in the SSD1306 page layout the driver sends as is. Same screen, same bytes:
 * the driver may diff frames and send only what changed.
 */
export function renderScreen(screen: Screen, size: PanelSize): Bitmap {
  return paint(layoutScreen(screen, size), size.width, size.height);
}
