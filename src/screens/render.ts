import type { Bitmap } from './bitmap.js';
import type { Element } from './elements.js';
import { layoutCodeScreen } from './layout-code.js';
import { layoutStatusScreen } from './layout-status.js';
import type { PanelSize, Screen } from './model.js';
import { paint } from './paint.js';

/** Where everything on `screen` goes on a panel of `size`; a pure function of both. */
export function layoutScreen(screen: Screen, size: PanelSize): Element[] {
  return screen.kind === 'code' ? layoutCodeScreen(screen, size) : layoutStatusScreen(screen, size);
}

/**
 * The framebuffer for `screen`, in the SSD1306 page layout the driver sends as is. Same screen, same bytes:
 * the driver may diff frames and send only what changed.
 */
export function renderScreen(screen: Screen, size: PanelSize): Bitmap {
  return paint(layoutScreen(screen, size), size.width, size.height);
}
