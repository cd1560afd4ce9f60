/**
 * The tree's rules, held by reading the source (issue #14): the code stands on its own, citing RFCs,
 * datasheets, issues and files in this repository, never a path outside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every file under `dir` (relative to the repository) whose name ends in one of `exts`. */
function filesUnder(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (exts.some((ext) => entry.name.endsWith(ext))) out.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

describe('source that stands on its own', () => {
  // The project's shared notes and seeds sit beside the repository on the machines it was written on; a
  // clone has neither. Their facts live in docs/ (issue #14 item 7).
  const OUTSIDE = /\/work\/shared|\.\.\/shared|\/work\/wt\//;

  it('cites no path outside the repository in src, hal, test, examples, deploy or docs', () => {
    const files = ['src', 'hal', 'test', 'examples', 'deploy', 'docs'].flatMap((dir) => filesUnder(dir, ['.ts', '.mjs', '.sh', '.md', '.yml', '.service']));
    expect(files.length).toBeGreaterThan(50);
    const cites = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8').split('\n').flatMap((line, i) => (OUTSIDE.test(line) && file !== 'test/layers.test.ts' ? [`${file}:${i + 1}`] : [])),
    );
    expect(cites).toEqual([]);
  });
});
