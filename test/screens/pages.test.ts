/**
 * The code screen's pages (issue #16): when the URL does not fit beside the QR, a text page with the code and
 * the whole verification_uri follows the QR page, on both panel sizes, with the countdown on every page.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { screenFor } from '../../src/agent/view.js';
import type { State } from '../../src/pairing/state.js';
import { Bitmap, boundsOf, renderScreen, textLines, viewScreen } from '../../src/screens/index.js';
import type { Element, PanelSize, Screen } from '../../src/screens/index.js';
import { CODE_PAGE_SECONDS, shortUrl } from '../../src/screens/layout-code.js';
import { drawText } from '../../src/screens/text.js';
import { scanPanel } from '../fixtures/scan.js';
import { SAMPLE_SCREENS } from '../fixtures/screens.js';
import { VERIFICATION_URLS } from '../fixtures/verification-urls.js';

const { PNG } = pngjs;
type CodeScreen = Extract<Screen, { kind: 'code' }>;

const SIZES: readonly PanelSize[] = [
  { width: 128, height: 64 },
  { width: 128, height: 32 },
];

/** Every page of `screen` in the order shown: one page cycle. */
function cycle(screen: CodeScreen, size: PanelSize) {
  const { pages } = viewScreen(screen, size);
  return Array.from({ length: pages }, (_, page) => ({ page, view: viewScreen({ ...screen, page }, size), bitmap: renderScreen({ ...screen, page }, size) }));
}

const texts = (elements: readonly Element[], role: string) => elements.flatMap((e) => (e.kind === 'text' && e.role === role ? [e.text] : []));

describe('the 18-URL corpus: within one page cycle the whole verification_uri and the user_code appear', () => {
  for (const size of SIZES) {
    describe(`${size.width}x${size.height}`, () => {
      for (const urls of VERIFICATION_URLS) {
        const screen: CodeScreen = { kind: 'code', ...urls, secondsLeft: 600, totalSeconds: 900 };
        it(urls.provider, () => {
          const pages = cycle(screen, size);
          // The URL as the pages show it, in order: split pages continue one another.
          const urlText = pages.map(({ view }) => texts(view.elements, 'url').join('')).join('');
          expect(urlText).toBe(shortUrl(urls.verificationUri));
          for (const { page, view, bitmap } of pages) {
            // Every page: the whole code and the countdown.
            expect(texts(view.elements, 'code').join(''), `page ${page}`).toBe(urls.userCode);
            expect(texts(view.elements, 'countdown').map((t) => t.trim()), `page ${page}`).toEqual(['10:00']);
            // A QR on any page still scans to the exact URL it holds.
            const qr = view.elements.find((e) => e.kind === 'qr');
            if (qr !== undefined) expect(scanPanel(bitmap)).toBe(qr.plan.text);
            // A URL beside the QR is whole or absent, never cut.
            expect(texts(view.elements, 'url').join('')).not.toContain('\u2026');
          }
          // The QR comes first when there is one.
          expect(pages.slice(1).some(({ view }) => view.elements.some((e) => e.kind === 'qr'))).toBe(false);
        });
      }
    });
  }

  it('shows the short verification_uri as text while the QR holds the complete one', () => {
    const keycloak = VERIFICATION_URLS.find((u) => u.provider === 'Keycloak (seed 001)');
    if (keycloak?.verificationUriComplete === undefined) throw new Error('fixture');
    const [qrPage, textPage] = cycle({ kind: 'code', ...keycloak, secondsLeft: 600, totalSeconds: 900 }, { width: 128, height: 64 });
    expect(scanPanel(qrPage?.bitmap as Bitmap)).toBe(keycloak.verificationUriComplete);
    expect(texts(textPage?.view.elements ?? [], 'url').join('')).toBe('umetrics.studio/auth/realms/core/device');
  });

  it('splits a URL longer than one text page over several, each with the code and the countdown', () => {
    const long = `https://example.com/${'segment/'.repeat(20)}device`;
    const pages = cycle({ kind: 'code', userCode: 'WDJB-MJHT', verificationUri: long, secondsLeft: 61, totalSeconds: 900 }, { width: 128, height: 32 });
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.map(({ view }) => texts(view.elements, 'url').join('')).join('')).toBe(shortUrl(long));
    for (const { view } of pages) expect(textLines(view.elements).slice(0, 2)).toEqual(['WDJB-MJHT', '1:01']);
  });
});

describe('pages turn every CODE_PAGE_SECONDS, from the QR page, as the code ages', () => {
  const issuedAt = 1_700_000_000_000;
  const state: State = {
    name: 'awaiting_user',
    code: {
      deviceCode: 'dc',
      userCode: 'XCMX-RRUL',
      verificationUri: 'https://umetrics.studio/auth/realms/core/device',
      verificationUriComplete: 'https://umetrics.studio/auth/realms/core/device?user_code=XCMX-RRUL',
      expiresAt: issuedAt + 600_000,
      expiresIn: 600,
      interval: 5,
    },
    nextPollAt: issuedAt + 5000,
    failures: 0,
    deadlineTrusted: true,
    restarts: 0,
  };
  it.each([
    [0, 0],
    [CODE_PAGE_SECONDS - 1, 0],
    [CODE_PAGE_SECONDS, 1],
    [2 * CODE_PAGE_SECONDS - 1, 1],
    [2 * CODE_PAGE_SECONDS, 0],
  ])('%i s after the code was issued: page %i', (seconds, page) => {
    const screen = screenFor(state, issuedAt + seconds * 1000, true);
    expect(viewScreen(screen, { width: 128, height: 64 }).page).toBe(page);
  });
});

describe('the text pages agree with the golden images', () => {
  const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));
  for (const size of SIZES) {
    for (const [name, screen] of Object.entries(SAMPLE_SCREENS)) {
      it(`${name}-${size.width}x${size.height}: each line of text is drawn in the golden image where the layout puts it`, () => {
        const golden = PNG.sync.read(readFileSync(`${GOLDEN_DIR}${name}-${size.width}x${size.height}.png`));
        const lit = (x: number, y: number) => (golden.data[(y * golden.width + x) * 4] ?? 0) >= 128;
        const { elements } = viewScreen(screen, size);
        const lines = textLines(elements);
        expect(lines.length).toBeGreaterThan(0);
        for (const element of elements) {
          if (element.kind !== 'text') continue;
          expect(lines).toContain(element.text.trim());
          // The line drawn alone must match the golden image pixel for pixel inside its own box.
          const alone = new Bitmap(size.width, size.height);
          drawText(alone, element.text, element.x, element.y, element.scale);
          const box = boundsOf(element);
          for (let y = box.y; y < Math.min(size.height, box.y + box.height); y++) {
            for (let x = box.x; x < Math.min(size.width, box.x + box.width); x++) {
              expect(lit(x, y), `${JSON.stringify(element.text)} at ${x},${y}`).toBe(alone.get(x, y));
            }
          }
        }
      });
    }
  }
});
