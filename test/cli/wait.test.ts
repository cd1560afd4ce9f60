/**
 * `pairing-agent wait <state>` (issue #17): the built CLI, a real daemon on the simulated HAL and the
 * embedded IdP. Returns the moment the state is reached (the daemon holds the question), fails with the
 * last status on timeout, and works without a daemon (the state file) and across a daemon's start.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/daemon/client.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { runCli, simConfig, spawnDaemon, stopDaemon, withDaemon } from '../support/cli.js';

let idp: EmbeddedIdp;
const dir = mkdtempSync(join(tmpdir(), 'pa-wait-'));
const config = join(dir, 'config.json');

function writeConfig(extra: Record<string, unknown> = {}): void {
  writeFileSync(config, JSON.stringify(simConfig(idp, dir, { scope: 'openid profile offline_access', ...extra })));
}

const wait = (...args: string[]) => runCli(['--config', config, 'wait', ...args], {}, 40_000);

beforeAll(async () => {
  idp = await startEmbeddedIdp({ interval: 1 });
  writeConfig();
});
afterAll(async () => {
  await idp.close();
});

describe('pairing-agent wait', () => {
  it('rejects a state that does not exist, and a bad --timeout, with exit 2', async () => {
    const r = await wait('pared');
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toBe('pairing-agent: unknown state "pared" (one of: unpaired, requesting_code, awaiting_user, paired, refreshing, unpairing, denied, code_expired, offline, failed)\n');
    expect(await wait('paired', '--timeout', 'soon')).toMatchObject({ status: 2, stderr: 'pairing-agent: --timeout must be a number of seconds (0 or more), got "soon"\n' });
    expect((await wait()).status).toBe(2);
  });

  it('without a daemon: times out with the last status, or returns at once when the file says so', async () => {
    const started = Date.now();
    const late = await wait('paired', '--timeout', '0.5', '--json');
    expect(late.status).toBe(1);
    expect(JSON.parse(late.stdout)).toEqual({ state: 'unpaired', daemon: false });
    expect(late.stderr).toBe('pairing-agent: timed out after 0.5 s waiting for paired (state: unpaired)\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);

    const now = await wait('unpaired');
    expect(now).toMatchObject({ status: 0, stdout: 'unpaired\n', stderr: '' });
    // --daemon: the file's answer does not count.
    expect(await wait('unpaired', '--daemon', '--timeout', '0.3')).toMatchObject({
      status: 1,
      stdout: 'unpaired\n',
      stderr: 'pairing-agent: timed out after 0.3 s waiting for unpaired from a daemon (no daemon running)\n',
    });
  });

  it('picks up a daemon that starts while it waits', async () => {
    // A kiosk (`auto_pair`) asks for a code on its own: `wait` started before the daemon sees it.
    writeConfig({ auto_pair: true });
    const waiting = wait('awaiting_user', '--timeout', '30', '--json');
    await new Promise((r) => setTimeout(r, 500));
    const daemon = spawnDaemon(config);
    try {
      const r = await waiting;
      expect(r.status, r.stderr + daemon.log()).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ state: 'awaiting_user', daemon: true, user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) });
    } finally {
      await stopDaemon(daemon);
      writeConfig();
    }
  });

  it('with a daemon: returns as soon as the state is reached, and times out with the last status', async () => {
    await withDaemon(config, async () => {
      // Long-lived from the run before (auto_pair): start over unpaired.
      expect((await runCli(['--config', config, 'logout'])).status).toBe(0);
      // --daemon: now the daemon itself answers.
      const up = await wait('unpaired', '--daemon', '--timeout', '10', '--json');
      expect(up.status, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({ state: 'unpaired', daemon: true });

      const late = await wait('paired', '--timeout', '1');
      expect(late.status).toBe(1);
      // Logged out of the kiosk's pending code: "unpaired: cancelled".
      expect(late.stdout).toMatch(/^unpaired: cancelled\n$/);
      expect(late.stderr).toBe('pairing-agent: timed out after 1 s waiting for paired (state: unpaired)\n');

      // The daemon holds the question (no polling): still unanswered until the button is pressed.
      const socket = join(dir, 'state', 'control.sock');
      expect((await callDaemon(socket, 'GET', '/status?wait=pared&timeout_ms=10', 5_000))?.status).toBe(400);
      let held: unknown;
      const raw = callDaemon(socket, 'GET', '/status?wait=awaiting_user&timeout_ms=30000', 40_000).then((r) => (held = r?.json()));
      const awaiting = wait('awaiting_user', '--json');
      await new Promise((r) => setTimeout(r, 500));
      expect(held).toBeUndefined();
      expect((await runCli(['--config', config, 'sim', 'press'])).status).toBe(0);
      expect(await raw).toMatchObject({ state: 'awaiting_user', daemon: true });
      const a = await awaiting;
      expect(a.status, a.stderr).toBe(0);
      const code = JSON.parse(a.stdout) as { state: string; user_code: string; daemon: boolean };
      expect(code).toMatchObject({ state: 'awaiting_user', daemon: true });

      // Approved while `wait paired` is held by the daemon: it answers with the paired status.
      const paired = wait('paired', '--timeout', '30');
      await new Promise((r) => setTimeout(r, 300));
      const approvedAt = Date.now();
      await idp.approve(code.user_code, 'alice');
      const p = await paired;
      expect(p.status, p.stderr).toBe(0);
      expect(p.stdout).toMatch(/^paired/);
      // The poll interval is 1 s: the answer comes with the poll, not seconds later.
      expect(Date.now() - approvedAt).toBeLessThan(10_000);
    });
    // And once the daemon is gone, the state file still answers.
    const after = await wait('paired', '--timeout', '0', '--json');
    expect(after.status).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ state: 'paired', subject: 'alice', daemon: false });
  }, 60_000);
});
