/**
 * Table tests of the pure pairing state machine (issue #4): no timers, no I/O, no mocks.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceAuthorization, TokenSet } from '../../src/oauth/types.js';
import type { Event, State, StepContext, Tokens, TransientOutcome } from '../../src/pairing/state.js';
import { step } from '../../src/pairing/step.js';
import { autoPairPause, freshEnough, refreshTime, resumeRefreshTime } from '../../src/pairing/timing.js';

const NOW = 1_700_000_000_000;
const ctx: StepContext = { now: NOW, random: 0.5, autoPair: false, hasUserinfo: true };
const kiosk: StepContext = { ...ctx, autoPair: true };

const authorization: DeviceAuthorization = {
  deviceCode: 'dc-secret',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://idp.example.com/device',
  verificationUriComplete: 'https://idp.example.com/device?user_code=WDJB-MJHT',
  expiresIn: 600,
  expiresAt: NOW + 600_000,
  interval: 5,
  extra: {},
};
const code = {
  deviceCode: 'dc-secret',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://idp.example.com/device',
  verificationUriComplete: 'https://idp.example.com/device?user_code=WDJB-MJHT',
  expiresAt: NOW + 600_000,
  expiresIn: 600,
  interval: 5,
};
const awaiting: State = { name: 'awaiting_user', code, nextPollAt: NOW, failures: 0, deadlineTrusted: true, restarts: 0 };
const tokens: Tokens = { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: NOW - 60_000, accessExpiresAt: NOW + 240_000, refreshToken: 'rt-1' };
const paired: State = { name: 'paired', tokens, identity: { subject: 'alice', who: 'Alice' }, failures: 0, refreshAt: NOW + 165_000 };
const refreshing: State = { name: 'refreshing', tokens, identity: { subject: 'alice', who: 'Alice' }, failures: 0 };
const tokenSet: TokenSet = { accessToken: 'at-2', tokenType: 'Bearer', expiresIn: 300, refreshToken: 'rt-2', extra: {} };

const transient = (processed = false, retryAfterMs?: number): TransientOutcome => ({
  kind: 'transient',
  code: retryAfterMs === undefined ? 'no_answer' : 'unavailable',
  reason: 'timeout',
  requestMayHaveBeenProcessed: processed,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});
const oauthError = (error: string) => `${error} (HTTP 400)`;

const names = (effects: { type: string }[]) => effects.map((e) => e.type);

describe('step: starting a flow', () => {
  it.each<[string, State, Event, StepContext, string]>([
    ['a press while unpaired', { name: 'unpaired' }, { type: 'press' }, ctx, 'requesting_code'],
    ['start-up without auto_pair stays unpaired', { name: 'unpaired' }, { type: 'start' }, ctx, 'unpaired'],
    ['start-up of a kiosk (auto_pair)', { name: 'unpaired' }, { type: 'start' }, kiosk, 'requesting_code'],
    ['a press after a denial', { name: 'denied', restarts: 0 }, { type: 'press' }, ctx, 'requesting_code'],
    ['a press after expiry', { name: 'code_expired', restarts: 0 }, { type: 'press' }, ctx, 'requesting_code'],
    ['a press after an IdP error', { name: 'failed', reason: 'x', restarts: 0 }, { type: 'press' }, ctx, 'requesting_code'],
    ['a press while offline retries now', { name: 'offline', retryAt: NOW + 9000, attempt: 2, reason: 'x', restarts: 0 }, { type: 'press' }, ctx, 'requesting_code'],
    ['a long press while unpaired does nothing', { name: 'unpaired' }, { type: 'long_press' }, ctx, 'unpaired'],
    ['a timer while unpaired does nothing', { name: 'unpaired' }, { type: 'timer' }, ctx, 'unpaired'],
  ])('%s → %s', (_name, state, event, c, expected) => {
    expect(step(state, event, c)[0].name).toBe(expected);
  });

  it('requests a code and cancels any wake-up', () => {
    expect(step({ name: 'unpaired' }, { type: 'press' }, ctx)).toEqual([
      { name: 'requesting_code', attempt: 0, restarts: 0 },
      [{ type: 'wake', at: undefined }, { type: 'request_code' }],
    ]);
  });

  it('persists the device code before anything shows it, and polls one interval later', () => {
    const [next, effects] = step({ name: 'requesting_code', attempt: 0, restarts: 0 }, { type: 'device_authorization', result: { kind: 'ok', authorization } }, ctx);
    expect(next).toEqual({ name: 'awaiting_user', code, nextPollAt: NOW + 5000, failures: 0, deadlineTrusted: true, restarts: 0 });
    expect(effects[0]).toEqual({ type: 'persist' });
    expect(effects.at(-1)).toEqual({ type: 'wake', at: NOW + 5000 });
    expect(JSON.stringify(effects)).not.toContain('dc-secret');
  });

  it('goes offline with a backoff when the code request fails on the network, honouring Retry-After', () => {
    const [next, effects] = step({ name: 'requesting_code', attempt: 0, restarts: 0 }, { type: 'device_authorization', result: { kind: 'transient', reason: 'HTTP 503', retryAfterMs: 30_000 } }, ctx);
    expect(next).toEqual({ name: 'offline', retryAt: NOW + 30_000, attempt: 1, reason: 'HTTP 503', restarts: 0 });
    expect(effects).toContainEqual({ type: 'wake', at: NOW + 30_000 });
  });

  it('retries the code request when the offline timer fires, not before', () => {
    const offline: State = { name: 'offline', retryAt: NOW + 1000, attempt: 3, reason: 'x', restarts: 0 };
    expect(step(offline, { type: 'timer' }, ctx)).toEqual([offline, [{ type: 'wake', at: NOW + 1000 }]]);
    expect(step(offline, { type: 'timer' }, { ...ctx, now: NOW + 1000 })[0]).toEqual({ name: 'requesting_code', attempt: 3, restarts: 0 });
  });

  it('backs off exponentially (capped) across repeated failures', () => {
    const delays = [0, 1, 2, 3, 10, 20].map((attempt) => {
      const [next] = step({ name: 'requesting_code', attempt, restarts: 0 }, { type: 'device_authorization', result: { kind: 'transient', reason: 'x' } }, { ...ctx, random: 0.999 });
      return (next as Extract<State, { name: 'offline' }>).retryAt - NOW;
    });
    expect(delays.slice(0, 4)).toEqual([1998, 3996, 7992, 15984]);
    expect(delays[4]).toBe(299_700);
    expect(delays[5]).toBe(299_700);
  });

  it('shows an IdP refusal as a failure the person can retry', () => {
    const [next, effects] = step({ name: 'requesting_code', attempt: 0, restarts: 0 }, { type: 'device_authorization', result: { kind: 'fatal', reason: 'invalid_client: unknown client (HTTP 401)' } }, ctx);
    expect(next).toEqual({ name: 'failed', reason: 'invalid_client: unknown client (HTTP 401)', restarts: 0 });
    expect(names(effects)).toEqual(['persist', 'log', 'wake']);
  });

  it('a kiosk retries an IdP refusal after a long pause', () => {
    const [next] = step({ name: 'requesting_code', attempt: 0, restarts: 0 }, { type: 'device_authorization', result: { kind: 'fatal', reason: 'x' } }, kiosk);
    expect(next).toMatchObject({ name: 'failed', autoRetryAt: NOW + autoPairPause(1, 0.5) });
  });
});

describe('step: awaiting the user', () => {
  it('polls when the interval has passed, never before', () => {
    const early: State = { ...awaiting, nextPollAt: NOW + 1 } as State;
    expect(step(early, { type: 'timer' }, ctx)).toEqual([early, [{ type: 'wake', at: NOW + 1 }]]);
    expect(step(awaiting, { type: 'timer' }, ctx)).toEqual([awaiting, [{ type: 'poll', deviceCode: 'dc-secret', interval: 5 }]]);
  });

  it('waits one interval from the response on authorization_pending', () => {
    const [next, effects] = step(awaiting, { type: 'poll', result: { kind: 'pending' } }, { ...ctx, now: NOW + 700 });
    expect(next).toMatchObject({ nextPollAt: NOW + 700 + 5000, failures: 0 });
    expect(effects).toEqual([{ type: 'wake', at: NOW + 5700 }]);
  });

  it('adds 5 s to the interval on slow_down, for all later polls, and persists it', () => {
    const [next, effects] = step(awaiting, { type: 'poll', result: { kind: 'slow_down', interval: 5 } }, ctx);
    expect(next).toMatchObject({ code: { interval: 10 }, nextPollAt: NOW + 10_000 });
    expect(effects[0]).toEqual({ type: 'persist' });
    const [later] = step(next, { type: 'poll', result: { kind: 'pending' } }, ctx);
    expect(later).toMatchObject({ code: { interval: 10 }, nextPollAt: NOW + 10_000 });
  });

  it.each([
    [7, 7],
    [30, 30],
    [5, 10],
    [2, 10],
  ])('on slow_down with the server’s interval %d s, polls every %d s', (sent, expected) => {
    const [next] = step(awaiting, { type: 'poll', result: { kind: 'slow_down', interval: sent } }, ctx);
    expect(next).toMatchObject({ code: { interval: expected }, nextPollAt: NOW + expected * 1000 });
  });

  it('never polls faster than the interval after a network failure, and backs off beyond it', () => {
    const [first] = step(awaiting, { type: 'poll', result: transient() }, { ...ctx, random: 0 });
    expect(first).toMatchObject({ nextPollAt: NOW + 5000, failures: 1 });
    const [slow] = step({ ...awaiting, failures: 6 } as State, { type: 'poll', result: transient() }, { ...ctx, random: 0.999 });
    expect((slow as Extract<State, { name: 'awaiting_user' }>).nextPollAt - NOW).toBe(Math.floor(0.999 * 128_000));
    const [after429] = step(awaiting, { type: 'poll', result: transient(false, 60_000) }, ctx);
    expect(after429).toMatchObject({ nextPollAt: NOW + 60_000 });
  });

  it('stops on denial and shows it', () => {
    const [next, effects] = step(awaiting, { type: 'poll', result: { kind: 'denied', reason: oauthError('access_denied') } }, ctx);
    expect(next).toEqual({ name: 'denied', restarts: 0 });
    expect(names(effects)).toEqual(['persist', 'log', 'wake']);
  });

  it('stops when the server says the code expired', () => {
    expect(step(awaiting, { type: 'poll', result: { kind: 'expired', reason: oauthError('expired_token') } }, ctx)[0]).toEqual({ name: 'code_expired', restarts: 0 });
  });

  it('stops polling at the expiry it saw granted in this run (RFC 8628 §3.5)', () => {
    const [next, effects] = step(awaiting, { type: 'timer' }, { ...ctx, now: NOW + 600_000 });
    expect(next).toEqual({ name: 'code_expired', restarts: 0 });
    expect(names(effects)).not.toContain('poll');
  });

  it('after a restart, leaves expiry to the server: polls a resumed code even if the local clock says expired', () => {
    const [resumed, effects] = step(awaiting, { type: 'start' }, { ...ctx, now: NOW + 900_000 });
    expect(resumed).toMatchObject({ name: 'awaiting_user', deadlineTrusted: false, nextPollAt: NOW + 905_000, code: { userCode: 'WDJB-MJHT' } });
    expect(effects).toContainEqual({ type: 'wake', at: NOW + 905_000 });
    expect(step(resumed, { type: 'timer' }, { ...ctx, now: NOW + 905_000 })[1]).toEqual([{ type: 'poll', deviceCode: 'dc-secret', interval: 5 }]);
  });

  it('a kiosk restarts an expired code after growing pauses', () => {
    const [expired] = step({ ...awaiting, restarts: 3 } as State, { type: 'poll', result: { kind: 'expired', reason: oauthError('expired_token') } }, kiosk);
    expect(expired).toEqual({ name: 'code_expired', restarts: 3, autoRetryAt: NOW + autoPairPause(3, 0.5) });
    const [again] = step(expired, { type: 'timer' }, { ...kiosk, now: NOW + autoPairPause(3, 0.5) });
    expect(again).toEqual({ name: 'requesting_code', attempt: 0, restarts: 4 });
    expect(autoPairPause(0, 0.5)).toBeLessThan(autoPairPause(1, 0.5));
    expect(autoPairPause(4, 0.5)).toBeGreaterThan(autoPairPause(3, 0.5));
    expect(autoPairPause(50, 0.999)).toBeLessThanOrEqual(1.2 * 3_600_000);
  });

  it('a long press cancels the flow', () => {
    const [next, effects] = step(awaiting, { type: 'long_press' }, ctx);
    expect(next).toEqual({ name: 'unpaired', notice: 'cancelled' });
    expect(names(effects)).toEqual(['persist', 'wake', 'log']);
  });

  it('a short press while awaiting does not start another flow', () => {
    expect(step(awaiting, { type: 'press' }, ctx)).toEqual([awaiting, []]);
  });

  it('an OAuth refusal while polling becomes a failure state', () => {
    const result = { kind: 'refused', code: 'oauth_error', reason: 'invalid_client: unknown client (HTTP 401)', status: 401, error: 'invalid_client' } as const;
    expect(step(awaiting, { type: 'poll', result }, ctx)[0]).toEqual({ name: 'failed', reason: 'invalid_client: unknown client (HTTP 401)', restarts: 0 });
  });

  it('a garbled poll answer keeps the code and polls again later, never sooner than the interval', () => {
    const result = { kind: 'malformed', code: 'malformed', reason: 'the token endpoint answered HTML' } as const;
    const [next, effects] = step(awaiting, { type: 'poll', result }, { ...ctx, random: 0 });
    expect(next).toMatchObject({ name: 'awaiting_user', failures: 1, nextPollAt: NOW + 5000, code: { userCode: 'WDJB-MJHT' } });
    expect(effects).toContainEqual({ type: 'wake', at: NOW + 5000 });
  });
});

describe('step: tokens arrive', () => {
  it('persists the tokens first, then learns who paired, then schedules the refresh', () => {
    const [next, effects] = step(awaiting, { type: 'poll', result: { kind: 'tokens', tokens: tokenSet } }, ctx);
    const refreshAt = refreshTime(NOW, NOW + 300_000, 0.5);
    expect(next).toEqual({
      name: 'paired',
      tokens: { accessToken: 'at-2', tokenType: 'Bearer', issuedAt: NOW, accessExpiresAt: NOW + 300_000, refreshToken: 'rt-2' },
      identity: {},
      failures: 0,
      refreshAt,
    });
    expect(names(effects)).toEqual(['persist', 'log', 'fetch_identity', 'wake']);
    expect(effects.at(-1)).toEqual({ type: 'wake', at: refreshAt });
  });

  it('skips userinfo when the ID token already said who', () => {
    const [next, effects] = step(awaiting, { type: 'poll', result: { kind: 'tokens', tokens: tokenSet }, identity: { subject: 'alice', who: 'Alice' } }, ctx);
    expect(next).toMatchObject({ identity: { subject: 'alice', who: 'Alice' } });
    expect(names(effects)).not.toContain('fetch_identity');
  });

  it('does not schedule refreshes without a refresh token', () => {
    const { refreshToken: _refreshToken, ...withoutRefresh } = tokenSet;
    const [next, effects] = step(awaiting, { type: 'poll', result: { kind: 'tokens', tokens: withoutRefresh } }, ctx);
    expect(next).not.toHaveProperty('refreshAt');
    expect(effects.at(-1)).toEqual({ type: 'wake', at: undefined });
  });

  it('records who paired when userinfo answers', () => {
    expect(step(paired, { type: 'identity', identity: { who: 'Alice Example' } }, ctx)).toEqual([
      { ...paired, identity: { subject: 'alice', who: 'Alice Example' } },
      [{ type: 'persist' }],
    ]);
  });
});

describe('step: keeping the pairing fresh', () => {
  it('refreshes when the refresh time comes, persisting the in-flight mark first', () => {
    expect(step(paired, { type: 'timer' }, ctx)).toEqual([paired, [{ type: 'wake', at: NOW + 165_000 }]]);
    expect(step(paired, { type: 'timer' }, { ...ctx, now: NOW + 165_000 })).toEqual([refreshing, [{ type: 'persist' }, { type: 'refresh', refreshToken: 'rt-1' }]]);
  });

  it('an app asking for a token does not cut a refresh backoff short', () => {
    const backingOff: State = { ...paired, failures: 3, refreshAt: NOW + 20_000, tokens: { ...tokens, accessExpiresAt: NOW + 1000 } } as State;
    expect(step(backingOff, { type: 'token_wanted' }, ctx)).toEqual([backingOff, []]);
    expect(step(backingOff, { type: 'token_wanted' }, { ...ctx, now: NOW + 20_000 })[0].name).toBe('refreshing');
  });

  it('refreshes on demand when an app needs a token that is near expiry, and only then', () => {
    // 240 s left of a 300 s token: fresh enough, no refresh.
    expect(step(paired, { type: 'token_wanted' }, ctx)).toEqual([paired, []]);
    // 20 s left (< 30 s): refresh, once however many ask.
    const nearExpiry = { ...ctx, now: NOW + 220_000 };
    expect(step(paired, { type: 'token_wanted' }, nearExpiry)[0]).toEqual(refreshing);
    expect(step(refreshing, { type: 'token_wanted' }, nearExpiry)).toEqual([refreshing, []]);
  });

  it('persists a rotated refresh token before anything else', () => {
    const [next, effects] = step(refreshing, { type: 'refresh', result: { kind: 'tokens', tokens: { ...tokenSet, refreshToken: 'rt-2' }, rotated: true } }, ctx);
    expect(next).toMatchObject({ name: 'paired', tokens: { accessToken: 'at-2', refreshToken: 'rt-2' }, identity: { who: 'Alice' }, failures: 0 });
    expect(effects[0]).toEqual({ type: 'persist' });
    expect(names(effects)).not.toContain('fetch_identity');
  });

  it('keeps the ID token and scope when a refresh answer omits them', () => {
    const withId: State = { ...refreshing, tokens: { ...tokens, idToken: 'id-1', scope: 'openid' } } as State;
    const [next] = step(withId, { type: 'refresh', result: { kind: 'tokens', tokens: { ...tokenSet, refreshToken: 'rt-1' }, rotated: false } }, ctx);
    expect(next).toMatchObject({ tokens: { idToken: 'id-1', scope: 'openid', refreshToken: 'rt-1' } });
  });

  it('keeps the pairing on a network failure and retries later', () => {
    const [next, effects] = step(refreshing, { type: 'refresh', result: transient(false) }, ctx);
    expect(next).toMatchObject({ name: 'paired', tokens, failures: 1 });
    expect(next).not.toHaveProperty('refreshUncertain');
    expect(names(effects)).toEqual(['persist', 'wake', 'log']);
    expect(names(effects)).not.toContain('wipe');
  });

  it('marks a refresh whose answer was lost as uncertain, and retries only after a pause', () => {
    const [next, effects] = step(refreshing, { type: 'refresh', result: transient(true) }, { ...ctx, random: 0 });
    expect(next).toMatchObject({ name: 'paired', refreshUncertain: true, refreshAt: NOW });
    expect(names(effects)).not.toContain('refresh');
  });

  it('a crash during a refresh resumes as uncertain, not as a blind retry', () => {
    const [next, effects] = step(refreshing, { type: 'start' }, ctx);
    expect(next).toMatchObject({ name: 'paired', refreshUncertain: true, failures: 1 });
    expect(names(effects)).toEqual(['persist', 'wake']);
  });

  it('invalid_grant means the pairing is gone: wipe and unpaired with a clear notice', () => {
    const [next, effects] = step(refreshing, { type: 'refresh', result: { kind: 'invalid_grant', reason: oauthError('invalid_grant') } }, ctx);
    expect(next).toEqual({ name: 'unpaired', notice: 'pairing_lost', lostReason: oauthError('invalid_grant') });
    expect(names(effects)).toEqual(['wipe', 'persist', 'wake', 'log']);
  });

  it('a malformed refresh answer keeps the pairing and the salvaged rotated token', () => {
    const [next] = step(refreshing, { type: 'refresh', result: { kind: 'malformed', code: 'malformed', reason: 'bad', salvagedRefreshToken: 'rt-9' } }, ctx);
    expect(next).toMatchObject({ name: 'paired', tokens: { refreshToken: 'rt-9' } });
  });

  it('resumes a pairing at start-up without a network request when the refresh is not due', () => {
    expect(step(paired, { type: 'start' }, ctx)).toEqual([
      paired,
      [{ type: 'log', event: 'pairing_resumed', fields: { subject: 'alice' } }, { type: 'wake', at: NOW + 165_000 }],
    ]);
  });

  it('never wipes a pairing because the local clock says its tokens expired long ago', () => {
    const later = { ...ctx, now: NOW + 365 * 24 * 3_600_000 };
    const [next, effects] = step(paired, { type: 'start' }, later);
    expect(next.name).toBe('paired');
    expect(names(effects)).not.toContain('wipe');
    // An overdue refresh after a power cut is spread over a short window (fleet jitter).
    expect((next as Extract<State, { name: 'paired' }>).refreshAt).toBe(resumeRefreshTime(paired.refreshAt ?? 0, later.now, 300_000, 0.5));
  });
});

describe('step: unpairing', () => {
  it('a long press while paired revokes, then wipes', () => {
    const [next, effects] = step(paired, { type: 'long_press' }, ctx);
    expect(next).toEqual({ name: 'unpairing', tokens });
    expect(effects.at(-1)).toEqual({ type: 'revoke', accessToken: 'at-1', refreshToken: 'rt-1' });
    const [done, after] = step(next, { type: 'revoked', ok: true }, ctx);
    expect(done).toEqual({ name: 'unpaired', notice: 'unpaired' });
    expect(names(after)).toEqual(['wipe', 'persist', 'wake', 'log']);
  });

  it('a kiosk asks for a new code after a pause once unpaired, cancelled or its pairing is lost', () => {
    const [done, effects] = step({ name: 'unpairing', tokens }, { type: 'revoked', ok: true }, kiosk);
    const at = NOW + autoPairPause(0, 0.5);
    expect(done).toEqual({ name: 'unpaired', notice: 'unpaired', autoRetryAt: at });
    expect(effects).toContainEqual({ type: 'wake', at });
    expect(step(done, { type: 'timer' }, kiosk)).toEqual([done, [{ type: 'wake', at }]]);
    expect(step(done, { type: 'timer' }, { ...kiosk, now: at })[0]).toEqual({ name: 'requesting_code', attempt: 0, restarts: 0 });
    expect(step(awaiting, { type: 'long_press' }, kiosk)[0]).toMatchObject({ name: 'unpaired', autoRetryAt: at });
    const [lost] = step(refreshing, { type: 'refresh', result: { kind: 'invalid_grant', reason: oauthError('invalid_grant') } }, kiosk);
    expect(lost).toMatchObject({ name: 'unpaired', notice: 'pairing_lost', autoRetryAt: at });
  });

  it('wipes even when the revocation could not reach the server', () => {
    const [done, effects] = step({ name: 'unpairing', tokens }, { type: 'revoked', ok: false }, ctx);
    expect(done.name).toBe('unpaired');
    expect(names(effects)).toContain('wipe');
  });

  it('revokes what a refresh in flight brings back after the person unpaired', () => {
    const result = { kind: 'tokens' as const, tokens: { ...tokenSet, refreshToken: 'rt-2' }, rotated: true };
    expect(step({ name: 'unpairing', tokens }, { type: 'refresh', result }, ctx)).toEqual([
      { name: 'unpairing', tokens },
      [{ type: 'revoke', accessToken: 'at-2', refreshToken: 'rt-2' }],
    ]);
  });

  it('an interrupted unpairing revokes again at start-up', () => {
    expect(step({ name: 'unpairing', tokens }, { type: 'start' }, ctx)[1]).toEqual([{ type: 'revoke', accessToken: 'at-1', refreshToken: 'rt-1' }]);
  });

  it('a long press while refreshing also unpairs', () => {
    expect(step(refreshing, { type: 'long_press' }, ctx)[0].name).toBe('unpairing');
  });
});

describe('timing policies', () => {
  it.each([
    [0, 300_000, 269_000, true],
    [0, 300_000, 271_000, false],
    [0, 2_000, 1_400, true],
    [0, 2_000, 1_600, false],
    [0, undefined, 1e12, true],
  ])('a token issued at %d expiring at %s is fresh enough at %d: %s', (issued, expires, now, fresh) => {
    expect(freshEnough(issued, expires, now)).toBe(fresh);
  });

  it.each([
    [2_000, 1_300, 1_500],
    [300_000, 195_000, 225_000],
    [86_400_000, 84_300_000, 84_600_000],
  ])('refreshes a %d ms token between %d and %d ms after issue', (lifetime, earliest, latest) => {
    expect(refreshTime(0, lifetime, 0.999)).toBeGreaterThanOrEqual(earliest);
    expect(refreshTime(0, lifetime, 0)).toBe(latest);
  });

  it('never schedules a refresh before the token was issued, even for a 0 s lifetime', () => {
    expect(refreshTime(1000, 1000, 0.9)).toBe(1000);
  });
});

describe('step: stale answers', () => {
  it('ignores a poll answer for a code that is no longer shown', () => {
    const result = { kind: 'tokens' as const, tokens: tokenSet };
    expect(step(awaiting, { type: 'poll', result, deviceCode: 'an-older-code' }, ctx)).toEqual([awaiting, []]);
    expect(step({ name: 'unpaired' }, { type: 'poll', result }, ctx)).toEqual([{ name: 'unpaired' }, []]);
  });
});
