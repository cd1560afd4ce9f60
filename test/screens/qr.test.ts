import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { Bitmap, layoutScreen, renderScreen, viewScreen } from '../../src/screens/index.js';
import type { PanelSize, Screen } from '../../src/screens/index.js';
import { chooseCodeQr, shortUrl } from '../../src/screens/layout-code.js';
import { ECC_PREFERENCE, MIN_QUIET_ZONE_MODULES, planQr } from '../../src/screens/qr.js';
import type { QrEcc } from '../../src/screens/qr.js';
import { scanPanel } from '../fixtures/scan.js';
import { VERIFICATION_URLS } from '../fixtures/verification-urls.js';
import type { VerificationUrls } from '../fixtures/verification-urls.js';

type CodeScreen = Extract<Screen, { kind: 'code' }>;

const SIZES: readonly PanelSize[] = [
  { width: 128, height: 64 },
  { width: 128, height: 32 },
];

function codeScreen(urls: VerificationUrls): CodeScreen {
  return {
    kind: 'code',
    userCode: urls.userCode,
    verificationUri: urls.verificationUri,
    verificationUriComplete: urls.verificationUriComplete,
    secondsLeft: 600,
    totalSeconds: 900,
  };
}

/** Modules per side of the smallest symbol holding `text` at `ecc`, by the library directly: the oracle. */
function symbolSize(text: string, ecc: QrEcc): number {
  try {
    return QRCode.create(text, { errorCorrectionLevel: ecc }).modules.size;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Whether `text` fits a `side`-px square at `moduleSize` px per module with the minimum quiet zone. */
function fits(text: string, ecc: QrEcc, side: number, moduleSize: number): boolean {
  return (symbolSize(text, ecc) + 2 * MIN_QUIET_ZONE_MODULES) * moduleSize <= side;
}

describe('every code screen scans back to the exact URL', () => {
  it('draws on URLs from 20 to 90 characters', () => {
    const lengths = VERIFICATION_URLS.flatMap((u) => [u.verificationUri, u.verificationUriComplete ?? u.verificationUri]).map(
      (u) => u.length,
    );
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(90);
    expect(Math.max(...lengths)).toBeGreaterThan(80);
  });

  describe('128x64: verification_uri_complete, or verification_uri when there is none', () => {
    for (const urls of VERIFICATION_URLS) {
      it(urls.provider, () => {
        const screen = codeScreen(urls);
        expect(scanPanel(renderScreen(screen, { width: 128, height: 64 }))).toBe(urls.verificationUriComplete ?? urls.verificationUri);
      });
    }
  });

  describe('128x32: the complete URI if a version 3 symbol holds it, else verification_uri', () => {
    for (const urls of VERIFICATION_URLS) {
      it(urls.provider, () => {
        const screen = codeScreen(urls);
        const candidates = [urls.verificationUriComplete, urls.verificationUri].filter((u) => u !== undefined);
        const expected = candidates.find((u) => fits(u, 'L', 32, 1));
        const size = { width: 128, height: 32 } as const;
        expect(scanPanel(renderScreen(screen, size))).toBe(expected);
        if (expected === undefined) {
          // Nothing scannable fits 32 rows (a version 4 symbol is 33 modules): the whole URL is on screen as text,
          // on as many pages as it takes (issue #16).
          const { pages } = viewScreen(screen, size);
          const urlText = Array.from({ length: pages }, (_, page) => layoutScreen({ ...screen, page }, size)).flatMap((elements) =>
            elements.flatMap((e) => (e.kind === 'text' && e.role === 'url' ? [e.text] : [])),
          );
          expect(urlText.join('')).toBe(shortUrl(urls.verificationUri));
        }
      });
    }
  });

  it('includes a provider whose verification_uri is too long for any QR on 32 rows', () => {
    expect(VERIFICATION_URLS.some((u) => chooseCodeQr(codeScreen(u), 32) === undefined)).toBe(true);
  });
});

describe('QR size and error correction', () => {
  for (const side of [64, 32]) {
    for (const urls of VERIFICATION_URLS) {
      it(`${side} rows, ${urls.provider}: the largest module, then the most redundant level that keeps it`, () => {
        const plan = chooseCodeQr(codeScreen(urls), side);
        if (plan === undefined) return;
        const larger = plan.moduleSize + 1;
        expect(ECC_PREFERENCE.some((ecc) => fits(plan.text, ecc, side, larger))).toBe(false);
        const moreRedundant = ECC_PREFERENCE.slice(0, ECC_PREFERENCE.indexOf(plan.ecc));
        expect(moreRedundant.some((ecc) => fits(plan.text, ecc, side, plan.moduleSize))).toBe(false);
        expect(plan.quietZone).toBeGreaterThanOrEqual(MIN_QUIET_ZONE_MODULES * plan.moduleSize);
      });
    }
  }

  // The limits the report quotes: bytes of a URL in byte mode (lower case), per panel height.
  it.each([
    [64, 24, 2, 'H'],
    [64, 32, 2, 'Q'],
    [64, 42, 2, 'M'],
    [64, 53, 2, 'L'],
    [64, 54, 1, 'H'],
    [64, 137, 1, 'H'],
    [64, 177, 1, 'Q'],
    [64, 251, 1, 'M'],
    [64, 321, 1, 'L'],
    [32, 24, 1, 'H'],
    [32, 32, 1, 'Q'],
    [32, 42, 1, 'M'],
    [32, 53, 1, 'L'],
  ] as const)('%i rows, %i bytes: %i px modules at level %s', (side, bytes, moduleSize, ecc) => {
    const plan = planQr('h'.repeat(bytes), side);
    expect([plan?.moduleSize, plan?.ecc]).toEqual([moduleSize, ecc]);
  });

  it.each([
    [64, 322],
    [32, 54],
  ])('%i rows hold no symbol for %i bytes', (side, bytes) => {
    expect(planQr('h'.repeat(bytes), side)).toBeUndefined();
  });
});

describe('QR polarity', () => {
  const screen = codeScreen({ provider: 'GitHub', userCode: 'WDJB-MJHT', verificationUri: 'https://github.com/login/device' });

  it('draws dark modules on a lit quiet zone', () => {
    for (const size of SIZES) {
      const bitmap = renderScreen(screen, size);
      const plan = chooseCodeQr(screen, size.height);
      if (plan === undefined) throw new Error('no QR');
      const start = plan.quietZone;
      const end = start + plan.modules * plan.moduleSize;
      const ring = MIN_QUIET_ZONE_MODULES * plan.moduleSize;
      for (let y = start - ring; y < end + ring; y++) {
        for (let x = start - ring; x < end + ring; x++) {
          const inSymbol = x >= start && x < end && y >= start && y < end;
          if (!inSymbol) expect(bitmap.get(x, y), `quiet zone at ${x},${y}`).toBe(true);
        }
      }
      // The finder pattern's outer ring is dark.
      expect(bitmap.get(start, start)).toBe(false);
    }
  });

  it('is what the scanner test relies on: the same code inverted does not scan', () => {
    const bitmap = renderScreen(screen, { width: 128, height: 64 });
    const inverted = new Bitmap(bitmap.width, bitmap.height);
    bitmap.data.forEach((byte, i) => (inverted.data[i] = ~byte & 0xff));
    expect(scanPanel(bitmap)).toBe('https://github.com/login/device');
    expect(scanPanel(inverted)).toBeUndefined();
  });
});
