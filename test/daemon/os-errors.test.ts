/**
 * OS errors a user can cause are one line, not a crash loop (issue #13 item 4): a read-only state
 * directory (a real read-only bind mount, as a card the kernel remounted read-only after errors) and
 * a command run by a user who may not reach the daemon.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { screenFor } from '../../src/agent/view.js';
import { validateConfig } from '../../src/config/validate.js';
import { callDaemon } from '../../src/daemon/client.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { pairDirectly } from '../support/direct-pairing.js';
import { PROFILES, startProviderServer, type FakeProvider } from '../support/provider-servers.js';
import { CLI, eventually, runCli, spawnDaemon, withDaemon } from '../support/cli.js';
import { createUser, isRoot, NOT_ROOT, runNodeAs, type LocalUser } from '../support/local-user.js';
import { readOnlyBind } from '../support/read-only-mount.js';

let idp: FakeProvider;
let other: LocalUser | undefined;
beforeAll(async () => {
  idp = await startProviderServer(PROFILES.rfc8628);
  if (isRoot) other = createUser('pa-nosy');
});
afterAll(async () => {
  other?.remove();
  await idp.close();
});

/** Tokens from the provider, saved as a paired agent leaves them; `left` ms of access token lifetime. */
async function pairedDevice(prefix: string, left: number) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  const stateDir = join(dir, 'state');
  const config = join(dir, 'config.json');
  const socket = join(dir, 'run', 'agent.sock');
  writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.profile.client.clientId, hal: 'sim', state_dir: stateDir, socket_path: socket }), { mode: 0o644 });
  const t = await pairDirectly(idp, 'fay');
  const now = Date.now();
  mkdirSync(stateDir, { mode: 0o700 });
  const state = { name: 'paired', tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: now - 3_600_000 + left, accessExpiresAt: now + left, refreshToken: t.refresh_token }, identity: { subject: 'fay' }, failures: 0, refreshAt: now + left / 2 };
  writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ schema: 1, state }), { mode: 0o600 });
  return { config, stateDir, socket, tokens: t };
}

describe.skipIf(!isRoot)(`a read-only state directory (${isRoot ? 'root: a read-only bind mount' : NOT_ROOT})`, () => {
  it('the daemon starts, says so, serves the saved token, and never sends a refresh it could not save', async () => {
    // 20 s left of an hour: every caller wants a refresh first.
    const d = await pairedDevice('pa-ro-', 20_000);
    const unmount = readOnlyBind(d.stateDir);
    const daemon = spawnDaemon(d.config);
    const before = idp.requests.length;
    try {
      await eventually(async () => (/event=ready/.test(daemon.log()) ? true : daemon.child.exitCode !== null ? expect.fail(daemon.log()) : undefined), 15_000, 'the daemon');
      expect(daemon.log()).toMatch(new RegExp(`event=state_read_only state_dir=${d.stateDir} `));
      const reply = await callDaemon(d.socket, 'GET', '/token', 10_000);
      expect(reply?.status).toBe(200);
      expect((reply?.json() as { access_token: string }).access_token).toBe(d.tokens.access_token);
      // The refresh would rotate the refresh token, and the new one could not be saved: not sent.
      expect(idp.requests.slice(before).filter((r) => r.form.grant_type === 'refresh_token')).toEqual([]);
      expect(idp.isRefreshTokenActive(d.tokens.refresh_token)).toBe(true);
      expect(JSON.parse(readFileSync(join(d.stateDir, 'state.json'), 'utf8')).state.tokens.refreshToken).toBe(d.tokens.refresh_token);
    } finally {
      if (daemon.child.exitCode === null) {
        daemon.child.kill('SIGTERM');
        await new Promise((r) => daemon.child.on('exit', r));
      }
      unmount();
    }
  }, 40_000);
});

