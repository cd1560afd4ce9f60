/**
 * Issue #12, items 1 and 4: refresh-token windows and no refresh storms. The pure state machine with
 * the providers' own answers (seed 001's Keycloak numbers, GitHub's `refresh_token_expires_in`), the
 * state file on disk, and agents on a virtual clock against a loopback provider whose answers say
 * `expires_in: 0` or `1`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pollOutcome, refreshOutcome } from '../../src/agent/outcomes.js';
import { statusOf } from '../../src/daemon/status.js';
import { validateConfig } from '../../src/config/validate.js';
import { processPollResponse, processRefreshResponse } from '../../src/oauth/token-response.js';
import type { HttpResponse, TokenSet } from '../../src/oauth/types.js';
import type { State, StepContext, Tokens } from '../../src/pairing/state.js';
import { step } from '../../src/pairing/step.js';
import { ON_DEMAND_REFRESH_SPACING_MS, MIN_REFRESH_SPACING_MS } from '../../src/pairing/timing.js';
import { FileStateStore } from '../../src/store/file-store.js';
import { NO_FAULTS } from '../soak/fault-gate.js';
import { runSoak } from '../soak/harness.js';
import { soakProfile } from '../soak/provider.js';
import { MINUTE } from '../soak/time.js';

const NOW = 1_700_000_000_000;
const S = 1000;
const ctx: StepContext = { now: NOW, random: 0.5, autoPair: false, hasUserinfo: false };
const json = (status: number, value: unknown): HttpResponse => ({ status, headers: {}, body: { kind: 'json', value }, url: 'https://idp.example.com/token' });

/** Seed 001: Keycloak's device-code answer, numbers verbatim. */
const KEYCLOAK = { access_token: 'at-1', expires_in: 86375, refresh_expires_in: 1775, refresh_token: 'rt-1', token_type: 'Bearer', 'not-before-policy': 0, session_state: 'x', scope: '' };
const code = { deviceCode: 'dc', userCode: 'WDJB-MJHT', verificationUri: 'https://idp.example.com/device', expiresAt: NOW + 600_000, expiresIn: 600, interval: 5 };
const awaiting: State = { name: 'awaiting_user', code, nextPollAt: NOW, failures: 0, deadlineTrusted: true, restarts: 0 };

function pairWith(body: Record<string, unknown>, c: StepContext = ctx): Extract<State, { name: 'paired' }> {
  const result = pollOutcome(processPollResponse(json(200, body), 5, c.now));
  const [next] = step(awaiting, { type: 'poll', result }, c);
  if (next.name !== 'paired') throw new Error(`not paired: ${next.name}`);
  return next;
}

function refreshWith(from: Extract<State, { name: 'paired' }>, body: Record<string, unknown>, c: StepContext): Extract<State, { name: 'paired' }> {
  const refreshing: State = { name: 'refreshing', tokens: from.tokens, identity: from.identity, failures: 0 };
  const [next] = step(refreshing, { type: 'refresh', result: refreshOutcome(processRefreshResponse(json(200, body), from.tokens.refreshToken ?? '', c.now)) }, c);
  if (next.name !== 'paired') throw new Error(`not paired: ${next.name}`);
  return next;
}

