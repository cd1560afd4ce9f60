/**
 * One writer per state directory (issue #4): a second daemon refuses to start, a dead owner's lock
 * is taken over, and concurrent `token` calls without a daemon refresh once, never with a token
 * another process already used.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockOwner, tryLock } from '../src/daemon/lock.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../src/idp/embedded.js';
import type { State } from '../src/pairing/state.js';
import { eventually, runCli, spawnDaemon } from './support/cli.js';

describe('the state lock', () => {
  it('is exclusive, released on request, and taken over from a dead owner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-lock-'));
    const lock = tryLock(dir);
    expect('release' in lock).toBe(true);
    // Another process holds it: a child that sleeps.
    if ('release' in lock) lock.release();
    const holder = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(dir, 'agent.lock'))}, process.pid + '\\n'); setTimeout(() => {}, 60000)`]);
    await eventually(async () => lockOwner(dir), 5000, 'the child to hold the lock');
    expect(tryLock(dir)).toEqual({ owner: holder.pid });
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('exit', r));
    const taken = tryLock(dir);
    expect('release' in taken).toBe(true);
    if ('release' in taken) taken.release();
  });
});

let idp: EmbeddedIdp;
const grants: string[] = [];
beforeAll(async () => {
  idp = await startEmbeddedIdp({ ttl: { accessToken: 60 } });
  const provider = idp.provider as { on(event: string, fn: (ctx: { oidc?: { params?: { grant_type?: string } } }, error?: Error) => void): void };
  provider.on('grant.success', (ctx) => grants.push(String(ctx.oidc?.params?.grant_type)));
  provider.on('grant.error', (_ctx, error) => grants.push(`error: ${error?.message}`));
});
afterAll(async () => {
  await idp.close();
});

/** Pairs through plain HTTP and returns the token set, as a paired agent would hold it. */
async function pairDirectly(): Promise<{ access_token: string; refresh_token: string }> {
  const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  const da = (await (await fetch(`${idp.issuer}/device/auth`, form({ client_id: idp.publicClientId, scope: 'openid offline_access' }))).json()) as { device_code: string; user_code: string };
  await idp.approve(da.user_code, 'carol');
  return (await (
    await fetch(`${idp.issuer}/token`, form({ client_id: idp.publicClientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.device_code }))
  ).json()) as { access_token: string; refresh_token: string };
}

describe('one writer', () => {
  it('refuses a second daemon on the same state directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-two-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, hal: 'sim', state_dir: join(dir, 'state') }));
    const first = spawnDaemon(config);
    try {
      await eventually(async () => (/event=ready/.test(first.log()) ? true : undefined), 10_000, 'the first daemon');
      const second = await runCli(['--config', config, 'run']);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`another pairing-agent \\(pid ${first.child.pid}\\) is already running on `));
    } finally {
      first.child.kill('SIGTERM');
      await new Promise((r) => first.child.on('exit', r));
    }
  });

  it('10 concurrent `token` calls without a daemon refresh once, with no reuse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-many-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, hal: 'sim', state_dir: join(dir, 'state') }));
    const tokens = await pairDirectly();
    const now = Date.now();
    // Saved a minute ago, with 5 s left: every caller wants a fresh token.
    const state: State = {
      name: 'paired',
      tokens: { accessToken: tokens.access_token, tokenType: 'Bearer', issuedAt: now - 55_000, accessExpiresAt: now + 5_000, refreshToken: tokens.refresh_token },
      identity: { subject: 'carol' },
      failures: 0,
      refreshAt: now,
    };
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    writeFileSync(join(dir, 'state', 'state.json'), JSON.stringify({ schema: 1, state }), { mode: 0o600 });
    grants.length = 0;
    const results = await Promise.all(Array.from({ length: 10 }, () => runCli(['--config', config, 'token'])));
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const handed = new Set(results.map((r) => r.stdout.trimEnd()));
    expect(handed.has(tokens.access_token)).toBe(false);
    expect(handed.size).toBe(1);
    expect(grants).toEqual(['refresh_token']);
  }, 60_000);
});
