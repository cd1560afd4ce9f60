/**
 * Table test of the `logout` event of the pure pairing state machine (issue #14 item 4): which states a
 * logout applies to, and what it does there, for the daemon's `POST /logout` and the `logout` command
 * without a daemon alike (issue #7). No timers, no I/O.
 */
import { describe, expect, it } from 'vitest';
import type { Effect, State, StepContext, Tokens } from '../../src/pairing/state.js';
import { step } from '../../src/pairing/step.js';
import { autoPairPause } from '../../src/pairing/timing.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
const ctx: StepContext = { now: NOW, random: 0.5, autoPair: false, hasUserinfo: true };
const kiosk: StepContext = { ...ctx, autoPair: true };

const tokens: Tokens = { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: NOW - 60_000, accessExpiresAt: NOW + 240_000, refreshToken: 'rt-1' };
const identity = { subject: 'alice', who: 'Alice' };
const code = { deviceCode: 'dc', userCode: 'WDJB-MJHT', verificationUri: 'https://idp.example.com/device', expiresAt: NOW + 600_000, expiresIn: 600, interval: 5 };
const awaiting: State = { name: 'awaiting_user', code, nextPollAt: NOW + 5_000, failures: 0, deadlineTrusted: true, restarts: 0 };
const paired: State = { name: 'paired', tokens, identity, failures: 0, refreshAt: NOW + 165_000 };
const refreshing: State = { name: 'refreshing', tokens, identity, failures: 1, refreshUncertain: true };
const revoke: Effect = { type: 'revoke', accessToken: 'at-1', refreshToken: 'rt-1' };
const unpairingEffects: Effect[] = [{ type: 'persist' }, { type: 'wake', at: undefined }, { type: 'log', event: 'unpairing', fields: { subject: 'alice' } }, revoke];

describe('logout: the states it applies to', () => {
  it.each<[string, State, StepContext, State, Effect[]]>([
    ['paired: revokes, then forgets (unpairing, persisted first)', paired, ctx, { name: 'unpairing', tokens }, unpairingEffects],
    ['refreshing: revokes the tokens it has (a rotated one comes back and is revoked too)', refreshing, ctx, { name: 'unpairing', tokens }, unpairingEffects],
    [
      'a code on the screen: given up, unpaired (cancelled)',
      awaiting,
      ctx,
      { name: 'unpaired', notice: 'cancelled' },
      [{ type: 'persist' }, { type: 'wake', at: undefined }, { type: 'log', event: 'cancelled', fields: { user_code: 'WDJB-MJHT' } }],
    ],
    [
      'a code on a kiosk: given up, and a new one asked for after a pause (issue #4 auto_pair)',
      awaiting,
      kiosk,
      { name: 'unpaired', notice: 'cancelled', autoRetryAt: NOW + autoPairPause(0, 0.5) },
      [{ type: 'persist' }, { type: 'wake', at: NOW + autoPairPause(0, 0.5) }, { type: 'log', event: 'cancelled', fields: { user_code: 'WDJB-MJHT' } }],
    ],
  ])('%s', (_name, state, context, next, effects) => {
    expect(step(state, { type: 'logout' }, context)).toEqual([next, effects]);
  });

  it('paired with the clock days behind the tokens (issue #12): re-planned and persisted, then unpaired as usual', () => {
    const behind: State = { ...paired, tokens: { ...tokens, issuedAt: NOW + 3 * DAY, accessExpiresAt: NOW + 3 * DAY + 300_000 } };
    const [next, effects] = step(behind, { type: 'logout' }, ctx);
    expect(next.name).toBe('unpairing');
    expect(effects[0]).toEqual({ type: 'log', event: 'clock_behind', fields: { by_ms: 3 * DAY } });
    expect(effects.at(-1)).toEqual({ type: 'revoke', accessToken: 'at-1', refreshToken: 'rt-1' });
  });

  it.each<[string, State]>([
    ['paired', paired],
    ['refreshing', refreshing],
    ['awaiting_user', awaiting],
  ])('%s: exactly what a long press does there', (_name, state) => {
    expect(step(state, { type: 'logout' }, kiosk)).toEqual(step(state, { type: 'long_press' }, kiosk));
  });
});

describe('logout: the states it leaves alone', () => {
  it.each<[string, State]>([
    ['unpaired: nothing to forget', { name: 'unpaired' }],
    ['unpaired, not revoked last time: stays so (the screen keeps saying it)', { name: 'unpaired', notice: 'unpaired', revoked: false, revokeReason: 'HTTP 401' }],
    ['unpairing: its revocation is already under way', { name: 'unpairing', tokens }],
    ['requesting a code: no code yet', { name: 'requesting_code', attempt: 1, restarts: 0 }],
    ['offline before pairing', { name: 'offline', retryAt: NOW + 2_000, attempt: 1, reason: 'no answer', restarts: 0 }],
    // A long press dismisses these to `unpaired`; a logout reports them (exit 1, issue #7).
    ['denied', { name: 'denied', restarts: 0 }],
    ['code expired', { name: 'code_expired', restarts: 2 }],
    ['failed', { name: 'failed', reason: 'invalid_client', restarts: 0 }],
    ['failed on a kiosk, a restart planned: kept', { name: 'failed', reason: 'invalid_client', autoRetryAt: NOW + 30_000, restarts: 1 }],
  ])('%s', (_name, state) => {
    expect(step(state, { type: 'logout' }, kiosk)).toEqual([state, []]);
  });
});