describe('refresh-token windows (issue #12 item 1)', () => {
  it('Keycloak (seed 001): refreshes ahead of the 1775 s idle window, not the 86375 s access token', () => {
    for (const random of [0, 0.5, 0.999]) {
      const s = pairWith(KEYCLOAK, { ...ctx, random });
      expect(s.tokens.refreshExpiresAt).toBe(NOW + 1775 * S);
      expect(s.tokens.accessExpiresAt).toBe(NOW + 86375 * S);
      // The same margin and jitter as for access tokens: a quarter of the window, up to 10 % jitter.
      expect(s.refreshAt).toBeLessThanOrEqual(NOW + 0.75 * 1775 * S);
      expect(s.refreshAt).toBeGreaterThanOrEqual(NOW + 0.65 * 1775 * S);
    }
  });

  it('each refresh answer restates the idle window, so the refresh after it is again ~20 min out', () => {
    const first = pairWith(KEYCLOAK);
    const later = { ...ctx, now: first.refreshAt! };
    const second = refreshWith(first, { ...KEYCLOAK, access_token: 'at-2', refresh_token: 'rt-2', expires_in: 85745, refresh_expires_in: 1800 }, later);
    expect(second.tokens.refreshExpiresAt).toBe(later.now + 1800 * S);
    expect(second.refreshAt! - later.now).toBeLessThan(1800 * S);
    expect(second.refreshAt! - later.now).toBeGreaterThan(1800 * S * 0.6);
    // An answer that states no window does not inherit the old one (it would be in the past).
    const third = refreshWith(second, { access_token: 'at-3', refresh_token: 'rt-3', token_type: 'Bearer', expires_in: 600 }, { ...ctx, now: second.refreshAt! });
    expect(third.tokens.refreshExpiresAt).toBeUndefined();
  });

  it('refresh_expires_in 0 is an offline token: no idle window, the access token sets the pace', () => {
    const s = pairWith({ ...KEYCLOAK, expires_in: 300, refresh_expires_in: 0 });
    expect(s.tokens.refreshExpiresAt).toBeUndefined();
    expect(s.refreshAt).toBe(NOW + 300 * S - 75 * S - 0.5 * 30 * S);
  });

  it("GitHub's refresh_token_expires_in is a window too; the soonest one wins", () => {
    const github = { access_token: 'gho_1', token_type: 'bearer', expires_in: 28800, refresh_token: 'ghr_1', refresh_token_expires_in: 15897600, scope: '' };
    const parsed = processPollResponse(json(200, github), 5, NOW);
    expect(parsed).toMatchObject({ kind: 'tokens', tokens: { refreshTokenExpiresIn: 15897600 } });
    const longRefresh = pairWith(github);
    expect(longRefresh.tokens.refreshExpiresAt).toBe(NOW + 15897600 * S);
    expect(longRefresh.refreshAt).toBeLessThan(NOW + 28800 * S);
    const shortRefresh = pairWith({ ...github, refresh_token_expires_in: 600 });
    expect(shortRefresh.refreshAt).toBeLessThan(NOW + 600 * S);
    // Malformed, it is kept aside rather than failing a pairing.
    expect(processPollResponse(json(200, { ...github, refresh_token_expires_in: 'soon' }), 5, NOW)).toMatchObject({ kind: 'tokens', tokens: { extra: { refresh_token_expires_in: 'soon' } } });
  });

  it('the configured refresh_idle_timeout (Auth0 inactivity lifetime) is a window the provider does not state', () => {
    const auth0 = { access_token: 'at', token_type: 'Bearer', expires_in: 86400, refresh_token: 'rt' };
    const s = pairWith(auth0, { ...ctx, refreshIdleTimeoutMs: 3600 * S });
    expect(s.tokens.refreshExpiresAt).toBe(NOW + 3600 * S);
    expect(s.refreshAt).toBeLessThan(NOW + 3600 * S);
    // A stated window shorter than the configured one still wins.
    expect(pairWith(KEYCLOAK, { ...ctx, refreshIdleTimeoutMs: 3600 * S }).tokens.refreshExpiresAt).toBe(NOW + 1775 * S);
    // No refresh token, no refresh window.
    expect(pairWith({ access_token: 'at', token_type: 'Bearer', expires_in: 600 }, { ...ctx, refreshIdleTimeoutMs: 3600 * S }).tokens.refreshExpiresAt).toBeUndefined();
  });

  it('refresh_idle_timeout is a config key in seconds, from 60 s to a year', () => {
    const base = { client_id: 'c', issuer: 'https://idp.example.com' };
    expect(validateConfig({ file: { ...base, refresh_idle_timeout: 2592000 }, path: '/c.json', env: {} }).refresh_idle_timeout).toBe(2592000);
    expect(validateConfig({ file: base, path: '/c.json', env: { PAIRING_AGENT_REFRESH_IDLE_TIMEOUT: '1800' } }).refresh_idle_timeout).toBe(1800);
    expect(() => validateConfig({ file: { ...base, refresh_idle_timeout: 5 }, path: '/c.json', env: {} })).toThrow(/refresh_idle_timeout.*between 60 and 31622400/);
    expect(() => validateConfig({ file: { ...base, refresh_idle_timeout: '30m' }, path: '/c.json', env: {} })).toThrow(/refresh_idle_timeout.*must be an integer/);
  });

  it('the window is persisted: a restart plans from it and status --json shows it', () => {
    const s = pairWith(KEYCLOAK);
    const dir = mkdtempSync(join(tmpdir(), 'pa-windows-'));
    const { store } = FileStateStore.open(dir);
    return store.save(s).then(() => {
      const loaded = FileStateStore.open(dir).state;
      expect(loaded).toEqual(s);
      // Restarted an hour later (the refresh is overdue): resumed within a minute, not a day later.
      const later = { ...ctx, now: NOW + 3600 * S };
      const [resumed] = step(loaded!, { type: 'start' }, later);
      expect(resumed.name === 'paired' && resumed.refreshAt! - later.now).toBeLessThanOrEqual(60 * S);
      expect(statusOf(loaded!, false)).toMatchObject({ refresh_expires_at: new Date(NOW + 1775 * S).toISOString(), access_token_expires_at: new Date(NOW + 86375 * S).toISOString() });
      expect(statusOf(pairWith({ ...KEYCLOAK, refresh_expires_in: 0 }), false)).not.toHaveProperty('refresh_expires_at');
    });
  });
});

