/**
 * Unpairing when the provider refuses to revoke (issue #13, item 6). Glewlwyd 2.7.5 accepts
 * revocation only with Basic client authentication or a bearer token with a configured scope, so a
 * public client's revoke gets HTTP 401. The agent still wipes (the person asked), but says the tokens
 * were not revoked: `logout` exits 3 with the provider's answer, `status --json` carries
 * `"revoked": false` until the next pairing. And when it is slow to revoke: a logout waits for both
 * revocation requests, through the daemon as without one.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { step } from '../../src/pairing/step.js';
import { pairDirectly } from '../support/direct-pairing.js';
import { PROFILES, startProviderServer, type FakeProvider } from '../support/provider-servers.js';
import { startSimulatedDevice } from 'pairing-agent/testing';
import { eventually, runCli, withDaemon } from '../support/cli.js';

let idp: FakeProvider;
beforeAll(async () => {
  idp = await startProviderServer(PROFILES.rfc8628);
});
beforeEach(() => {
  // As Glewlwyd answers a public client's revocation request: 401, empty body.
  idp.intercept((req) => (req.path === PROFILES.rfc8628.paths.revocation ? { status: 401, body: '' } : undefined));
});
afterAll(async () => {
  await idp.close();
});

/** A device paired through plain HTTP, its state on disk as a paired agent leaves it. */
async function pairedDevice(prefix: string, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = join(dir, 'config.json');
  const stateDir = join(dir, 'state');
  const settings = { issuer: idp.issuer, client_id: idp.profile.client.clientId, hal: 'sim', state_dir: stateDir, socket_path: join(dir, 'agent.sock'), ...extra };
  writeFileSync(config, JSON.stringify(settings));
  const t = await pairDirectly(idp, 'dana');
  const now = Date.now();
  mkdirSync(stateDir, { mode: 0o700 });
  writeFileSync(
    join(stateDir, 'state.json'),
    JSON.stringify({
      schema: 1,
      state: { name: 'paired', tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: now, accessExpiresAt: now + 3_600_000, refreshToken: t.refresh_token }, identity: { subject: 'dana' }, failures: 0, refreshAt: now + 3_000_000 },
    }),
    { mode: 0o600 },
  );
  return { config, settings, stateDir, stateFile: join(stateDir, 'state.json'), tokens: t };
}

const statusJson = async (config: string) => JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout) as Record<string, unknown>;

