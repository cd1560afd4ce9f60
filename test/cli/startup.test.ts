/**
 * What the command loads to start (issue #18): on a Pi's CPU budget every module costs, so a command
 * that only asks the daemon or reads the state file loads one JavaScript file (the bundle, no ESM
 * loader) and no HTTP client (one HTTP/1.0 request on a plain socket). A paired daemon at rest holds
 * what it loaded for good, so it loads its HTTP client as one file, no ESM loader, no HTTP/2, and never
 * starts V8's optimizing compiler. Checked by what Node itself records: `process.moduleLoadList`
 * (built-in modules) and `require.cache` (files), read at exit, and V8's `--trace-opt`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp } from '../../dev/idp/embedded.js';
import { CLI, type Daemon, eventually, runBuiltCli, runCli, spawnDaemon, startDaemon, stopDaemon } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-startup-'));
const config = join(dir, 'config.json');
const probe = join(dir, 'loaded.cjs');
const atReady = join(dir, 'loaded-at-ready.cjs');

interface Loaded {
  builtins: string[];
  files: string[];
  stdout: string;
  status: number | null;
}

/**
 * Runs the built CLI with a preload that reports, at exit, every built-in module and file loaded.
 * `until`: a long-running command, sent SIGTERM once its output matches.
 */
function loadedBy(args: string[], options: { configPath?: string; nodeFlags?: string[]; until?: RegExp } = {}): Promise<Loaded> {
  return new Promise((resolve, reject) => {
    const flags = [...(options.nodeFlags ?? []), '--require', probe];
    const child = spawn(process.execPath, [...flags, CLI, '--config', options.configPath ?? config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const sawIt = () => {
      if (options.until?.test(stderr) === true && child.exitCode === null && !child.killed) child.kill('SIGTERM');
    };
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      sawIt();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const line = /^LOADED (.*)$/m.exec(stderr)?.[1];
      if (line === undefined) return reject(new Error(`no report: ${stderr}`));
      resolve({ ...(JSON.parse(line) as { builtins: string[]; files: string[] }), stdout, status });
    });
  });
}

const HTTP = ['http', '_http_client', '_http_agent', '_http_common', 'https'];
const ESM_LOADER = ['internal/modules/esm/module_job', 'internal/fs/promises'];

function expectLean(loaded: Loaded): void {
  // The preload, the bin and the command's bundle: nothing else was read and compiled.
  expect(loaded.files).toEqual([probe, CLI, join(dirname(CLI), 'pairing-agent-cli.cjs')]);
  expect(loaded.builtins.filter((m) => HTTP.includes(m))).toEqual([]);
  expect(loaded.builtins.filter((m) => ESM_LOADER.includes(m))).toEqual([]);
}