describe('no refresh storms (issue #12 item 4)', () => {
  const tokenSet = (expiresIn: number | undefined): TokenSet => ({ accessToken: 'at', tokenType: 'Bearer', refreshToken: 'rt', extra: {}, ...(expiresIn === undefined ? {} : { expiresIn }) });
  const pairedWith = (expiresIn: number | undefined) => {
    const [next] = step(awaiting, { type: 'poll', result: { kind: 'tokens', tokens: tokenSet(expiresIn) } }, ctx);
    return next as Extract<State, { name: 'paired' }>;
  };

  it('a lifetime under one second counts as not stated: nothing scheduled, the token is served', () => {
    const s = pairedWith(0);
    expect(s.tokens).not.toHaveProperty('accessExpiresAt');
    expect(s.refreshAt).toBeUndefined();
    // An app asking does not refresh it either.
    expect(step(s, { type: 'token_wanted' }, { ...ctx, now: NOW + 60 * S })).toEqual([s, []]);
  });

  it.each([1, 2, 10])('a %i s token is refreshed no sooner than the spacing floor after it arrived', (seconds) => {
    expect(pairedWith(seconds).refreshAt).toBe(NOW + MIN_REFRESH_SPACING_MS);
  });

  it('an app asking for a nearly expired token refreshes it, but not right after the last refresh', () => {
    const s = pairedWith(2);
    const tooSoon = { ...ctx, now: NOW + ON_DEMAND_REFRESH_SPACING_MS - 1 };
    expect(step(s, { type: 'token_wanted' }, tooSoon)).toEqual([s, []]);
    expect(step(s, { type: 'token_wanted' }, { ...ctx, now: NOW + ON_DEMAND_REFRESH_SPACING_MS })[0].name).toBe('refreshing');
  });

  it.each([0, 1])('a provider answering expires_in: %i gets at most 6 refreshes a minute (virtual clock)', async (lifetime) => {
    const minutes = 10;
    const r = await runSoak({ agents: 2, hours: minutes / 60, plan: NO_FAULTS, seed: 12, profile: { ...soakProfile(lifetime), accessTokenLifetime: lifetime }, timeoutMs: 5000 });
    expect(r.pairings).toBe(2);
    expect(r.lost).toBe(0);
    // Paired within the first 1.5 minutes, then at most one refresh per MIN_REFRESH_SPACING_MS.
    expect(r.idp.refreshes).toBeLessThanOrEqual(2 * (minutes * MINUTE) / MIN_REFRESH_SPACING_MS);
    if (lifetime === 1) expect(r.idp.refreshes).toBeGreaterThan(2 * 8 * 3);
    else expect(r.idp.refreshes).toBe(0);
  }, 60_000);
});
