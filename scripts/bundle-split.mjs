/**
 * How the command's two bundles meet (issue #18, scripts/bundle-cli.mjs): dist/pairing-agent.cjs holds
 * what `status`, `token`, `wait`, `config` and `--help` need; dist/pairing-agent-daemon.cjs the rest
 * (`run`, `sim`, `logout`, `dpop-proof`, a `token` without a daemon), loaded by the first on demand.
 *
 * Each module exists once: a module of both graphs lives in the first bundle, which lists it in a
 * registry on `globalThis` before the command starts; the second takes it from there. Two copies of
 * `src/errors.ts` would make an error of one an unknown error to the other's reports, and two copies of
 * a module with state would each keep their own.
 */
import { relative, resolve } from 'node:path';

export const DAEMON_BUNDLE = 'pairing-agent-daemon.cjs';
const REGISTRY = "globalThis[Symbol.for('pairing-agent.modules')]";

/** A module's key in the registry and in the daemon bundle's exports: its path in the repository. */
const key = (path) => relative('.', path);

/** Resolves `args` as esbuild would have without the calling plugin (which it marks, to skip itself). */
async function resolved(b, args) {
  if (args.pluginData === 'split' || args.namespace !== 'file') return undefined;
  const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'split' });
  return r.errors.length > 0 || r.external ? undefined : r.path;
}

/**
 * For the first bundle: a dynamic import of one of our modules that is not in `light` (the light commands'
 * modules, by path) is a module of the daemon's bundle. It is added to `heavy`, and stands in as a module
 * that requires the daemon's bundle and exports what the real one does (`exportsOf(path)`: its names).
 */
export function toDaemonBundle({ light, heavy, exportsOf = () => [] }) {
  return {
    name: 'to-daemon-bundle',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const path = await resolved(b, args);
        if (path === undefined || light.includes(path)) return undefined;
        heavy.add(path);
        return { path: key(path), namespace: 'daemon-bundle' };
      });
      b.onLoad({ filter: /.*/, namespace: 'daemon-bundle' }, (args) => {
        const path = resolve(args.path);
        const names = exportsOf(path);
        return {
          resolveDir: resolve('.'),
          contents: [
            `const module = __load('${DAEMON_BUNDLE}')[${JSON.stringify(key(path))}];`,
            ...names.filter((n) => n !== 'default').map((n) => `export const ${n} = module.${n};`),
            ...(names.includes('default') ? ['export default module.default;'] : []),
          ].join('\n'),
        };
      });
    },
  };
}

/** The daemon bundle's entry: each module of `heavy`, by key. */
export function daemonEntry(heavy) {
  return [...heavy].map((path) => `export * as ${JSON.stringify(key(path))} from ${JSON.stringify(path)};`).join('\n');
}

/**
 * For the daemon's bundle: an import of a module the first bundle holds (in `inFirst`, by path) reads
 * it from the registry; `shared` collects them. Named imports only: a default import would get the
 * whole module (esbuild's CommonJS interop), so one fails the build.
 */
export function fromRegistry({ inFirst, shared }) {
  return {
    name: 'from-registry',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        const path = await resolved(b, args);
        if (path === undefined || !inFirst.has(path)) return undefined;
        shared.add(path);
        return { path: key(path), namespace: 'registry' };
      });
      b.onLoad({ filter: /.*/, namespace: 'registry' }, ({ path }) => ({ contents: `module.exports = ${REGISTRY}[${JSON.stringify(path)}];` }));
    },
  };
}

/** The first bundle's entry (`contents`): lists `shared` in the registry, then runs `main`. */
export function registryEntry(shared, main) {
  const modules = [...shared];
  return {
    // Imported first, so the registry is full before the command runs.
    contents: `import 'registry-entry';\nimport ${JSON.stringify(resolve(main))};`,
    plugin: registryPlugin(modules),
  };
}

function registryPlugin(modules) {
  return {
    name: 'registry-entry',
    setup(b) {
      b.onResolve({ filter: /^registry-entry$/ }, () => ({ path: 'registry-entry', namespace: 'registry-entry' }));
      b.onLoad({ filter: /.*/, namespace: 'registry-entry' }, () => ({
        resolveDir: resolve('.'),
        // Getters that `require` (esbuild: initialise on first use): `--version` initialises none of them.
        contents: `${REGISTRY} = { ${modules.map((path) => `get ${JSON.stringify(key(path))}() { return require(${JSON.stringify(path)}); }`).join(', ')} };`,
      }));
    },
  };
}
