import { createRequire } from 'node:module';
import type { QRCode, QRCodeOptions } from 'qrcode';

type CreateQrCode = (text: string, options: QRCodeOptions) => QRCode;
let qrcodeCreate: CreateQrCode | undefined;

/**
 * qrcode is loaded on the first code screen, not at start-up (issue #9: the daemon's first frame and
 * `status` must not pay for it). It is CommonJS, so a synchronous `require` keeps rendering synchronous.
 */
function createQrCode(text: string, options: QRCodeOptions): QRCode {
  return loadQrEncoder()(text, options);
}

/**
 * Loads qrcode now. The daemon calls this after its first frame while no pairing exists, so the first
 * button press does not pay for it: on a Pi's CPU budget that load is about 0.3 s (issue #18).
 */
export function loadQrEncoder(): CreateQrCode {
  qrcodeCreate ??= (requireQrcode() as { create: CreateQrCode }).create;
  return qrcodeCreate;
}

/**
 * In the command's CommonJS bundle `require` exists, and the build points this very call at the encoder
 * bundled into one file (dist/vendor/qrcode.cjs, issue #18: qrcode is some 60 files, among them pngjs,
 * whose resolving alone starts V8's optimizing compiler). The tsc build is an ES module: no `require`.
 */
function requireQrcode(): unknown {
  return typeof require === 'function' ? require('qrcode') : createRequire(import.meta.url)('qrcode');
}

/** QR error correction levels, from the most redundant to the least. */
export type QrEcc = 'H' | 'Q' | 'M' | 'L';

/**
 * Error correction levels in order of preference. At a given module size the most redundant level that still
 * fits wins: an OLED's glow and a phone held at an angle both smear modules, and a level up costs nothing
 * when the space would stay empty anyway.
 */
export const ECC_PREFERENCE: readonly QrEcc[] = ['H', 'Q', 'M', 'L'];

/**
 * Lit modules kept around the symbol on every side. The spec asks for 4 (ISO/IEC 18004 §6.3.8); phone
 * scanners read 1–2 in practice (NOTES "QR codes on 128x64"), and 4 would rule out 2 px modules on 64 rows
 * (29 + 8 = 37 modules, 74 px). With 1 module, version 3 still fits at 2 px on 64 rows (58 + 4 ≤ 64 px) and at
 * 1 px on 32 rows (29 + 2 ≤ 32 px). Whatever space is left over widens the quiet zone.
 */
export const MIN_QUIET_ZONE_MODULES = 1;

/** Modules per side of the smallest QR symbol (version 1): no module size can go above side / this. */
const VERSION_1_MODULES = 21;

/** A QR symbol chosen for a square of a given side, ready to draw. */
export interface QrPlan {
  /** The exact text encoded: what a scanner returns. */
  readonly text: string;
  readonly ecc: QrEcc;
  /** QR version 1–40; the symbol is 17 + 4 × version modules wide. */
  readonly version: number;
  /** Modules per side, quiet zone excluded. */
  readonly modules: number;
  /** Pixels per module, the same across and down (whole pixels only: half pixels would blur edges). */
  readonly moduleSize: number;
  /** Lit pixels between the symbol and the nearest edge of its square (the smaller side if uneven). */
  readonly quietZone: number;
  /** True where the module at (row, col) is dark. */
  isDark(row: number, col: number): boolean;
}

function encode(text: string, ecc: QrEcc): QRCode | undefined {
  try {
    return createQrCode(text, { errorCorrectionLevel: ecc });
  } catch {
    // qrcode throws when the text exceeds version 40 at this level: that's simply "doesn't fit".
    return undefined;
  }
}

function toPlan(text: string, ecc: QrEcc, code: QRCode, side: number, moduleSize: number): QrPlan {
  const modules = code.modules.size;
  // Copied so a plan stays valid (and comparable) whatever happens to the library's matrix.
  const dark = Uint8Array.from(code.modules.data);
  return {
    text,
    ecc,
    version: code.version,
    modules,
    moduleSize,
    quietZone: Math.floor((side - modules * moduleSize) / 2),
    isDark: (row, col) => row >= 0 && col >= 0 && row < modules && col < modules && dark[row * modules + col] === 1,
  };
}

/**
 * Recent answers of {@link planQr}, oldest first. The code screen is redrawn every second for its countdown
 * with the same URLs, and encoding QR symbols (up to one per level, each scoring 8 masks) is the costliest
 * step of a frame on a Pi Zero. Two entries per screen (the complete URI that didn't fit, then the plain one)
 * times two panel sizes; the answers depend on the arguments only, so planQr stays a pure function.
 */
const recentPlans = new Map<string, QrPlan | undefined>();
const RECENT_PLANS = 4;

/**
 * Picks the QR symbol for `text` in a square `side` pixels wide: the largest whole-pixel module size at which
 * some error correction level fits with {@link MIN_QUIET_ZONE_MODULES} around it, then the most redundant
 * level at that size. Undefined when even 1 px modules at level L don't fit.
 *
 * qrcode segments the text itself (byte, alphanumeric and numeric runs), so a URL whose tail is an upper-case
 * user code packs tighter than its length in bytes suggests.
 */
export function planQr(text: string, side: number): QrPlan | undefined {
  const key = `${side}\n${text}`;
  if (recentPlans.has(key)) return recentPlans.get(key);

  const codes = new Map<QrEcc, QRCode | undefined>();
  const codeAt = (ecc: QrEcc): QRCode | undefined => {
    if (!codes.has(ecc)) codes.set(ecc, encode(text, ecc));
    return codes.get(ecc);
  };

  let plan: QrPlan | undefined;
  const largestModule = Math.floor(side / (VERSION_1_MODULES + 2 * MIN_QUIET_ZONE_MODULES));
  search: for (let moduleSize = largestModule; moduleSize >= 1; moduleSize--) {
    const maxModules = Math.floor(side / moduleSize) - 2 * MIN_QUIET_ZONE_MODULES;
    for (const ecc of ECC_PREFERENCE) {
      const code = codeAt(ecc);
      if (code !== undefined && code.modules.size <= maxModules) {
        plan = toPlan(text, ecc, code, side, moduleSize);
        break search;
      }
    }
  }
  recentPlans.set(key, plan);
  for (const oldest of recentPlans.keys()) {
    if (recentPlans.size <= RECENT_PLANS) break;
    recentPlans.delete(oldest);
  }
  return plan;
}
