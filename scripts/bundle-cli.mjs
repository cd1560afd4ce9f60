/**
 * Bundles the `pairing-agent` command (issue #18): dist/pairing-agent-cli.cjs, dist/pairing-agent-daemon.cjs
 * and dist/vendor/*.cjs, all CommonJS, and the bin that loads them, dist/pairing-agent.cjs.
 *
 * Why: on a Pi Zero's budget the command's start-up was mostly Node's ESM loader (which itself loads
 * fs/promises and readline) and a file read, resolve and compile per module: `status --json` took
 * 1.7x bare node. CommonJS bundles skip the ESM loader altogether; minified, they compile faster.
 *
 * Two bundles of our code (scripts/bundle-split.mjs): V8 parses every function of a script it loads,
 * even one never called, and `status` or `token` used to compile all of `run` (some 170 KB) to use a
 * fifth of it. The first holds what they need; `run` and the commands that act on the pairing require
 * the second. Our code is minified without keeping names: errors name themselves (hal/errors.ts).
 *
 * The pure-JavaScript npm packages are bundled too, each into one file of dist/vendor/ that the command
 * requires when it first needs it: loaded from node_modules, got alone was some 100 ES modules whose
 * loading (the ESM loader, cjs-module-lexer and path resolution hot enough for V8 to start its
 * optimizing compiler) left a paired idle daemon about 9 MB larger. Their licences go to
 * dist/THIRD-PARTY-NOTICES.txt. The native addons (i2c-bus, onoff with epoll, oled-i2c-bus), jsqr (one
 * file, the simulator's QR reader) and oidc-provider (dev only) stay in node_modules.
 *
 * The bin (src/cli/bin.ts) is a few lines: node compiles it from source every time. It loads the bundles
 * through V8's code cache (src/cli/bundle-loader.ts; the caches are made by scripts/code-cache.mjs), and
 * knows each bundle's build id, a hash of its text, which names the caches made from it.
 *
 * tsc still builds dist/src and dist/hal (the tests import them); the bundles are built from the same
 * sources and are what the installer, the unit file, package.json "bin" and the CLI tests run.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { DAEMON_BUNDLE, daemonEntry, fromRegistry, registryEntry, toDaemonBundle } from './bundle-split.mjs';
import { lazyHttp2Wrapper, lazyListFormat } from './bundle-vendor-plugins.mjs';

const BIN = 'dist/pairing-agent.cjs';
const CLI_BUNDLE = 'pairing-agent-cli.cjs';
const OUT = `dist/${CLI_BUNDLE}`;
const NOTICES = 'dist/THIRD-PARTY-NOTICES.txt';
const EXTERNAL = ['i2c-bus', 'onoff', 'epoll', 'oled-i2c-bus', 'oidc-provider'];

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
  // `node --enable-source-maps dist/pairing-agent.cjs ...` maps a stack back to src/.
  sourcemap: 'linked',
  // The bundled packages' licence comments go to the notices file below, with their licence files.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/**
 * What our bundles load from outside themselves, by `require`: got, jose and qrcode from the vendor files
 * beside them, the rest from node_modules. esbuild would keep our `await import('got')` of an external
 * as an `import()`, and that alone brings up Node's ESM loader (and, for a CommonJS file,
 * cjs-module-lexer) in a process that otherwise never needs it. `status` and `token` load none of them.
 */
const requireOutside = {
  name: 'require-outside',
  setup(b) {
    const names = [...Object.keys(VENDOR), ...EXTERNAL, 'jsqr'];
    b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
      args.namespace === 'outside' ? { path: args.path, external: true } : { path: args.path, namespace: 'outside' },
    );
    // A built-in imported on demand (`await import('node:net')`) too: the bin's loader compiles our
    // bundles with vm.Script, which has no dynamic import() (src/cli/bundle-loader.ts).
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import' && args.namespace !== 'outside' ? { path: args.path, namespace: 'outside' } : { path: args.path, external: true },
    );
    b.onResolve({ filter: /^\.\/(vendor\/|pairing-agent-)/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'outside' }, (args) => ({
      contents: args.path in VENDOR ? `module.exports = __load(${JSON.stringify(`vendor/${args.path}.cjs`)});` : `module.exports = require(${JSON.stringify(args.path)});`,
    }));
  },
};

