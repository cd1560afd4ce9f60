import { describe, expect, it } from 'vitest';
import { boundsOf, layoutScreen, renderScreen } from '../../src/screens/index.js';
import type { Element, PanelSize, Rect, Screen, ScreenKind } from '../../src/screens/index.js';
import { paint } from '../../src/screens/paint.js';
import { SAMPLE_SCREENS } from '../fixtures/screens.js';

type CodeScreen = Extract<Screen, { kind: 'code' }>;

const SIZES: readonly PanelSize[] = [
  { width: 128, height: 64 },
  { width: 128, height: 32 },
];

const LONG = 'x'.repeat(300);

/** The samples plus the awkward inputs: long and empty texts, odd times, unusual characters. */
const SCREENS: readonly Screen[] = [
  ...Object.values(SAMPLE_SCREENS),
  { kind: 'paired', who: 'firstname.lastname+device-pairing@subsidiary.example-corporation.com' },
  { kind: 'paired', who: 'Zoë Ångström 😀' },
  { kind: 'paired', who: '' },
  { kind: 'offline', retryInSeconds: 3600 * 5, paired: false },
  { kind: 'offline', retryInSeconds: -1, paired: true },
  { kind: 'error', reason: '' },
  { kind: 'error', reason: LONG },
  { kind: 'error', reason: 'token endpoint said: {"error":"invalid_grant","error_description":"Refresh token reused"}' },
  {
    kind: 'code',
    userCode: 'WDJB-MJHT',
    verificationUri: `https://example.com/${LONG}`,
    verificationUriComplete: `https://example.com/${LONG}?user_code=WDJB-MJHT`,
    secondsLeft: 0,
    totalSeconds: 0,
  },
  { kind: 'code', userCode: 'A'.repeat(200), verificationUri: 'https://github.com/login/device', secondsLeft: 5, totalSeconds: 900 },
  { kind: 'code', userCode: 'WDJB-MJHT', verificationUri: 'https://github.com/login/device', secondsLeft: 9999, totalSeconds: 900 },
];

const ALL_KINDS: Record<ScreenKind, true> = {
  press_to_pair: true,
  connecting: true,
  code: true,
  paired: true,
  offline: true,
  denied: true,
  expired: true,
  unpairing: true,
  error: true,
};

