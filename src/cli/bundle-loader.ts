/**
 * Loads the command's bundles with V8's code cache (issue #18: `run` to its first frame on a Pi's budget).
 *
 * Node compiles every script it requires from source. On one eighth of a core that compile (and the lazy
 * compiles of each function on its first call) was about a tenth of `run`'s start-up: the bundles are
 * some 300 KB of JavaScript. V8 can instead deserialize the bytecode of an earlier run ("code cache").
 * Node 22 offers that for modules (`module.enableCompileCache`); Node 20, which the device runs, has only
 * `vm.Script`'s `cachedData`, so the bin (src/cli/bin.ts) loads our bundles through the loader
 * `installBundleLoader` makes (the bundles ask it for each other by name: their `__load`).
 *
 * Where the caches come from: the build (and deploy/install.sh, with the node the service runs) runs the
 * command once and saves what V8 compiled (scripts/code-cache.mjs). They are never written at run time:
 * the agent writes nothing beside its code, which is root's and read-only to it.
 *
 * Trust: a cache is code. One is used only if it is a regular file with the same owner as the bundle and
 * not writable by group or others — what the bundle itself must be. Its name carries the build id of the
 * bundle it was made from (a hash of the bundle's text, known to the bin), because V8 itself checks only
 * its version, its flags and the source's length: a rebuilt bundle of the same length would otherwise run
 * the old bytecode. V8 refuses a cache from another node (`cachedDataRejected`): the bundle is then
 * compiled from source, as without one.
 *
 * With `--enable-source-maps` the bundles are required as usual: stacks then map back to src/.
 */
import { statSync, readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** How a bundle asks for another (a sibling file name, e.g. `vendor/got.cjs`): the bundles' banner. */
export const LOADER = Symbol.for('pairing-agent.load');

/** One bundle this process loaded, for the build's cache writer and for tests. */
export interface LoadedBundle {
  name: string;
  /** Where its cache is (or would be). */
  cachePath: string;
  /** Undefined when there was no cache to offer (or it was not trusted), else whether V8 refused it. */
  rejected: boolean | undefined;
  script: Script;
}

export interface BundleLoader {
  (name: string): unknown;
  readonly loaded: LoadedBundle[];
}

/** The cache file of bundle `name` built with `id`. */
export function cachePathOf(dir: string, name: string, id: string): string {
  return join(dir, 'v8-cache', `${name.replace(/\//g, '-')}.${id}.bin`);
}

/** The cache if it may be used for `bundle`: see "Trust" above. */
function trustedCache(path: string, bundle: string): Buffer | undefined {
  try {
    const cache = statSync(path);
    if (!cache.isFile() || cache.uid !== statSync(bundle).uid || (cache.mode & 0o022) !== 0) return undefined;
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The loader for the bundles in `dir`, whose build ids are `ids` (by name), installed where they find it. */
export function installBundleLoader(dir: string, ids: Readonly<Record<string, string>>): BundleLoader {
  const loaded: LoadedBundle[] = [];
  const plain = createRequire(join(dir, 'bin'));
  const load = (name: string): unknown => {
    const filename = join(dir, name);
    const known = plain.cache[filename];
    if (known !== undefined) return known.exports;
    const id = ids[name];
    if (id === undefined || process.sourceMapsEnabled) return plain(filename);
    const cachePath = cachePathOf(dir, name, id);
    const cachedData = trustedCache(cachePath, filename);
    const script = new Script(Module.wrap(readFileSync(filename, 'utf8')), { filename, ...(cachedData === undefined ? {} : { cachedData }) });
    loaded.push({ name, cachePath, rejected: cachedData === undefined ? undefined : script.cachedDataRejected === true, script });
    // As `require` would: in require.cache before it runs (a cycle gets the partial exports), once.
    const module = new Module(filename);
    module.filename = filename;
    plain.cache[filename] = module;
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    try {
      wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
    } catch (error) {
      delete plain.cache[filename];
      throw error;
    }
    module.loaded = true;
    return module.exports;
  };
  const loader = Object.assign(load, { loaded });
  (globalThis as Record<symbol, unknown>)[LOADER] = loader;
  return loader;
}
