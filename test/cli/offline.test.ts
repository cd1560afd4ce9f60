/**
 * `status`, `token` and `logout` when no daemon runs (issue #7: "works whether or not the daemon
 * runs"): they read the state file, or take the state lock and use the same state machine.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { eventually, runCli, startDaemon, stopDaemon } from '../support/cli.js';

let idp: EmbeddedIdp;
const dir = mkdtempSync(join(tmpdir(), 'pa-offline-'));
const config = join(dir, 'config.json');
const stateFile = join(dir, 'state', 'state.json');

async function statusJson(): Promise<Record<string, unknown>> {
  const r = await runCli(['--config', config, 'status', '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const active = async (token: string) => (await idp.introspect(token)).active;

beforeAll(async () => {
  idp = await startEmbeddedIdp({ ttl: { accessToken: 4 }, interval: 1 });
  writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: join(dir, 'state') }));
});
afterAll(async () => {
  await idp.close();
});

describe('without a daemon', () => {
  it('status says unpaired before anything happened', async () => {
    expect(await statusJson()).toEqual({ state: 'unpaired', daemon: false });
    expect((await runCli(['--config', config, 'status'])).stdout).toBe('unpaired\n');
  });

  it('token refreshes under the lock, and logout revokes and wipes', async () => {
    const daemon = await startDaemon(config);
    await runCli(['--config', config, 'sim', 'press']);
    const code = await eventually(async () => {
      const s = await statusJson();
      return s.state === 'awaiting_user' ? String(s.user_code) : undefined;
    }, 10_000, 'a code');
    await idp.approve(code, 'bob');
    await eventually(async () => ((await statusJson()).state === 'paired' ? true : undefined), 10_000, 'paired');
    await stopDaemon(daemon);

    expect(await statusJson()).toMatchObject({ state: 'paired', subject: 'bob', daemon: false });
    // Let the 4 s access token get close to expiry: `token` must refresh (and rotate) first.
    const before = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: { tokens: { refreshToken: string } } };
    await new Promise((r) => setTimeout(r, 3500));
    const t = await runCli(['--config', config, 'token']);
    expect(t.status, t.stderr).toBe(0);
    const token = t.stdout.trimEnd();
    expect(await active(token)).toBe(true);
    const after = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: { tokens: { refreshToken: string; accessToken: string } } };
    expect(after.state.tokens.refreshToken).not.toBe(before.state.tokens.refreshToken);
    expect(after.state.tokens.accessToken).toBe(token);

    const out = await runCli(['--config', config, 'logout']);
    expect(out).toMatchObject({ status: 0, stdout: 'unpaired\n' });
    expect(await active(token)).toBe(false);
    expect(readFileSync(stateFile, 'utf8')).not.toContain(token);
    expect(await statusJson()).toMatchObject({ state: 'unpaired', daemon: false });

    const none = await runCli(['--config', config, 'token']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^pairing-agent: not paired \(state unpaired\)/);
  }, 40_000);

  it('status reports a corrupt state file and leaves it alone; the agent then keeps it aside, as status said', async () => {
    writeFileSync(stateFile, '{"schema":1,"state":{"name":"pai');
    const r = await runCli(['--config', config, 'status']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`pairing-agent: ${stateFile}: not valid JSON (error at byte 32) (the agent will keep it aside and start unpaired)\n`);
    expect(readFileSync(stateFile, 'utf8')).toBe('{"schema":1,"state":{"name":"pai');
    // The agent (here the token command's, without a daemon) does what status announced.
    const t = await runCli(['--config', config, 'token']);
    expect(t.stderr).toMatch(/^pairing-agent: not paired \(state unpaired\)/m);
    const kept = readdirSync(join(dir, 'state')).filter((name) => name.startsWith('state.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, 'state', kept[0] ?? ''), 'utf8')).toBe('{"schema":1,"state":{"name":"pai');
  });

  it('sim commands say clearly that no daemon runs', async () => {
    const r = await runCli(['--config', config, 'sim', 'press']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no pairing-agent daemon is running on .*start it with "pairing-agent run"/);
  });
});