describe.skipIf(!isRoot)(`an expired token and a read-only state directory (${isRoot ? 'root: a read-only bind mount' : NOT_ROOT})`, () => {
  // The refresh is not sent because its answer could not be saved (issue #13): the answer says that,
  // not that the provider "cannot be reached" (it was never asked).
  const READ_ONLY = (dir: string) => `the access token expired and cannot be renewed: the state directory ${dir} is read-only, so no refresh is sent (its new tokens could not be saved); make it writable`;

  it('GET /token, token and status say the state directory is read-only, with the daemon and without', async () => {
    const d = await pairedDevice('pa-ro-expired-', -5_000);
    const unmount = readOnlyBind(d.stateDir);
    const before = idp.requests.length;
    try {
      // Without a daemon: the one-shot agent, under the state lock.
      const alone = await runCli(['--config', d.config, 'token']);
      expect(alone.stdout).toBe('');
      expect(alone.stderr).toBe(`pairing-agent: no valid access token right now: ${READ_ONLY(d.stateDir)}\n`);
      expect(alone.status).toBe(1);
      const statusAlone = await runCli(['--config', d.config, 'status', '--json']);
      expect(JSON.parse(statusAlone.stdout)).toMatchObject({ state: 'paired', read_only_state_dir: d.stateDir, daemon: false });
      expect((await runCli(['--config', d.config, 'status'])).stdout).toMatch(new RegExp(`^paired .*; the state directory ${d.stateDir} is read-only: the token cannot be renewed\n$`));

      const daemon = spawnDaemon(d.config);
      try {
        await eventually(async () => (/event=ready/.test(daemon.log()) ? true : daemon.child.exitCode !== null ? expect.fail(daemon.log()) : undefined), 15_000, 'the daemon');
        const reply = await callDaemon(d.socket, 'GET', '/token', 10_000);
        expect({ status: reply?.status, body: reply?.json() }).toEqual({ status: 503, body: { error: 'storage_read_only', reason: READ_ONLY(d.stateDir) } });
        const viaDaemon = await runCli(['--config', d.config, 'token']);
        expect(viaDaemon.stderr).toBe(`pairing-agent: no valid access token right now: ${READ_ONLY(d.stateDir)}\n`);
        expect(viaDaemon.status).toBe(1);
        // No control socket in a read-only directory: `status` reads the file, and still says so.
        expect(JSON.parse((await runCli(['--config', d.config, 'status', '--json'])).stdout)).toMatchObject({ state: 'paired', read_only_state_dir: d.stateDir });
      } finally {
        daemon.child.kill('SIGTERM');
        await new Promise((r) => (daemon.child.exitCode === null ? daemon.child.on('exit', r) : r(undefined)));
      }
      // Nothing was sent, nothing changed.
      expect(idp.requests.slice(before).filter((r) => r.form.grant_type === 'refresh_token')).toEqual([]);
      expect(idp.isRefreshTokenActive(d.tokens.refresh_token)).toBe(true);
    } finally {
      unmount();
    }
  }, 60_000);

  it('a card remounted read-only while the daemon runs: the failed write is noticed, and said', async () => {
    const d = await pairedDevice('pa-ro-later-', 3_600_000);
    const config = validateConfig({ file: JSON.parse(readFileSync(d.config, 'utf8')) as Record<string, unknown>, path: d.config, env: {} });
    // Two hours later, by the agent's clock: the hour's token has expired.
    let ahead = 0;
    const clock = { now: () => Date.now() + ahead, random: Math.random };
    const lines: string[] = [];
    const daemon = await startDaemon({ config, log: (event) => lines.push(event), hal: createSimHal(config), notify: async () => undefined, env: {}, clock });
    let unmount: (() => void) | undefined;
    const before = idp.requests.length;
    try {
      unmount = readOnlyBind(d.stateDir);
      ahead = 2 * 3_600_000;
      const reply = await callDaemon(d.socket, 'GET', '/token', 10_000);
      expect({ status: reply?.status, body: reply?.json() }).toEqual({ status: 503, body: { error: 'storage_read_only', reason: READ_ONLY(d.stateDir) } });
      expect(lines).not.toContain('state_read_only');
      // The control socket was made before: the daemon's own status says it too.
      expect((await callDaemon(join(d.stateDir, 'control.sock'), 'GET', '/status', 5_000))?.json()).toMatchObject({ state: 'paired', read_only_state_dir: d.stateDir });
      expect(idp.requests.slice(before).filter((r) => r.form.grant_type === 'refresh_token')).toEqual([]);
      await eventually(async () => (daemon.agent.shown?.lines.join(' ').includes('read-only') ? true : undefined), 10_000, 'the read-only screen');
    } finally {
      await daemon.stop();
      unmount?.();
    }
  }, 30_000);
});

describe.skipIf(!isRoot)(`the panel with a read-only state directory (${isRoot ? 'root' : NOT_ROOT})`, () => {
  it('says the storage is read-only and the token is served, not renewed', async () => {
    const d = await pairedDevice('pa-ro-panel-', 3_600_000);
    const unmount = readOnlyBind(d.stateDir);
    const config = validateConfig({ file: JSON.parse(readFileSync(d.config, 'utf8')) as Record<string, unknown>, path: d.config, env: {} });
    const hal = createSimHal(config);
    const lines: string[] = [];
    const daemon = await startDaemon({ config, log: (event) => lines.push(event), hal, notify: async () => undefined, env: {} });
    try {
      expect(screenFor({ name: 'paired', tokens: { accessToken: 'a', tokenType: 'Bearer', issuedAt: 0 }, identity: {}, failures: 0 }, 0, true, 'read_only')).toEqual({ kind: 'error', reason: 'Storage read-only. Token served, not renewed' });
      // What the panel shows, as `sim screen --text` reads it.
      await eventually(async () => (daemon.agent.shown?.lines.join(' ').includes('read-only') ? true : undefined), 10_000, 'the read-only screen');
      expect(hal.display.frames).toBeGreaterThan(0);
      expect(lines).toContain('state_read_only');
    } finally {
      await daemon.stop();
      unmount();
    }
  }, 30_000);
});

describe.skipIf(!isRoot)(`a user who may not reach the daemon (${isRoot ? 'root' : NOT_ROOT})`, () => {
  it('gets one line saying what to do, for logout and status, and exit 1', async () => {
    const d = await pairedDevice('pa-unauth-', 3_600_000);
    await withDaemon(d.config, async (daemon) => {
      for (const command of ['logout', 'status']) {
        const r = await runNodeAs(other!, `
          const { spawnSync } = await import('node:child_process');
          const r = spawnSync(process.execPath, [${JSON.stringify(CLI)}, '--config', ${JSON.stringify(d.config)}, ${JSON.stringify(command)}], { encoding: 'utf8' });
          console.log(JSON.stringify({ status: r.status, stderr: r.stderr }));
        `);
        const { status, stderr } = JSON.parse(r.stdout) as { status: number; stderr: string };
        expect(status).toBe(1);
        expect(stderr).toMatch(/^pairing-agent: cannot reach the pairing-agent daemon at .*control\.sock \(permission denied\): run this as the agent's user or root/);
        expect(stderr.trim().split('\n')).toHaveLength(1);
      }
      // And nothing happened: still paired.
      expect((await callDaemon(d.socket, 'GET', '/status', 5_000))?.json()).toMatchObject({ state: 'paired' });
    });
  }, 40_000);
});
