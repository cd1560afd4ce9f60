/**
 * Bundles the `pairing-agent` command into one CommonJS file, dist/pairing-agent.cjs (issue #18).
 *
 * Why: on a Pi Zero's budget the command's start-up was mostly Node's ESM loader (which itself loads
 * fs/promises and readline) and a file read, resolve and compile per module: `status --json` took
 * 1.7x bare node. One CommonJS file skips the ESM loader altogether; minified, it compiles faster.
 * Modules only `run` needs stay wrapped until first called (esbuild turns our dynamic imports into
 * lazy initialisers), so `status` and `token` pay little for them. npm packages (got, conf, jose,
 * qrcode, the native addons) stay outside, loaded from node_modules as before, on first use.
 *
 * tsc still builds dist/src and dist/hal (the tests import them); the bundle is built from the same
 * sources and is what the installer, the unit file, package.json "bin" and the CLI tests run.
 */
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/pairing-agent.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  minify: true,
  // Class and function names stay: errors and logs name them.
  keepNames: true,
  // `node --enable-source-maps dist/pairing-agent.cjs ...` maps a stack back to src/.
  sourcemap: 'linked',
  // import.meta does not exist in CommonJS: the bundle's own URL stands in (createRequire, package.json).
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
// The bin runs by its shebang too (issue #15).
chmodSync('dist/pairing-agent.cjs', 0o755);