beforeAll(() => {
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeSync(2, 'LOADED ' + JSON.stringify({
      builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),
      files: Object.keys(require.cache),
    }) + '\\n'));\n`,
  );
  // The same report, made when the daemon logs that its first frame is up.
  writeFileSync(
    atReady,
    `const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk, ...rest) => {
      if (/event=ready/.test(String(chunk))) write('LOADED ' + JSON.stringify({
        builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),
        files: Object.keys(require.cache),
      }) + '\\n');
      return write(chunk, ...rest);
    };\n`,
  );
  // An issuer nobody answers: these commands must not need the network.
  writeFileSync(config, JSON.stringify({ issuer: 'https://idp.invalid', client_id: 'startup-test', hal: 'sim', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock') }));
});

describe('start-up of the commands that only read (issue #18)', () => {
  it('--version and status without a daemon load the bundle alone, no HTTP client, no ESM loader', async () => {
    const version = await loadedBy(['--version']);
    expect(version.status).toBe(0);
    expectLean(version);
    const status = await loadedBy(['status', '--json']);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unpaired', daemon: false });
    expectLean(status);
    // No socket file, no daemon: not even the socket module, nor the streams process.stdout would build.
    for (const loaded of [version, status]) expect(loaded.builtins.filter((m) => ['net', 'tty', 'stream'].includes(m))).toEqual([]);
  });

  it('token without a daemon, on a fresh token, decides under the lock with no HTTP client or server loaded', async () => {
    const pairedDir = mkdtempSync(join(tmpdir(), 'pa-startup-token-'));
    const pairedConfig = join(pairedDir, 'config.json');
    writeFileSync(pairedConfig, JSON.stringify({ issuer: 'https://idp.invalid', client_id: 'startup-test', hal: 'sim', state_dir: join(pairedDir, 'state'), socket_path: join(pairedDir, 'agent.sock') }));
    mkdirSync(join(pairedDir, 'state'), { mode: 0o700 });
    const now = Date.now();
    const tokens = { accessToken: 'fresh-access-token', tokenType: 'Bearer', issuedAt: now, accessExpiresAt: now + 3_600_000, refreshToken: 'rt' };
    writeFileSync(join(pairedDir, 'state', 'state.json'), JSON.stringify({ schema: 1, state: { name: 'paired', tokens, identity: {}, failures: 0, refreshAt: now + 3_000_000 } }), { mode: 0o600 });
    const token = await loadedBy(['token'], { configPath: pairedConfig });
    expect(token.status).toBe(0);
    expect(token.stdout).toBe('fresh-access-token\n');
    // The agent's bundle is needed to decide (scripts/bundle-cli.mjs); the daemon's API is not.
    expect(token.builtins.filter((m) => HTTP.includes(m) || m === '_http_server')).toEqual([]);
  });

  describe('with a daemon running', () => {
    let daemon: Daemon;
    beforeAll(async () => {
      daemon = await startDaemon(config, {}, 20_000);
    });
    afterAll(() => stopDaemon(daemon));

    it('status --json and token ask it over the socket with nothing more', async () => {
      const status = await loadedBy(['status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ state: 'unpaired', daemon: true });
      expectLean(status);
      // Unpaired: the daemon answers "not paired" (exit 1), by the same path a token takes.
      const token = await loadedBy(['token']);
      expect(token.status).toBe(1);
      expectLean(token);
      // The same answers without the probe, as a script would call it.
      expect(runBuiltCli(['--config', config, 'token']).stderr).toContain('not paired');
    });
  });
});

describe('run, on its way to the first frame (issue #18)', () => {
  it('loads the two bundles and no HTTPS, TLS, crypto or zlib: those wait for the first request, DPoP proof or PNG', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--require', atReady, CLI, '--config', config, 'run'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (/^LOADED /m.test(err)) child.kill('SIGTERM');
      });
      child.on('error', reject);
      child.on('close', () => resolve({ stdout: out, stderr: err }));
    });
    const line = /^LOADED (.*)$/m.exec(stderr)?.[1];
    if (line === undefined) throw new Error(`no report: ${stderr}${stdout}`);
    const loaded = JSON.parse(line) as { builtins: string[]; files: string[] };
    expect(loaded.files).toEqual([atReady, CLI, join(dirname(CLI), 'pairing-agent-cli.cjs'), join(dirname(CLI), 'pairing-agent-daemon.cjs')]);
    expect(loaded.builtins).toContain('net');
    expect(loaded.builtins.filter((m) => ['https', 'tls', 'crypto', 'zlib'].includes(m))).toEqual([]);
  }, 30_000);
});

describe('a paired daemon at rest (issue #18: its memory)', () => {
  it('loads got as one file beside the bundle: no ESM loader, no HTTP/2, no stdin stream, no optimizing compiler', async () => {
    const idp = await startEmbeddedIdp({ interval: 1 });
    try {
      const pairedConfig = join(dir, 'paired.json');
      writeFileSync(pairedConfig, JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid profile offline_access', hal: 'sim', state_dir: join(dir, 'paired'), socket_path: join(dir, 'paired.sock') }));
      // Pair for real, then start again: the daemon a device runs for days.
      const first = spawnDaemon(pairedConfig);
      try {
        await eventually(async () => (/event=ready/.test(first.log()) ? true : undefined), 20_000, 'the daemon');
        expect((await runCli(['--config', pairedConfig, 'sim', 'press'])).status).toBe(0);
        const userCode = await eventually(async () => /user_code=([A-Z-]+)/.exec(first.log())?.[1], 20_000, 'a code');
        await idp.approve(userCode, 'alice');
        await eventually(async () => (/to=paired/.test(first.log()) ? true : undefined), 20_000, 'paired');
      } finally {
        first.child.kill('SIGTERM');
        if (first.child.exitCode === null) await new Promise((r) => first.child.on('exit', r));
      }

      // It asks discovery right after its first frame: by then the HTTP client is loaded.
      const daemon = await loadedBy(['run'], { configPath: pairedConfig, nodeFlags: ['--trace-opt'], until: /event=endpoints_resolved/ });
      // The bin, the command's two bundles (the second holds `run`, scripts/bundle-cli.mjs) and got's.
      expect(daemon.files).toEqual([probe, CLI, join(dirname(CLI), 'pairing-agent-cli.cjs'), join(dirname(CLI), 'pairing-agent-daemon.cjs'), join(dirname(CLI), 'vendor', 'got.cjs')]);
      expect(daemon.builtins.filter((m) => ESM_LOADER.includes(m))).toEqual([]);
      // got only uses http2-wrapper for `http2: true`, which we never set; Intl.ListFormat is not a module
      // (the vendor test checks it), and process.stdin on /dev/null would load fs/promises and readline.
      expect(daemon.builtins.filter((m) => m === 'http2' || m === 'internal/readline/interface')).toEqual([]);
      // V8's optimizing compiler, once started, stays mapped (some 3 MB): nothing a paired daemon does
      // at start is hot enough to need it.
      expect(daemon.stdout.split('\n').filter((line) => /optimizing/.test(line))).toEqual([]);
    } finally {
      await idp.close();
    }
  }, 60_000);
});
