/**
 * The tree's rules, held by reading the source (issue #14): imports follow the layers (`hal/` knows nothing
 * of `src/`, neither imports the dev-only `dev/`), and the code stands on its own, citing RFCs, datasheets,
 * issues and files in this repository, never a path outside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

  it('cites no path outside the repository in src, hal, dev, test, examples, deploy, docs or scripts', () => {
    const files = ['src', 'hal', 'dev', 'test', 'examples', 'deploy', 'docs', 'scripts'].flatMap((dir) => filesUnder(dir, ['.ts', '.mjs', '.sh', '.md', '.yml', '.service']));
    expect(files.length).toBeGreaterThan(50);
    const cites = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8').split('\n').flatMap((line, i) => (OUTSIDE.test(line) && file !== 'test/layers.test.ts' ? [`${file}:${i + 1}`] : [])),
    );
    expect(cites).toEqual([]);
  });
});

/** The module specifiers a TypeScript file imports or re-exports, static or dynamic (`import('…')`). */
function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1] ?? '');
  return specifiers;
}

/** Imports in the files under `from` that resolve into `into`, as `file → specifier`. */
function importsInto(from: string, into: string): string[] {
  return filesUnder(from, ['.ts']).flatMap((file) =>
    importsOf(readFileSync(join(ROOT, file), 'utf8'))
      .filter((spec) => spec.startsWith('.') && relative(join(ROOT, into), resolve(ROOT, dirname(file), spec)).split('/')[0] !== '..')
      .map((spec) => `${file} → ${spec}`),
  );
}

describe('imports follow the layers', () => {
  it('finds static, type-only, re-exported and dynamic imports', () => {
    const source = [
      "import { a } from '../src/a.js';",
      "import type {\n  B,\n} from '../../src/b.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const d = await import('./d.js');",
    ].join('\n');
    expect(importsOf(source)).toEqual(['../src/a.js', '../../src/b.js', './c.js', './side-effect.js', './d.js']);
  });

  it('no file under hal/ imports from src/', () => {
    expect(filesUnder('hal', ['.ts']).length).toBeGreaterThan(20);
    expect(importsInto('hal', 'src')).toEqual([]);
  });

  it("nothing in src/ imports the simulated HAL's classes: the daemon asks the HAL for its simulation capability", () => {
    expect(importsInto('src', 'hal/sim')).toEqual([]);
  });

  it('no file under src/ or hal/ imports from dev/, which is never shipped (issue #14 item 2)', () => {
    expect(filesUnder('dev', ['.ts']).length).toBeGreaterThan(10);
    expect([...importsInto('src', 'dev'), ...importsInto('hal', 'dev')]).toEqual([]);
  });

  it('nothing in src/ outside the CLI imports the CLI, which sits on top (the IdP client is given its version)', () => {
    expect(importsInto('src', 'src/cli').filter((line) => !line.startsWith('src/cli/'))).toEqual([]);
  });
  // src/'s own floors, top to bottom; a folder imports only folders below it. The ports the lower
  // floors need (oauth's DiscoveryCache, the agent's StateStore, the Logger) are declared low and
  // implemented high (issue #14 item 1).
  const FLOORS = [['cli'], ['daemon'], ['agent'], ['store'], ['pairing'], ['oauth', 'config'], ['screens', 'errors.ts'], ['net', 'text', 'log-events.ts', 'version.ts']];
  it.each(FLOORS.flatMap((floor, i) => floor.map((room) => [room, FLOORS.slice(0, i + 1).flat().filter((r) => r !== room)] as const)))(
    'src/%s imports nothing from the floors above it or beside it: %j',
    (room, above) => {
      const from = room.endsWith('.ts') ? undefined : `src/${room}`;
      const lines = from === undefined ? importsOfFile(`src/${room}`) : above.flatMap((r) => importsInto(from, `src/${r}`));
      const upward = from === undefined ? lines.filter((spec) => above.some((r) => spec === `./${r.replace(/\.ts$/, '.js')}` || spec.startsWith(`./${r}/`))) : lines;
      expect(upward).toEqual([]);
    },
  );
});

/** The relative specifiers one file imports. */
function importsOfFile(file: string): string[] {
  return importsOf(readFileSync(join(ROOT, file), 'utf8')).filter((spec) => spec.startsWith('.'));
}
