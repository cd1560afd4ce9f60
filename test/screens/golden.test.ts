import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, renderScreen } from '../../src/screens/index.js';
import type { Bitmap, PanelSize } from '../../src/screens/index.js';
import { SAMPLE_SCREENS } from '../fixtures/screens.js';

const { PNG } = pngjs;

/**
 * Golden images: what each sample screen looks like, reviewed by eye and committed. A layout or font change
 * shows up here first; when it is intended, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/screens/golden`
 * and look at the new PNGs before committing them.
 */
const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const SIZES: readonly PanelSize[] = [
  { width: 128, height: 64 },
  { width: 128, height: 32 },
];

/** Pixels where the golden image (decoded independently of our encoder) and the bitmap disagree. */
function differences(bitmap: Bitmap, file: string): string[] {
  const golden = PNG.sync.read(readFileSync(file));
  if (golden.width !== bitmap.width || golden.height !== bitmap.height) {
    return [`size ${golden.width}x${golden.height}, rendered ${bitmap.width}x${bitmap.height}`];
  }
  const diff: string[] = [];
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      const goldenLit = (golden.data[(y * golden.width + x) * 4] ?? 0) >= 128;
      if (goldenLit !== bitmap.get(x, y)) diff.push(`${x},${y} ${goldenLit ? 'lit' : 'dark'} in golden`);
    }
  }
  return diff;
}

describe('golden images', () => {
  if (UPDATE) mkdirSync(GOLDEN_DIR, { recursive: true });

  for (const size of SIZES) {
    for (const [name, screen] of Object.entries(SAMPLE_SCREENS)) {
      const file = `${GOLDEN_DIR}${name}-${size.width}x${size.height}.png`;
      it(`${name} on ${size.width}x${size.height} matches test/golden/${name}-${size.width}x${size.height}.png`, () => {
        const bitmap = renderScreen(screen, size);
        if (UPDATE) writeFileSync(file, encodePng(bitmap));
        expect(differences(bitmap, file).slice(0, 10)).toEqual([]);
      });
    }
  }
});
