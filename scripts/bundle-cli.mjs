/**
 * Bundles the `pairing-agent` command into one CommonJS file, dist/pairing-agent.cjs (issue #18).
 *
 * Why: on a Pi Zero's budget the command's start-up was mostly Node's ESM loader (which itself loads
 * fs/promises and readline) and a file read, resolve and compile per module: `status --json` took
 * 1.7x bare node. One CommonJS file skips the ESM loader altogether; minified, it compiles faster.
 * Modules only `run` needs stay wrapped until first called (esbuild turns our dynamic imports into
 * lazy initialisers), so `status` and `token` pay little for them.
 *
 * The pure-JavaScript npm packages (got and its dependencies, jose, qrcode, jsqr) are bundled too: loaded
 * from node_modules, got alone was some 100 ES modules whose loading (the ESM loader, cjs-module-lexer and
 * path resolution hot enough for V8 to start its optimizing compiler) left a paired idle daemon about
 * 9 MB larger than the same code in one file. Their licences go to dist/THIRD-PARTY-NOTICES.txt.
 * The native addons (i2c-bus, onoff with epoll, oled-i2c-bus) and oidc-provider (dev only, optional
 * peer) stay outside, loaded from node_modules on first use.
 *
 * tsc still builds dist/src and dist/hal (the tests import them); the bundle is built from the same
 * sources and is what the installer, the unit file, package.json "bin" and the CLI tests run.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/pairing-agent.cjs';
const NOTICES = 'dist/THIRD-PARTY-NOTICES.txt';
const EXTERNAL = ['i2c-bus', 'onoff', 'epoll', 'oled-i2c-bus', 'oidc-provider'];

/**
 * got imports http2-wrapper at its top level, and with it node:http2 (about 1.7 MB of a process), though
 * it only uses it with `http2: true`, which we never set (src/oauth/http.ts). Within the bundle got gets
 * http2-wrapper through this stand-in, which loads the real one on first use of either export got reads.
 */
const lazyHttp2Wrapper = {
  name: 'lazy-http2-wrapper',
  setup(b) {
    b.onResolve({ filter: /^http2-wrapper$/ }, (args) =>
      args.namespace === 'lazy' ? undefined : { path: 'http2-wrapper', namespace: 'lazy', pluginData: args.resolveDir },
    );
    b.onLoad({ filter: /^http2-wrapper$/, namespace: 'lazy' }, (args) => ({
      resolveDir: args.pluginData,
      contents: `let real;
const load = () => (real ??= require('http2-wrapper'));
export default { get auto() { return load().auto; }, get globalAgent() { return load().globalAgent; } };`,
    }));
  },
};

/**
 * @sindresorhus/is (got's type checks) builds two Intl.ListFormat('en') at load, for the wording of a
 * failed assertion. Building one maps some 4.5 MB of ICU locale data into the process: a third of what a
 * paired idle daemon held above bare node. Here they are built when a message is first worded.
 * The build fails when the source no longer reads as expected, so an upgrade cannot silently undo this.
 */
const lazyListFormat = {
  name: 'lazy-list-format',
  setup(b) {
    b.onLoad({ filter: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, (args) => {
      let found = 0;
      const contents = readFileSync(args.path, 'utf8').replace(
        /const (\w+) = new Intl\.ListFormat\(([^;]*)\);/g,
        (_, name, options) => {
          found++;
          return `let ${name}Instance; const ${name} = { format: (list) => (${name}Instance ??= new Intl.ListFormat(${options})).format(list) };`;
        },
      );
      if (found !== 2) throw new Error(`${args.path}: expected 2 Intl.ListFormat at load, found ${found}: update scripts/bundle-cli.mjs`);
      return { contents, loader: 'js' };
    });
  },
};

/** The npm packages bundled each into one file of dist/vendor/, with what adapts them. */
const VENDOR = {
  got: { entry: `export * from 'got';`, plugins: [lazyHttp2Wrapper, lazyListFormat] },
  jose: { entry: `export * from 'jose';`, plugins: [] },
  // The encoder alone (what src/screens/qr.ts uses): the package's main also loads its PNG, SVG and
  // terminal renderers, pngjs among them.
  qrcode: { entry: `export { create } from 'qrcode/lib/core/qrcode.js';`, plugins: [] },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  // Class and function names stay: errors and logs name them.
  keepNames: true,
  // `node --enable-source-maps dist/pairing-agent.cjs ...` maps a stack back to src/.
  sourcemap: 'linked',
  // The bundled packages' licence comments go to the notices file below, with their licence files.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/**
 * What the command's bundle loads from outside itself, by `require`: got and jose from the vendor files
 * beside it, the rest from node_modules. esbuild would keep our `await import('got')` of an external as
 * an `import()`, and that alone brings up Node's ESM loader (and, for a CommonJS file, cjs-module-lexer)
 * in a process that otherwise never needs it; `status` and `token` load neither (V8 parses every function
 * of a script it loads, even one never called: got and jose are some 230 KB).
 */
const requireOutside = {
  name: 'require-outside',
  setup(b) {
    const names = [...Object.keys(VENDOR), ...EXTERNAL, 'jsqr'];
    b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
      args.namespace === 'outside' ? { path: args.path, external: true } : { path: args.path, namespace: 'outside' },
    );
    b.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'outside' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path in VENDOR ? `./vendor/${args.path}.cjs` : args.path)});`,
    }));
  },
};

const inputs = [];
const cli = await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: OUT,
  // import.meta does not exist in CommonJS: the bundle's own URL stands in (createRequire, package.json).
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [requireOutside],
});
inputs.push(...Object.keys(cli.metafile.inputs));
for (const [name, { entry, plugins }] of Object.entries(VENDOR)) {
  const vendor = await build({
    ...common,
    stdin: { contents: entry, resolveDir: '.', sourcefile: `vendor/${name}.js` },
    outfile: `dist/vendor/${name}.cjs`,
    external: EXTERNAL,
    plugins,
  });
  inputs.push(...Object.keys(vendor.metafile.inputs));
}
// The bin runs by its shebang too (issue #15).
chmodSync(OUT, 0o755);
writeFileSync(NOTICES, notices(inputs));

/** The name, version and licence text of every npm package with code in the bundle. */
function notices(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const path = input.replace(/^[a-z]+:/, '');
    const at = path.lastIndexOf(`node_modules${sep === '/' ? '/' : sep}`);
    if (at < 0) continue;
    let dir = dirname(path);
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    // A package's own nested package.json files ({"type": "module"}) name no package: go up to the one that does.
    while (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === undefined) dir = dirname(dir);
    packages.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
  }
  const sections = [...packages].sort(([, a], [, b]) => a.name.localeCompare(b.name)).map(([dir, pkg]) => {
    const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    if (file === undefined) throw new Error(`${relative('.', dir)}: bundled, but no licence file to keep`);
    return `${pkg.name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
  });
  return `pairing-agent's ${OUT.replace('dist/', '')} includes the following npm packages, under their own licences.\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
}
