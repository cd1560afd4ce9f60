/**
 * The verification URL's QR code drawn in a terminal so a phone can scan it (issue #15): half blocks,
 * one column and half a row per module (square modules in a 1:2 character cell), dark modules on a
 * light background whatever the terminal's colours, with a quiet zone. Phones read QR codes from solid
 * half blocks, not from braille dots, and dark-on-light only (light-on-dark is not safe for every scanner).
 */
import { planQr } from '../../src/screens/qr.js';

/** Light modules around the symbol. The spec asks for 4 (ISO/IEC 18004 §6.3.8); scanners read 2 reliably. */
export const QUIET_ZONE_MODULES = 2;

/** Black on bright white, then back to the terminal's colours (ECMA-48 SGR). */
const DARK_ON_LIGHT = '\x1b[30;107m';
const RESET = '\x1b[0m';

// Indexed by (top dark ? 1 : 0) | (bottom dark ? 2 : 0): the drawn (foreground) part is dark.
const HALF_BLOCKS = [' ', '▀', '▄', '█'] as const;

export interface QrText {
  /** What the code says: the first of the URIs that fits. */
  text: string;
  /** The drawn lines, all `width` columns wide (colour sequences aside). */
  lines: string[];
  width: number;
}

/**
 * Draws the first of `uris` whose QR code fits `maxCols` x `maxRows` characters with its quiet zone
 * (RFC 8628 §3.3.1: the complete URI when it fits, else the plain one). With `color`, each line is
 * wrapped in dark-on-light colour codes; without (a pipe, a log), blocks are the dark modules.
 */
export function qrText(uris: readonly (string | undefined)[], maxCols: number, maxRows: number, color: boolean): QrText | undefined {
  const side = Math.min(maxCols, maxRows * 2);
  for (const uri of uris) {
    if (uri === undefined) continue;
    const plan = planQr(uri, side - 2 * (QUIET_ZONE_MODULES - 1));
    if (plan === undefined) continue;
    const width = plan.modules + 2 * QUIET_ZONE_MODULES;
    const dark = (row: number, col: number) => plan.isDark(row - QUIET_ZONE_MODULES, col - QUIET_ZONE_MODULES);
    const lines: string[] = [];
    for (let y = 0; y < width; y += 2) {
      let line = '';
      for (let x = 0; x < width; x++) line += HALF_BLOCKS[(dark(y, x) ? 1 : 0) | (dark(y + 1, x) ? 2 : 0)];
      lines.push(color ? DARK_ON_LIGHT + line + RESET : line);
    }
    return { text: uri, lines, width };
  }
  return undefined;
}
