/**
 * `pairing-agent/testing` (issue #17), imported by its package name as a team would (package.json
 * "exports" → dist/): every method of the simulated device's handle against the embedded provider, and
 * `stop()` leaving no process behind, checked by pid. The package's entry points are checked in
 * `npm pack --dry-run`, and oidc-provider is shown to be optional (hidden, the device API still loads).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSimulatedDevice, startTestProvider, type SimulatedDevice, type TestProvider } from 'pairing-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../../src/screens/png-read.js';
import { scanPanel } from '../../fixtures/scan.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TRACE = fileURLToPath(new URL('../../support/trace-loads.mjs', import.meta.url));

/**
 * Whether a process with this pid still runs (signal 0 checks without sending anything). A zombie has
 * exited: an orphan waits for PID 1 to reap it, and a container's PID 1 may never do so.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ESRCH');
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false; // gone between the two looks
  }
}

/** Runs an ES module snippet in a child node whose imports resolve from the repository (self-reference). */
function runModule(source: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The paths `npm pack` would put in the package. */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  return (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
}

let provider: TestProvider;
beforeAll(async () => {
  provider = await startTestProvider();
});
afterAll(async () => {
  await provider.close();
});

describe('startSimulatedDevice against startTestProvider', () => {
  it('press, status, waitFor, code, screenPng, token, logout, log, stop: the whole handle', async () => {
    const device = await startSimulatedDevice({ config: provider.deviceConfig });
    const { pid } = device;
    try {
      expect(alive(pid)).toBe(true);
      expect(readFileSync(device.configPath, 'utf8')).toContain('"hal":"sim"');
      expect(device.config).toMatchObject({ hal: 'sim', client_id: provider.clientId, state_dir: device.stateDir });
      expect(await device.status()).toEqual({ state: 'unpaired', daemon: true, socket: expect.stringMatching(/agent\.sock$/) });
      await expect(device.code()).rejects.toThrow('no code is shown (state: unpaired); press() first');
      await expect(device.token()).rejects.toThrow('no access token: not_paired (state: unpaired)');

      await device.press();
      const awaiting = await device.waitFor('awaiting_user', 15_000);
      expect(awaiting).toMatchObject({ state: 'awaiting_user', daemon: true });

      const code = await device.code();
      expect(code).toEqual({
        userCode: awaiting.user_code,
        verificationUri: `${provider.issuer}/device`,
        verificationUriComplete: `${provider.issuer}/device?user_code=${String(awaiting.user_code)}`,
        expiresAt: awaiting.expires_at,
        qr: `${provider.issuer}/device?user_code=${String(awaiting.user_code)}`,
      });

      // The PNG is the panel: an independent decoder (the tests' scanner) reads the same URL off it.
      const png = await device.screenPng();
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(scanPanel(decodePng(png))).toBe(code.qr);

      await expect(device.waitFor('paired', 300)).rejects.toThrow('timed out after 300 ms waiting for paired (state: awaiting_user)');
      await expect(device.waitFor('pared' as 'paired', 300)).rejects.toThrow(/^unknown state "pared"/);

      await provider.approve(code.userCode, 'alice');
      expect(await device.waitFor('paired', 15_000)).toMatchObject({ state: 'paired', subject: 'alice', daemon: true });
      const token = await device.token();
      expect(await provider.introspect(token)).toMatchObject({ active: true, sub: 'alice' });

      const after = await device.logout();
      expect(after).toMatchObject({ state: 'unpaired', daemon: true });
      expect((await provider.introspect(token)).active).toBe(false);
      expect(device.log()).toMatch(/event=ready/);
      expect(device.log()).not.toContain(token);
    } finally {
      await device.stop();
    }
    expect(alive(pid)).toBe(false);
    expect(existsSync(device.stateDir)).toBe(false);
    await expect(device.status()).rejects.toThrow(/^the simulated device is not running \(exit code 0\)$/);
    await device.stop(); // twice is fine
  }, 60_000);

  it('longPress unpairs, deny ends in denied, and a given state directory outlives stop()', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'pa-testing-')), 'state');
    const first = await startSimulatedDevice({ config: provider.deviceConfig, stateDir });
    try {
      await first.press();
      await first.waitFor('awaiting_user');
      await provider.approve((await first.code()).userCode, 'bob');
      await first.waitFor('paired');
    } finally {
      await first.stop();
    }
    expect(alive(first.pid)).toBe(false);
    // The same state directory: the pairing resumes in a new daemon.
    const second = await startSimulatedDevice({ config: provider.deviceConfig, stateDir });
    try {
      expect(await second.status()).toMatchObject({ state: 'paired', subject: 'bob' });
      const token = await second.token();
      await second.longPress();
      expect(await second.waitFor('unpaired')).toMatchObject({ state: 'unpaired', reason: 'unpaired' });
      expect((await provider.introspect(token)).active).toBe(false);

      await second.press();
      const shown = await second.waitFor('awaiting_user');
      await provider.deny(String(shown.user_code));
      expect(await second.waitFor('denied')).toMatchObject({ state: 'denied', daemon: true });
    } finally {
      await second.stop();
    }
    expect(alive(second.pid)).toBe(false);
    expect(existsSync(join(stateDir, 'state.json'))).toBe(true);
  }, 60_000);

  it('a bad configuration fails before any process starts; a daemon that cannot start is reported with its log', async () => {
    await expect(startSimulatedDevice({ config: { client_id: '' } })).rejects.toThrow(/client_id/);
    // The state lock is held by a running device: a second daemon on the same directory exits at once.
    const stateDir = join(mkdtempSync(join(tmpdir(), 'pa-testing-')), 'state');
    const holder = await startSimulatedDevice({ config: provider.deviceConfig, stateDir });
    try {
      await expect(startSimulatedDevice({ config: provider.deviceConfig, stateDir })).rejects.toThrow(/^the simulated device did not start \(exit code 1\):\n.*already running/s);
    } finally {
      await holder.stop();
    }
  }, 60_000);

  it('a device a test forgot to stop dies with the process that started it', async () => {
    const source = `
      import { startSimulatedDevice } from 'pairing-agent/testing';
      const device = await startSimulatedDevice({ config: ${JSON.stringify(provider.deviceConfig)} });
      console.log(device.pid);
      process.exit(0); // no stop()
    `;
    const r = await runModule(source);
    expect(r.code, r.stderr).toBe(0);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    // SIGKILL is delivered at once, but the kernel reaps the child a moment later.
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid)).toBe(false);
  }, 30_000);
});

