import { decodePng } from './png-read.js';

/**
 * The text of the QR code on a screenshot of the simulated panel (`GET /screen.png`), read dark on light
 * as a phone reads it; undefined when the panel shows none (issue #17: `sim qr`, the testing API's
 * `code()`). The scanner is imported here, on first use, so only its callers ever load it.
 */
export async function readPanelQr(png: Uint8Array): Promise<string | undefined> {
  const bitmap = decodePng(png); // RangeError for anything but the panel's own screenshot format
  const { scanPanel } = await import('./qr-scan.js');
  return scanPanel(bitmap);
}
