/**
 * Issue #12 item 6: refusals without an RFC body. Glewlwyd 2.7 answers a refresh with a deleted or
 * replayed refresh token with HTTP 400 and an empty body, where RFC 6749 §5.2 wants `invalid_grant`.
 * A refusal from the token endpoint (a 4xx other than 408/429), repeated after a pause, means the
 * pairing is gone: `unpaired` with the provider's answer, within about a minute. One stray refusal, a
 * 5xx, a captive portal's HTML 200 or a timeout never unpairs. Messages say "refused", not "cannot be
 * reached", when the provider answered.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { memoryStore } from '../../dev/agent/memory-store.js';
import { validateConfig } from '../../src/config/index.js';
import type { Event, RefreshOutcome, State, StepContext, Tokens } from '../../src/pairing/state.js';
import { step } from '../../src/pairing/step.js';
import { REFUSAL_RECHECK_JITTER_MS, REFUSAL_RECHECK_MS } from '../../src/pairing/timing.js';
import { runCli } from '../support/cli.js';
import { PROFILES, startProviderServer, type CannedResponse, type FakeProvider } from '../support/provider-servers.js';
import { createVirtualTime } from '../support/virtual-time.js';

const NOW = 1_700_000_000_000;
const ctx: StepContext = { now: NOW, random: 0.5, autoPair: false, hasUserinfo: true };
const tokens: Tokens = { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: NOW - 300_000, accessExpiresAt: NOW - 1000, refreshToken: 'rt-1' };
const refreshing: State = { name: 'refreshing', tokens, identity: { subject: 'dana' }, failures: 0 };
const emptyBody400: RefreshOutcome = { kind: 'refused', code: 'http_refusal', reason: 'refused (unexpected HTTP 400 with an empty body from idp)', status: 400 };
const refresh = (result: RefreshOutcome): Event => ({ type: 'refresh', result });
const names = (effects: { type: string }[]) => effects.map((e) => e.type);

describe('step: a refresh refused without invalid_grant', () => {
  it('keeps the pairing after one refusal and asks again after a pause', () => {
    const [next, effects] = step(refreshing, refresh(emptyBody400), ctx);
    expect(next).toMatchObject({ name: 'paired', tokens, refused: emptyBody400.reason, failures: 1 });
    const at = (next as Extract<State, { name: 'paired' }>).refreshAt!;
    expect(at - NOW).toBeGreaterThanOrEqual(REFUSAL_RECHECK_MS);
    expect(at - NOW).toBeLessThanOrEqual(REFUSAL_RECHECK_MS + REFUSAL_RECHECK_JITTER_MS);
    expect(names(effects)).toEqual(['persist', 'wake', 'log']);
  });

  it('unpairs with the reason when the refusal is repeated', () => {
    const [first] = step(refreshing, refresh(emptyBody400), ctx);
    const later = { ...ctx, now: (first as Extract<State, { name: 'paired' }>).refreshAt! };
    const [again] = step(first, { type: 'timer' }, later);
    expect(again).toMatchObject({ name: 'refreshing', refused: emptyBody400.reason });
    const [lost, effects] = step(again, refresh(emptyBody400), later);
    expect(lost).toEqual({ name: 'unpaired', notice: 'pairing_lost', lostReason: emptyBody400.reason });
    expect(names(effects)).toEqual(['wipe', 'persist', 'wake', 'log']);
  });

  it.each<[string, RefreshOutcome]>([
    ['a 503', { kind: 'transient', code: 'unavailable', reason: 'HTTP 503', requestMayHaveBeenProcessed: true }],
    ['a captive portal', { kind: 'malformed', code: 'malformed', reason: 'HTML' }],
    ['a timeout', { kind: 'transient', code: 'no_answer', reason: 'timeout', requestMayHaveBeenProcessed: true }],
  ])('a refusal followed by %s is not "repeated": the pairing stays', (_name, between) => {
    const [first] = step(refreshing, refresh(emptyBody400), ctx);
    const [again] = step(first, { type: 'timer' }, { ...ctx, now: NOW + 60_000 });
    const [after] = step(again, refresh(between), { ...ctx, now: NOW + 60_000 });
    expect(after).toMatchObject({ name: 'paired' });
    expect(after).not.toHaveProperty('refused');
    const [once] = step(step(after, { type: 'timer' }, { ...ctx, now: NOW + 3_600_000 })[0], refresh(emptyBody400), { ...ctx, now: NOW + 3_600_000 });
    expect(once.name).toBe('paired');
  });

  it('an app asking for a token does not cut the pause short', () => {
    const [first] = step(refreshing, refresh(emptyBody400), ctx);
    expect(step(first, { type: 'token_wanted' }, { ...ctx, now: NOW + 5000 })).toEqual([first, []]);
  });

  it('invalid_grant still unpairs at once, with the reason', () => {
    expect(step(refreshing, refresh({ kind: 'invalid_grant', reason: 'invalid_grant (HTTP 400)' }), ctx)[0]).toEqual({
      name: 'unpaired',
      notice: 'pairing_lost',
      lostReason: 'invalid_grant (HTTP 400)',
    });
  });
});

let idp: FakeProvider;
beforeAll(async () => {
  idp = await startProviderServer(PROFILES.glewlwyd);
});
afterAll(async () => {
  await idp.close();
});

/** Tokens from a real pairing with the fake Glewlwyd, through plain HTTP. */
async function pairedTokens(): Promise<{ access_token: string; refresh_token: string }> {
  const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  const clientId = idp.profile.client.clientId;
  const da = (await (await fetch(idp.endpoints.deviceAuthorizationEndpoint, form({ client_id: clientId, scope: 'openid offline_access' }))).json()) as { device_code: string; user_code: string };
  idp.approve(da.user_code, 'dana');
  const t = await fetch(idp.endpoints.tokenEndpoint, form({ client_id: clientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.device_code }));
  return (await t.json()) as { access_token: string; refresh_token: string };
}