describe('the package', () => {
  it('declares pairing-agent/testing with its types, and npm pack ships both', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      devDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
    expect(pkg.peerDependenciesMeta['oidc-provider']).toEqual({ optional: true });
    expect(pkg.peerDependencies['oidc-provider']).toBe(pkg.devDependencies['oidc-provider']);
    expect(pkg.dependencies).toHaveProperty('jsqr');
    const files = await packedFiles();
    for (const path of ['dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/testing/device.d.ts', 'dist/src/cli/main.js']) expect(files).toContain(path);
    // The bundle ships whole, with the chunk that starts the test provider (issue #14 item 2).
    const bundle = readdirSync(join(ROOT, 'dist/testing')).map((name) => `dist/testing/${name}`);
    expect(bundle.filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('import("oidc-provider")'))).toHaveLength(1);
    expect(bundle.filter((f) => !files.includes(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('examples/'))).toEqual([]);
  }, 30_000);

  it('ships none of the dev-only code: the embedded provider, the demo, soak support (issue #14 item 2)', async () => {
    const files = await packedFiles();
    expect(files.length).toBeGreaterThan(100);
    const devOnly = /^(dev|dist\/dev)\/|^dist\/(src|hal)\/(idp|demo|testing)\/|memory-store|quiet\./;
    expect(files.filter((f) => devOnly.test(f))).toEqual([]);
    // Nor does the bundle carry quiet.ts: it would patch its user's console.
    const bundle = readdirSync(join(ROOT, 'dist/testing')).filter((name) => name.endsWith('.js'));
    expect(bundle.filter((name) => /oidc-provider WARNING|console\.(warn|info) =/.test(readFileSync(join(ROOT, 'dist/testing', name), 'utf8')))).toEqual([]);
  }, 30_000);

  it('type-checks in a project that installed it (the shipped .d.ts files, strict)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'pairing-agent'));
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['ci.ts'] }),
    );
    writeFileSync(
      join(dir, 'ci.ts'),
      `import { startSimulatedDevice, startTestProvider, type SimulatedDevice, type Status } from 'pairing-agent/testing';
      const provider = await startTestProvider({ interval: 1 });
      const device: SimulatedDevice = await startSimulatedDevice({ config: provider.deviceConfig, onLog: (line: string) => void line });
      const status: Status = await device.waitFor('paired', 1000);
      const qr: string | undefined = (await device.code()).qr;
      // @ts-expect-error not a state
      await device.waitFor('pared');
      export { status, qr };
      `,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await promisify(execFile)(process.execPath, [tsc, '-p', dir]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    expect(r.stdout).toBe('');
  }, 60_000);

  it('loads without oidc-provider (an optional peer) and says what to install when startTestProvider needs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-testing-'));
    const trace = join(dir, 'trace.txt');
    writeFileSync(trace, '');
    const source = `
      import { startSimulatedDevice, startTestProvider } from 'pairing-agent/testing';
      console.log(typeof startSimulatedDevice);
      await startTestProvider().catch((error) => console.log(error.message));
    `;
    const r = await runModule(source, { NODE_OPTIONS: `--import ${TRACE}`, TRACE_LOADS_FILE: trace, TRACE_LOADS_HIDE: 'oidc-provider' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function\nstartTestProvider needs oidc-provider, an optional peer dependency of pairing-agent: npm install --save-dev oidc-provider@^9\n');
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('/dist/testing/index.js');
    expect(loaded).not.toContain('/node_modules/oidc-provider/');
    expect(loaded).not.toContain('/node_modules/jsqr/');
  }, 30_000);
});