/**
 * For our own bundles. import.meta does not exist in CommonJS: each bundle's own URL stands in. `__load`
 * takes a sibling bundle through the bin's loader (its code cache), or plainly when there is none.
 */
const ours = {
  ...common,
  define: { 'import.meta.url': '__bundleUrl' },
  banner: {
    js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href, __load = globalThis[Symbol.for('pairing-agent.load')] ?? ((name) => require(`./${name}`));",
  },
};
const MAIN = 'src/cli/main.ts';
/** The commands of the first bundle: they only read, or ask the daemon. */
const LIGHT = ['status', 'token', 'wait', 'config'].map((name) => resolve(`src/cli/commands/${name}.ts`));

/** The names a module of ours exports. */
async function exportsOf(path) {
  const r = await build({ entryPoints: [path], bundle: false, format: 'esm', write: false, metafile: true, outdir: 'dist', logLevel: 'error' });
  return Object.values(r.metafile.outputs)[0].exports;
}

// 1. The first bundle's modules, and the modules of ours it imports only to run them elsewhere.
const heavy = new Set();
const first = await build({ ...ours, entryPoints: [MAIN], outfile: OUT, write: false, plugins: [requireOutside, toDaemonBundle({ light: LIGHT, heavy })] });
const inFirst = new Set(Object.keys(first.metafile.inputs).filter((input) => !input.includes(':')).map((input) => resolve(input)));
const both = [...heavy].filter((path) => inFirst.has(path));
if (both.length > 0) throw new Error(`imported both dynamically and statically by the light commands, these would be in both bundles: ${both.join(', ')}`);

// 2. The daemon's bundle: those modules, taking what the first bundle has from its registry.
const shared = new Set();
const daemon = await build({
  ...ours,
  stdin: { contents: daemonEntry(heavy), resolveDir: '.', sourcefile: 'daemon-bundle.js' },
  outfile: `dist/${DAEMON_BUNDLE}`,
  plugins: [requireOutside, fromRegistry({ inFirst, shared })],
});
const names = new Map();
for (const path of [...heavy, ...shared]) names.set(path, await exportsOf(path));
const defaults = [...shared].filter((path) => names.get(path).includes('default'));
if (defaults.length > 0) throw new Error(`the daemon's bundle would import these from the first through the registry, which has no default exports: ${defaults.join(', ')}`);

// 3. The first bundle, for real: the registry filled before the command runs, the daemon's modules as stand-ins.
const entry = registryEntry(shared, MAIN);
const cli = await build({
  ...ours,
  stdin: { contents: entry.contents, resolveDir: '.', sourcefile: 'pairing-agent.js' },
  outfile: OUT,
  plugins: [requireOutside, entry.plugin, toDaemonBundle({ light: LIGHT, heavy: new Set(), exportsOf: (path) => names.get(path) })],
});

for (const file of [OUT, `dist/${DAEMON_BUNDLE}`]) {
  if (/\bimport\(/.test(readFileSync(file, 'utf8'))) throw new Error(`${file} has a dynamic import(), which the bin's loader (vm.Script) cannot run: make it a require`);
}
const inputs = [...Object.keys(cli.metafile.inputs), ...Object.keys(daemon.metafile.inputs)];
rmSync('dist/vendor', { recursive: true, force: true });
for (const [name, { entry: vendorEntry, plugins }] of Object.entries(VENDOR)) {
  const vendor = await build({
    ...common,
    stdin: { contents: vendorEntry, resolveDir: '.', sourcefile: `vendor/${name}.js` },
    outfile: `dist/vendor/${name}.cjs`,
    // Their own classes may be told apart by name (got's type checks word an error with them).
    keepNames: true,
    external: EXTERNAL,
    plugins,
  });
  inputs.push(...Object.keys(vendor.metafile.inputs));
}

// 4. The bin, knowing the build id of each bundle.
const ids = {};
for (const name of [CLI_BUNDLE, DAEMON_BUNDLE, ...Object.keys(VENDOR).map((n) => `vendor/${n}.cjs`)]) {
  ids[name] = createHash('sha256').update(readFileSync(join('dist', name))).digest('hex').slice(0, 16);
}
await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outfile: BIN,
  sourcemap: false,
  metafile: false,
  define: { __PAIRING_AGENT_BUNDLE_IDS__: JSON.stringify(ids) },
});
// It runs by its shebang too (issue #15): esbuild keeps bin.ts's.
chmodSync(BIN, 0o755);
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
