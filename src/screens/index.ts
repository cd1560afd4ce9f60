export { Bitmap } from './bitmap.js';
export type { Element, Rect, TextRole } from './elements.js';
export { boundsOf } from './elements.js';
export type { PanelSize, Screen, ScreenKind } from './model.js';
export { encodePng } from './png.js';
export type { QrEcc, QrPlan } from './qr.js';
export { layoutScreen, renderScreen, textLines, viewScreen } from './render.js';
export type { ScreenView } from './render.js';
