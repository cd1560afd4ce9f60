/**
 * Builds dev/ (the embedded provider, the demo, soak support: code that is never shipped, issue #14 item 2)
 * into dist/dev/, for `npm start` and the tests that run it as built JavaScript (the demo's, one child
 * process that imports dev/agent/memory-store). Not part of `npm run build`: npm pack and the installer
 * ship none of it.
 *
 * File by file, with imports left as written: dist/dev/demo/start.js imports ../../src/…, which is
 * dist/src/…, built by `npm run build`. `npm run typecheck` type-checks dev/ with everything else; this
 * only strips the types (about 0.2 s), so vitest runs it as a global setup before every run and a test
 * never runs a stale demo.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** dev/testing is the source of `pairing-agent/testing`, built as a bundle by scripts/bundle-testing.mjs. */
const BUNDLED = join(ROOT, 'dev', 'testing');

/** Every .ts file under dir, declaration files and dev/testing left out. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.startsWith(`${BUNDLED}/`));
}

export default async function buildDev() {
  await build({
    entryPoints: sources(join(ROOT, 'dev')),
    outbase: join(ROOT, 'dev'),
    outdir: join(ROOT, 'dist/dev'),
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await buildDev();