/** A paired agent on a virtual clock, its refresh due in a second; `answer` overrides refresh answers. */
async function pairedAgent(answer?: () => CannedResponse | undefined) {
  const t = await pairedTokens();
  const vt = createVirtualTime(NOW);
  const dir = mkdtempSync(join(tmpdir(), 'pa-refusal-'));
  const config = validateConfig({ file: { issuer: idp.issuer, client_id: idp.profile.client.clientId, http_timeout_ms: 500, hal: 'sim', state_dir: dir }, path: join(dir, 'c.json'), env: {} });
  const paired: State = {
    name: 'paired',
    tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: NOW - 3_000_000, accessExpiresAt: NOW + 600_000, refreshToken: t.refresh_token },
    identity: { subject: 'dana' },
    failures: 0,
    refreshAt: NOW + 1000,
  };
  const refreshes: number[] = [];
  idp.intercept((req) => {
    if (req.form.grant_type !== 'refresh_token') return undefined;
    refreshes.push(vt.now());
    return answer?.();
  });
  const store = memoryStore(paired);
  const hal = { display: { width: 128, height: 64, show: async () => {}, setContrast: async () => {}, setPower: async () => {}, close: async () => {} }, close: async () => {} };
  const agent = new Agent({ store, idp: createIdpClient(config, { log: () => {} }), hal, clock: vt.clock(0.5), log: () => {}, autoPair: false, timers: vt.timers });
  await agent.start();
  return { agent, vt, refreshes, tokens: t };
}

describe('the agent against a provider answering as Glewlwyd 2.7.5', () => {
  it('a deleted session (empty-body 400 on refresh) ends the pairing within about a minute, with the reason', async () => {
    const { agent, vt, refreshes } = await pairedAgent();
    idp.endSessions();
    await vt.runUntil([agent], NOW + 5 * 60_000);
    expect(agent.state).toMatchObject({ name: 'unpaired', notice: 'pairing_lost', lostReason: expect.stringMatching(/refused.*HTTP 400/) });
    expect(refreshes).toHaveLength(2);
    expect(refreshes[1]! - refreshes[0]!).toBeGreaterThanOrEqual(REFUSAL_RECHECK_MS);
    expect(refreshes[1]! - refreshes[0]!).toBeLessThanOrEqual(60_000);
    await agent.stop();
  }, 30_000);

  it('one stray refusal (a proxy’s 403) does not unpair', async () => {
    let stray = true;
    const { agent, vt, refreshes } = await pairedAgent(() => {
      if (!stray) return undefined;
      stray = false;
      return { status: 403, headers: { 'content-type': 'text/html' }, body: '<html>Forbidden</html>' };
    });
    await vt.runUntil([agent], NOW + 5 * 60_000);
    expect(agent.state).toMatchObject({ name: 'paired' });
    expect(agent.state).not.toHaveProperty('refused');
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    await agent.stop();
  }, 30_000);

  it.each<[string, CannedResponse]>([
    ['503', { status: 503, body: 'down' }],
    ['a captive portal HTML 200', { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Log in to the Wi-Fi</html>' }],
    ['a 302 to a portal', { status: 302, headers: { location: 'http://portal.example/' }, body: '' }],
  ])('%s for an hour never unpairs', async (_name, answer) => {
    const { agent, vt, refreshes } = await pairedAgent(() => answer);
    await vt.runUntil([agent], NOW + 60 * 60_000);
    expect(agent.state.name).toMatch(/^(paired|refreshing)$/);
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    await agent.stop();
  }, 60_000);
});

describe('pairing-agent token after a refusal', () => {
  it('says the provider refused, not that it cannot be reached', async () => {
    const t = await pairedTokens();
    const dir = mkdtempSync(join(tmpdir(), 'pa-refusal-cli-'));
    const config = join(dir, 'config.json');
    const stateDir = join(dir, 'state');
    writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.profile.client.clientId, hal: 'sim', state_dir: stateDir, socket_path: join(dir, 'agent.sock') }));
    const now = Date.now();
    mkdirSync(stateDir, { mode: 0o700 });
    const state: State = {
      name: 'paired',
      tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: now - 3_700_000, accessExpiresAt: now - 100_000, refreshToken: t.refresh_token },
      identity: { subject: 'dana' },
      failures: 0,
      refreshAt: now - 100_000,
    };
    writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ schema: 1, state }), { mode: 0o600 });
    idp.intercept(undefined);
    idp.endSessions();
    const out = await runCli(['--config', config, 'token']);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/refused/);
    expect(out.stderr).not.toMatch(/cannot be reached/);
    const status = JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ state: 'paired', refresh_refused: expect.stringMatching(/HTTP 400/) });
  }, 60_000);
});