describe('unpairing with a provider that refuses revocation (Glewlwyd: 401 for public clients)', () => {
  it('logout without a daemon wipes, exits 3 and says "not revoked" with the answer; status keeps saying so', async () => {
    const { config, stateFile, tokens } = await pairedDevice('pa-norevoke-');
    const out = await runCli(['--config', config, 'logout']);
    expect(out.status, out.stderr).toBe(3);
    expect(out.stdout).toBe('unpaired\n');
    expect(out.stderr).toMatch(/^pairing-agent: unpaired, but the tokens were not revoked \(provider's answer: .*401.*\)/m);
    // The provider really was asked, and really kept the tokens.
    expect(idp.isRefreshTokenActive(tokens.refresh_token)).toBe(true);
    // Wiped all the same: the person asked the device to forget.
    expect(readFileSync(stateFile, 'utf8')).not.toContain(tokens.refresh_token);
    expect(readFileSync(stateFile, 'utf8')).not.toContain(tokens.access_token);
    const status = await statusJson(config);
    expect(status).toMatchObject({ state: 'unpaired', revoked: false, daemon: false });
    expect(String(status.revoke_reason)).toMatch(/401/);
    expect((await runCli(['--config', config, 'status'])).stdout).toMatch(/^unpaired: unpaired; tokens not revoked \(.*401.*\)\n$/);
  }, 30_000);

  it('through the daemon too, and the next pairing clears it', async () => {
    const { config } = await pairedDevice('pa-norevoke-d-');
    await withDaemon(config, async (daemon) => {
      const out = await runCli(['--config', config, 'logout']);
      expect(out.status, out.stderr).toBe(3);
      expect(out.stderr).toContain('not revoked');
      expect(await statusJson(config)).toMatchObject({ state: 'unpaired', revoked: false, daemon: true });
      expect(daemon.log()).toMatch(/event=unpaired revoked=false reason=.*401/);
      // A new pairing starts clean.
      await runCli(['--config', config, 'sim', 'press']);
      const s = await eventually(async () => {
        const st = await statusJson(config);
        return st.state === 'awaiting_user' ? st : undefined;
      }, 10_000, 'a code');
      expect(s.revoked).toBeUndefined();
    });
  }, 30_000);
});

describe('a provider slow to revoke (each request within http_timeout_ms, both together longer than one)', () => {
  // Each revocation request answers after SLOW_MS: within one HTTP timeout, but the two a logout sends
  // (the refresh token, then the access token: RFC 7009 §2.1) take longer than one request's wait.
  const HTTP_TIMEOUT_MS = 5_000;
  const SLOW_MS = 4_000;
  const slowRevocation = () =>
    idp.intercept(async (req) => {
      if (req.path === PROFILES.rfc8628.paths.revocation) await new Promise((r) => setTimeout(r, SLOW_MS));
      return undefined;
    });

  it('logout through the daemon waits for both requests: revoked and unpaired, not 504', async () => {
    slowRevocation();
    const { config, tokens } = await pairedDevice('pa-slowrevoke-', { http_timeout_ms: HTTP_TIMEOUT_MS });
    await withDaemon(config, async (daemon) => {
      const seen = idp.requests.length;
      const out = await runCli(['--config', config, 'logout'], {}, 30_000);
      expect(out, daemon.log()).toMatchObject({ status: 0, stdout: 'unpaired\n' });
      expect(idp.isRefreshTokenActive(tokens.refresh_token)).toBe(false);
      expect(idp.requests.slice(seen).filter((r) => r.path === PROFILES.rfc8628.paths.revocation).map((r) => r.form.token_type_hint)).toEqual(['refresh_token', 'access_token']);
    });
  }, 60_000);

  it("the testing API's logout() waits as long (pairing-agent/testing, issue #17)", async () => {
    slowRevocation();
    const { settings, stateDir, tokens } = await pairedDevice('pa-slowrevoke-t-', { http_timeout_ms: HTTP_TIMEOUT_MS });
    const device = await startSimulatedDevice({ config: settings, stateDir });
    try {
      expect(await device.logout()).toMatchObject({ state: 'unpaired' });
      expect(idp.isRefreshTokenActive(tokens.refresh_token)).toBe(false);
    } finally {
      await device.stop();
    }
  }, 60_000);
});

describe('a logout a crash interrupted (the state file left in `unpairing`)', () => {
  it('the token command without a daemon finishes it first: revoked, wiped, then "not paired"', async () => {
    idp.intercept(undefined);
    const { config, stateFile, tokens } = await pairedDevice('pa-unpairing-');
    // As a logout killed between its first write and the provider's answer leaves it.
    const doc = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: { tokens: unknown } };
    writeFileSync(stateFile, JSON.stringify({ schema: 1, state: { name: 'unpairing', tokens: doc.state.tokens } }), { mode: 0o600 });
    const seen = idp.requests.length;
    const out = await runCli(['--config', config, 'token']);
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    // After the agent's log of what it did (the revocation, the wipe), the answer.
    expect(out.stderr).toMatch(/event=unpaired revoked=true/);
    expect(out.stderr).toMatch(/\npairing-agent: not paired \(state unpaired\)[^\n]*\n$/);
    // Revoked at the provider (the refresh token, then the access token: RFC 7009 §2.1), and forgotten.
    expect(idp.requests.slice(seen).filter((r) => r.path === PROFILES.rfc8628.paths.revocation).map((r) => r.form.token_type_hint)).toEqual(['refresh_token', 'access_token']);
    expect(idp.isRefreshTokenActive(tokens.refresh_token)).toBe(false);
    expect(readFileSync(stateFile, 'utf8')).not.toContain(tokens.refresh_token);
    expect(await statusJson(config)).toEqual({ state: 'unpaired', reason: 'unpaired', daemon: false });
  }, 30_000);
});

describe('what counts as revoked', () => {
  it('tokens the provider calls already invalid (400 invalid_grant instead of RFC 7009\'s 200): exit 0', async () => {
    idp.intercept((req) => (req.path === PROFILES.rfc8628.paths.revocation ? { status: 400, body: { error: 'invalid_grant' } } : undefined));
    const { config } = await pairedDevice('pa-invalid-');
    const out = await runCli(['--config', config, 'logout']);
    expect(out).toMatchObject({ status: 0, stdout: 'unpaired\n' });
    expect(await statusJson(config)).toEqual({ state: 'unpaired', reason: 'unpaired', daemon: false });
  }, 30_000);

  it('the state machine keeps `revoked: false` and the reason in `unpaired`, and drops it on the next pairing', () => {
    const ctx = { now: 1000, random: 0.5, autoPair: false, hasUserinfo: false };
    const tokens = { accessToken: 'at', tokenType: 'Bearer', issuedAt: 0 };
    const [refused, effects] = step({ name: 'unpairing', tokens }, { type: 'revoked', ok: false, reason: 'HTTP 401' }, ctx);
    expect(refused).toEqual({ name: 'unpaired', notice: 'unpaired', revoked: false, revokeReason: 'HTTP 401' });
    expect(effects.slice(0, 2)).toEqual([{ type: 'wipe' }, { type: 'persist' }]);
    expect(step({ name: 'unpairing', tokens }, { type: 'revoked', ok: true }, ctx)[0]).toEqual({ name: 'unpaired', notice: 'unpaired' });
    expect(step(refused, { type: 'timer' }, ctx)[0]).toBe(refused);
    expect(step(refused, { type: 'press' }, ctx)[0]).toEqual({ name: 'requesting_code', attempt: 0, restarts: 0 });
  });
});
