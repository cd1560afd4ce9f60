/**
 * Builds `pairing-agent/testing` (issue #17) as a bundle of its own: dist/testing/index.js, its chunks and
 * its .d.ts files (issue #14 item 2).
 *
 * Why a bundle: its source lives in dev/testing/ and starts the embedded provider from dev/idp/, code that
 * is never shipped as files (the device has no use for it, and what it imports is a devDependency here).
 * The bundle carries just what the testing API needs; npm packages (oidc-provider, an optional peer, and
 * jsqr, got, …) stay external, so oidc-provider is loaded only when `startTestProvider` is called and the
 * QR reader only when `code()` is: splitting keeps each dynamic import a chunk of its own instead of
 * hoisting its imports to the top. dev/idp/quiet.ts (it patches `console`) is not in it: our demo and
 * test runners call it themselves, a user's console is left alone. `npm pack` ships dist/testing; the
 * installer copies none of it to the device (deploy/install.sh).
 *
 * The .d.ts files: declarations of dev/testing/*.ts, file by file (isolated declarations), with their
 * imports of src/ pointed at dist/src's own .d.ts files, which the package ships. Anything else they
 * import fails the build.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';

const SOURCE = 'dev/testing';
const OUT = 'dist/testing';

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: [`${SOURCE}/index.ts`],
  outdir: OUT,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Class and function names stay: errors name them.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

/** `spec`, imported by a declaration of `SOURCE`, as seen from the same declaration in `OUT`. */
function shippedSpecifier(spec, file) {
  if (!spec.startsWith('.')) return spec;
  const target = resolve(dirname(file), spec);
  const inside = (dir) => !relative(resolve(dir), target).startsWith('..');
  if (inside(SOURCE)) return spec;
  for (const dir of ['src', 'hal']) {
    if (!inside(dir)) continue;
    const shipped = join('dist', relative('.', target));
    if (!existsSync(shipped.replace(/\.js$/, '.d.ts'))) throw new Error(`${file}: ${spec}: ${shipped.replace(/\.js$/, '.d.ts')} is missing (run tsc -p tsconfig.build.json first)`);
    const rel = relative(OUT, shipped);
    return rel.startsWith('.') ? rel : `./${rel}`;
  }
  throw new Error(`${file}: the declarations import ${spec}, which the package does not ship (only src/ and hal/ are)`);
}

const options = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }).options;
mkdirSync(OUT, { recursive: true });
for (const name of readdirSync(SOURCE).filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))) {
  const file = join(SOURCE, name);
  const { outputText, diagnostics = [] } = ts.transpileDeclaration(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: resolve(file), reportDiagnostics: true });
  if (diagnostics.length > 0) throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
  const text = outputText.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])([^'"]+)\2/g, (_, lead, quote, spec) => `${lead}${quote}${shippedSpecifier(spec, file)}${quote}`);
  writeFileSync(join(OUT, name.replace(/\.ts$/, '.d.ts')), text);
}