function inside(inner: Rect, outer: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

function overlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function describeElement(element: Element): string {
  return element.kind === 'text' ? `${element.role} ${JSON.stringify(element.text)}` : element.kind;
}

describe('every screen on both panel sizes', () => {
  it('covers every kind of screen', () => {
    expect(new Set(SCREENS.map((s) => s.kind))).toEqual(new Set(Object.keys(ALL_KINDS)));
  });

  for (const size of SIZES) {
    const panel = { x: 0, y: 0, width: size.width, height: size.height };
    describe(`${size.width}x${size.height}`, () => {
      SCREENS.forEach((screen, i) => {
        it(`${i}: ${screen.kind} stays on the panel, and no element overlaps another`, () => {
          const bitmap = renderScreen(screen, size);
          expect([bitmap.width, bitmap.height]).toEqual([size.width, size.height]);
          const elements = layoutScreen(screen, size);
          expect(elements.length).toBeGreaterThan(0);
          elements.forEach((element, j) => {
            const bounds = boundsOf(element);
            expect(inside(bounds, panel), `${describeElement(element)} at ${JSON.stringify(bounds)}`).toBe(true);
            for (const other of elements.slice(j + 1)) {
              expect(overlap(bounds, boundsOf(other)), `${describeElement(element)} overlaps ${describeElement(other)}`).toBe(false);
            }
          });
        });

        it(`${i}: ${screen.kind} draws each element only inside its bounds`, () => {
          for (const element of layoutScreen(screen, size)) {
            const alone = paint([element], size.width, size.height);
            const bounds = boundsOf(element);
            for (let y = 0; y < size.height; y++) {
              for (let x = 0; x < size.width; x++) {
                if (alone.get(x, y) && !inside({ x, y, width: 1, height: 1 }, bounds)) {
                  throw new Error(`${describeElement(element)} lit ${x},${y} outside ${JSON.stringify(bounds)}`);
                }
              }
            }
          }
        });
      });
    });
  }
});

describe('the user code is never cut', () => {
  const CODES = ['WDJB-MJHT', 'ABCD-EFGH-IJKL', '123456789', 'ABCDEFGH', 'ETE39050', 'FJ6ZJ3EPK', '019-450-730', 'BCDF-GHJK-LMNP-QRST', 'XY'];
  const URLS: readonly Pick<CodeScreen, 'verificationUri' | 'verificationUriComplete'>[] = [
    { verificationUri: 'https://github.com/login/device' },
    {
      verificationUri: 'https://umetrics.studio/auth/realms/core/device',
      verificationUriComplete: 'https://umetrics.studio/auth/realms/core/device?user_code=XCMX-RRUL',
    },
    // Too long for any QR on 32 rows: the text layouts without one.
    { verificationUri: 'https://keycloak.iam.example-corp.com/realms/factory-floor/device' },
  ];

  for (const size of SIZES) {
    for (const userCode of CODES) {
      it(`${size.width}x${size.height}: ${userCode}`, () => {
        for (const urls of URLS) {
          const screen: CodeScreen = { kind: 'code', userCode, ...urls, secondsLeft: 300, totalSeconds: 600 };
          const lines = layoutScreen(screen, size).flatMap((e) => (e.kind === 'text' && e.role === 'code' ? [e] : []));
          expect(lines.map((line) => line.text).join('')).toBe(userCode);
          expect(new Set(lines.map((line) => line.scale)).size).toBe(1);
        }
      });
    }

    it(`${size.width}x${size.height}: shows a code of the common XXXX-XXXX form at scale 2, for arm's length`, () => {
      for (const urls of URLS.slice(0, 2)) {
        const screen: CodeScreen = { kind: 'code', userCode: 'WDJB-MJHT', ...urls, secondsLeft: 300, totalSeconds: 600 };
        const scales = layoutScreen(screen, size).flatMap((e) => (e.kind === 'text' && e.role === 'code' ? [e.scale] : []));
        expect(scales.every((scale) => scale === 2)).toBe(true);
      }
    });
  }
});

describe('only the countdown changes from one second to the next', () => {
  const TICKS = [
    [900, 899],
    [600, 599], // 10:00 → 9:59, the clock loses a digit
    [61, 60],
    [1, 0],
  ] as const;

  function changedPixels(a: ReturnType<typeof renderScreen>, b: ReturnType<typeof renderScreen>): [number, number][] {
    const changed: [number, number][] = [];
    for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) if (a.get(x, y) !== b.get(x, y)) changed.push([x, y]);
    return changed;
  }

  const codeScreens = Object.entries(SAMPLE_SCREENS).filter((entry): entry is [string, CodeScreen] => entry[1].kind === 'code');

  for (const size of SIZES) {
    for (const [name, screen] of codeScreens) {
      it(`${size.width}x${size.height} ${name}: pixels change only inside the countdown`, () => {
        for (const [before, after] of TICKS) {
          const first = { ...screen, secondsLeft: before, totalSeconds: 900 };
          const second = { ...screen, secondsLeft: after, totalSeconds: 900 };
          const countdown = layoutScreen(first, size)
            .filter((e) => e.kind === 'bar' || (e.kind === 'text' && e.role === 'countdown'))
            .map(boundsOf);
          expect(countdown.length).toBeGreaterThan(0);
          const stable = (s: CodeScreen): string =>
            JSON.stringify(
              layoutScreen(s, size)
                .filter((e) => !(e.kind === 'bar' || (e.kind === 'text' && e.role === 'countdown')))
                .map((e) => ({ ...boundsOf(e), text: e.kind === 'text' ? e.text : e.kind })),
            );
          expect(stable(second)).toBe(stable(first));
          expect(layoutScreen(second, size).filter((e) => e.kind === 'bar' || (e.kind === 'text' && e.role === 'countdown')).map(boundsOf)).toEqual(countdown);
          for (const [x, y] of changedPixels(renderScreen(first, size), renderScreen(second, size))) {
            expect(countdown.some((r) => inside({ x, y, width: 1, height: 1 }, r)), `pixel ${x},${y}`).toBe(true);
          }
        }
      });
    }

    it(`${size.width}x${size.height} offline: only the retry line changes`, () => {
      const a = renderScreen({ kind: 'offline', retryInSeconds: 600, paired: true }, size);
      const b = renderScreen({ kind: 'offline', retryInSeconds: 599, paired: true }, size);
      const hint = layoutScreen({ kind: 'offline', retryInSeconds: 600, paired: true }, size).find(
        (e) => e.kind === 'text' && e.role === 'hint',
      );
      if (hint === undefined) throw new Error('no hint');
      const changed = changedPixels(a, b);
      expect(changed.length).toBeGreaterThan(0);
      for (const [x, y] of changed) expect(inside({ x, y, width: 1, height: 1 }, boundsOf(hint))).toBe(true);
    });
  }
});

describe('text screens', () => {
  it('shows who the device is paired with', () => {
    const text = layoutScreen({ kind: 'paired', who: 'alice@example.com' }, { width: 128, height: 32 }).flatMap((e) =>
      e.kind === 'text' ? [e.text] : [],
    );
    expect(text).toEqual(['Paired', 'Signed in as', 'alice@example.com']);
  });

  it('tells kiosks without a button that pairing starts by itself', () => {
    const text = (hasButton: boolean): string =>
      layoutScreen({ kind: 'press_to_pair', hasButton }, { width: 128, height: 64 })
        .flatMap((e) => (e.kind === 'text' ? [e.text] : []))
        .join(' ');
    expect(text(true)).toContain('Press the button');
    expect(text(false)).toContain('automatically');
    expect(text(false)).not.toContain('Press');
  });

  it('offers a retry on the denied and expired screens', () => {
    for (const kind of ['denied', 'expired'] as const) {
      const hints = layoutScreen({ kind }, { width: 128, height: 32 }).flatMap((e) => (e.kind === 'text' && e.role === 'hint' ? [e.text] : []));
      expect(hints).toEqual(['Press to retry']);
    }
  });

  it('shows the reason of an error, cut with an ellipsis when too long', () => {
    const body = layoutScreen({ kind: 'error', reason: LONG }, { width: 128, height: 32 }).flatMap((e) =>
      e.kind === 'text' && e.role === 'body' ? [e.text] : [],
    );
    expect(body).toHaveLength(2);
    expect(body[1]?.endsWith('\u2026')).toBe(true);
  });
});
