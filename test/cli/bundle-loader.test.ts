/**
 * The bin loads the command's bundles with V8's code cache (issue #18; src/cli/bundle-loader.ts), made by
 * the build (scripts/code-cache.mjs). Run as built, in child processes: a preloaded reporter prints at exit
 * which bundles the loader loaded and whether V8 took each one's cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, NOT_ROOT } from '../support/local-user.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

interface Loaded {
  name: string;
  rejected: boolean | null;
}

let work: string;
let reporter: string;
let config: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pa-code-cache-'));
  reporter = join(work, 'report.cjs');
  writeFileSync(
    reporter,
    `process.on('exit', () => {
      const loader = globalThis[Symbol.for('pairing-agent.load')];
      process.stderr.write('LOADED ' + JSON.stringify((loader?.loaded ?? []).map(({ name, rejected }) => ({ name, rejected: rejected ?? null }))) + '\\n');
    });`,
  );
  config = join(work, 'config.json');
  // Nothing listens on port 9 (discard) here: the daemon's discovery after its first frame fails fast.
  writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:9', client_id: 'c', hal: 'sim', state_dir: join(work, 'state'), socket_path: join(work, 'agent.sock') }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the bin of `dist` with the reporter; `until`: stop it with SIGTERM once its log says so. */
async function run(dist: string, args: string[], until?: RegExp, nodeFlags: string[] = []): Promise<{ stdout: string; loaded: Loaded[] }> {
  const child = spawn(process.execPath, [...nodeFlags, '-r', reporter, join(dist, 'pairing-agent.cjs'), '--config', config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (until?.test(stderr)) child.kill('SIGTERM');
  });
  await new Promise((resolve) => child.on('close', resolve));
  const line = /^LOADED (.*)$/m.exec(stderr)?.[1];
  if (line === undefined) throw new Error(`no report: ${stderr}`);
  return { stdout, loaded: JSON.parse(line) as Loaded[] };
}

/** A copy of the built command (without what it never loads), to spoil. */
function copyOfDist(): string {
  const dist = mkdtempSync(join(work, 'dist-'));
  cpSync(DIST, dist, { recursive: true, filter: (path) => !/[/\\](dev|testing|src|hal)$/.test(path) });
  return dist;
}

const cacheOf = (dist: string, bundle: string) => {
  const file = readdirSync(join(dist, 'v8-cache')).find((f) => f.startsWith(`${bundle}.`));
  if (file === undefined) throw new Error(`no cache for ${bundle}`);
  return join(dist, 'v8-cache', file);
};

describe('the bin loads the bundles with their code cache', () => {
  it('status and run load each bundle with the cache the build made, and V8 takes every one', async () => {
    const status = await run(DIST, ['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unpaired' });
    expect(status.loaded).toEqual([{ name: 'pairing-agent-cli.cjs', rejected: false }]);

    const daemon = await run(DIST, ['run'], /event=ready/);
    expect(daemon.loaded.slice(0, 2)).toEqual([
      { name: 'pairing-agent-cli.cjs', rejected: false },
      { name: 'pairing-agent-daemon.cjs', rejected: false },
    ]);
    // Whatever else it loaded by then (got, for discovery) had its cache too.
    expect(daemon.loaded.filter((l) => l.rejected !== false)).toEqual([]);
  }, 30_000);

  it("names each cache after its bundle's text: a rebuilt bundle never runs an old cache", () => {
    const bin = readFileSync(join(DIST, 'pairing-agent.cjs'), 'utf8');
    const ids = Object.fromEntries([...bin.matchAll(/"([\w/-]+\.cjs)":"([0-9a-f]{16})"/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(ids).sort()).toEqual(['pairing-agent-cli.cjs', 'pairing-agent-daemon.cjs', 'vendor/got.cjs', 'vendor/jose.cjs', 'vendor/qrcode.cjs']);
    for (const [name, id] of Object.entries(ids)) {
      expect(id).toBe(createHash('sha256').update(readFileSync(join(DIST, name))).digest('hex').slice(0, 16));
    }
    for (const file of readdirSync(join(DIST, 'v8-cache'))) {
      const [, name, id] = /^(.+\.cjs)\.([0-9a-f]{16})\.bin$/.exec(file) ?? [];
      expect(ids[(name ?? '').replace(/^vendor-/, 'vendor/')], file).toBe(id);
    }
  });

  it('a cache V8 refuses (spoiled, or from another node) leaves the command working, compiled from source', async () => {
    const dist = copyOfDist();
    const cache = cacheOf(dist, 'pairing-agent-cli.cjs');
    writeFileSync(cache, Buffer.alloc(statSync(cache).size, 0x5a));
    const status = await run(dist, ['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unpaired' });
    expect(status.loaded).toEqual([{ name: 'pairing-agent-cli.cjs', rejected: true }]);
  }, 30_000);

  it('a cache others may write is not used: it is code', async () => {
    const dist = copyOfDist();
    chmodSync(cacheOf(dist, 'pairing-agent-cli.cjs'), 0o664);
    const status = await run(dist, ['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unpaired' });
    expect(status.loaded).toEqual([{ name: 'pairing-agent-cli.cjs', rejected: null }]);
  }, 30_000);

  it.skipIf(!isRoot)(`a cache owned by another user than the bundle's is not used ${isRoot ? '' : NOT_ROOT}`, async () => {
    const dist = copyOfDist();
    chownSync(cacheOf(dist, 'pairing-agent-cli.cjs'), 65534, 65534);
    const status = await run(dist, ['status', '--json']);
    expect(status.loaded).toEqual([{ name: 'pairing-agent-cli.cjs', rejected: null }]);
  }, 30_000);

  it('with --enable-source-maps the bundles are required as usual, so a stack maps back to src/', async () => {
    const r = await run(DIST, ['status', '--json'], undefined, ['--enable-source-maps']);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'unpaired' });
    expect(r.loaded).toEqual([]);
    const mapped = spawnSync(process.execPath, ['--enable-source-maps', join(DIST, 'pairing-agent.cjs'), '--debug', '--config', join(work, 'missing.json'), 'status'], { encoding: 'utf8' });
    expect(mapped.stderr).toMatch(/src\/[\w/-]+\.ts:\d+/);
  }, 30_000);
});
