/**
 * Issue #12 item 5: fast, bounded recovery after an outage. Inside a refresh backoff, an app that needs
 * a token and holds an expired one may send one refresh early — at most one every few seconds, one at
 * a time, never before a Retry-After ran out. Pure `step` tables, then the whole policy on a simulated
 * clock: a 6 s outage, an app asking once a second, every random draw of the backoff.
 */
import { describe, expect, it } from 'vitest';
import type { Effect, RefreshOutcome, State, StepContext, Tokens } from '../../src/pairing/state.js';
import { step } from '../../src/pairing/step.js';
import { ON_DEMAND_REFRESH_SPACING_MS } from '../../src/pairing/timing.js';

const NOW = 1_700_000_000_000;
const ctx: StepContext = { now: NOW, random: 0.5, autoPair: false, hasUserinfo: false };
const expired: Tokens = { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: NOW - 300_000, accessExpiresAt: NOW - 1000, refreshToken: 'rt-1' };
const backingOff: Extract<State, { name: 'paired' }> = {
  name: 'paired',
  tokens: expired,
  identity: {},
  failures: 3,
  refreshAt: NOW + 30_000,
  lastFailureAt: NOW - ON_DEMAND_REFRESH_SPACING_MS,
};

describe('step: a refresh on demand inside the backoff', () => {
  it('goes out when an app needs a token and the stored one has expired', () => {
    expect(step(backingOff, { type: 'token_wanted' }, ctx)).toEqual([
      { name: 'refreshing', tokens: expired, identity: {}, failures: 3 },
      [{ type: 'persist' }, { type: 'refresh', refreshToken: 'rt-1' }],
    ]);
  });

  it.each<[string, State]>([
    ['the last attempt was less than the spacing ago', { ...backingOff, lastFailureAt: NOW - ON_DEMAND_REFRESH_SPACING_MS + 1 }],
    ['a Retry-After still runs', { ...backingOff, retryAfterUntil: NOW + 1 }],
    ['the token has not expired yet (the app gets the old one)', { ...backingOff, tokens: { ...expired, accessExpiresAt: NOW + 10_000 } }],
    ['a refusal waits for its second look', { ...backingOff, refused: 'refused (HTTP 400)' }],
  ])('waits when %s', (_name, state) => {
    expect(step(state, { type: 'token_wanted' }, ctx)).toEqual([state, []]);
  });

  it('one at a time: a refresh in flight ignores more asks', () => {
    const [refreshing] = step(backingOff, { type: 'token_wanted' }, ctx);
    expect(step(refreshing, { type: 'token_wanted' }, ctx)).toEqual([refreshing, []]);
  });

  it('a backoff timer that comes due within the spacing waits for it', () => {
    const due: State = { ...backingOff, refreshAt: NOW, lastFailureAt: NOW - 1000 };
    expect(step(due, { type: 'timer' }, ctx)).toEqual([due, [{ type: 'wake', at: NOW - 1000 + ON_DEMAND_REFRESH_SPACING_MS }]]);
  });

  it('records when the failure happened and until when Retry-After holds', () => {
    const refreshing: State = { name: 'refreshing', tokens: expired, identity: {}, failures: 0 };
    const busy: RefreshOutcome = { kind: 'transient', code: 'unavailable', reason: 'HTTP 429', retryAfterMs: 3000, requestMayHaveBeenProcessed: false };
    expect(step(refreshing, { type: 'refresh', result: busy }, ctx)[0]).toMatchObject({ lastFailureAt: NOW, retryAfterUntil: NOW + 3000 });
  });
});

/**
 * A 6 s outage on a simulated clock: the token expires as it starts, the app asks once a second, each
 * request is answered at once (`fault` during the outage, tokens after it). Returns the requests sent
 * during the outage and how long after its end a working token was there.
 */
function outage(random: number, fault: RefreshOutcome, outageMs = 6000): { requests: number; recoveryMs: number } {
  const start = NOW;
  const end = start + outageMs;
  let state: State = { name: 'paired', tokens: { ...expired, accessExpiresAt: start + 500 }, identity: {}, failures: 0, refreshAt: start };
  let wakeAt: number | undefined = start;
  let requests = 0;
  const c = (now: number): StepContext => ({ ...ctx, now, random });
  const run = (now: number, effects: Effect[]): void => {
    for (const effect of effects) {
      if (effect.type === 'wake') wakeAt = effect.at;
      if (effect.type !== 'refresh') continue;
      if (now < end) requests++;
      const result: RefreshOutcome =
        now < end ? fault : { kind: 'tokens', tokens: { accessToken: 'at-2', tokenType: 'Bearer', expiresIn: 300, refreshToken: 'rt-2', extra: {} }, rotated: true };
      let next: Effect[];
      [state, next] = step(state, { type: 'refresh', result }, c(now));
      run(now, next);
    }
  };
  for (let now = start; now <= end + 60_000; now += 50) {
    if (wakeAt !== undefined && now >= wakeAt) {
      wakeAt = undefined;
      let effects: Effect[];
      [state, effects] = step(state, { type: 'timer' }, c(now));
      run(now, effects);
    }
    if ((now - start) % 1000 === 0 && state.name === 'paired') {
      let effects: Effect[];
      [state, effects] = step(state, { type: 'token_wanted' }, c(now));
      run(now, effects);
    }
    if (state.name === 'paired' && state.tokens.accessToken === 'at-2') return { requests, recoveryMs: now - end };
  }
  return { requests, recoveryMs: Number.POSITIVE_INFINITY };
}

describe('a 6 s outage, an app asking once a second', () => {
  const faults: [string, RefreshOutcome][] = [
    ['500', { kind: 'transient', code: 'unavailable', reason: 'HTTP 500', requestMayHaveBeenProcessed: true }],
    ['429 with Retry-After: 1', { kind: 'transient', code: 'unavailable', reason: 'HTTP 429', retryAfterMs: 1000, requestMayHaveBeenProcessed: false }],
    ['an HTML 200', { kind: 'malformed', code: 'malformed', reason: 'HTML' }],
    ['a connection reset', { kind: 'transient', code: 'no_answer', reason: 'ECONNRESET', requestMayHaveBeenProcessed: true }],
  ];
  const draws = Array.from({ length: 50 }, (_, i) => i / 50);

  it.each(faults)('%s: a working token within 5 s of the return, at most 4 requests during it, for every backoff draw', (_name, fault) => {
    for (const random of draws) {
      const { requests, recoveryMs } = outage(random, fault);
      expect(recoveryMs, `random ${random}`).toBeLessThanOrEqual(5000);
      expect(requests, `random ${random}`).toBeLessThanOrEqual(4);
    }
  });
});
