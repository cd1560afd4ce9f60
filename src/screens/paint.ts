import { Bitmap } from './bitmap.js';
import type { Element } from './elements.js';
import { drawIcon } from './icons.js';
import { drawText } from './text.js';

/** The bar's 1 px outline: the fill sits inside it, so an empty bar still shows where it was. */
const BAR_OUTLINE = 1;

function paintElement(bitmap: Bitmap, element: Element): void {
  switch (element.kind) {
    case 'text':
      drawText(bitmap, element.text, element.x, element.y, element.scale);
      return;
    case 'icon':
      drawIcon(bitmap, element.icon, element.x, element.y);
      return;
    case 'bar': {
      const { x, y, width, height } = element;
      bitmap.fillRect(x, y, width, height, true);
      bitmap.fillRect(x + BAR_OUTLINE, y + BAR_OUTLINE, width - 2 * BAR_OUTLINE, height - 2 * BAR_OUTLINE, false);
      const inner = width - 2 * BAR_OUTLINE;
      bitmap.fillRect(x + BAR_OUTLINE, y + BAR_OUTLINE, Math.round(inner * element.fraction), height - 2 * BAR_OUTLINE, true);
      return;
    }
    case 'qr': {
      // Dark modules on a lit square: the polarity every phone scanner reads (NOTES "QR codes on 128x64").
      const { x, y, side, plan } = element;
      bitmap.fillRect(x, y, side, side, true);
      const offset = Math.floor((side - plan.modules * plan.moduleSize) / 2);
      for (let row = 0; row < plan.modules; row++) {
        for (let col = 0; col < plan.modules; col++) {
          if (!plan.isDark(row, col)) continue;
          bitmap.fillRect(x + offset + col * plan.moduleSize, y + offset + row * plan.moduleSize, plan.moduleSize, plan.moduleSize, false);
        }
      }
      return;
    }
  }
}

/** Draws `elements`, in order, on an unlit `width` x `height` bitmap. */
export function paint(elements: readonly Element[], width: number, height: number): Bitmap {
  const bitmap = new Bitmap(width, height);
  for (const element of elements) paintElement(bitmap, element);
  return bitmap;
}
