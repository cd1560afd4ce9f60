/**
 * What the panel shows for each state (table test from issue #14 item 6): state and time in, screen model
 * out, one row per case. Which name the paired screen shows has its own table in screens.names.test.ts;
 * how a model is drawn is the screens' tests' job.
 */
import { describe, expect, it } from 'vitest';
import { hasCountdown, screenFor } from '../../src/agent/view.js';
import type { PendingCode, State, Tokens } from '../../src/pairing/state.js';
import { CODE_PAGE_SECONDS } from '../../src/screens/layout-code.js';
import type { Screen } from '../../src/screens/model.js';

/** The code was issued at T0 and lives 600 s. */
const T0 = 1_000_000;
const S = 1000;
const code: PendingCode = {
  deviceCode: 'dc',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://idp.example/device',
  verificationUriComplete: 'https://idp.example/device?user_code=WDJB-MJHT',
  expiresAt: T0 + 600 * S,
  expiresIn: 600,
  interval: 5,
};
const { verificationUriComplete: _complete, ...withoutComplete } = code;
const awaiting = (pending: PendingCode = code): State => ({ name: 'awaiting_user', code: pending, nextPollAt: T0, failures: 0, deadlineTrusted: true, restarts: 0 });
const codeScreen = (secondsLeft: number, page: number): Extract<Screen, { kind: 'code' }> => ({
  kind: 'code',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://idp.example/device',
  verificationUriComplete: 'https://idp.example/device?user_code=WDJB-MJHT',
  secondsLeft,
  totalSeconds: 600,
  page,
});
const tokens: Tokens = { accessToken: 'at', tokenType: 'Bearer', issuedAt: T0 };
const alice = { subject: 'sub-1', who: 'Alice' };

describe('screenFor: one screen per state', () => {
  it.each<[string, State, number, boolean, Screen]>([
    ['unpaired, with a button', { name: 'unpaired' }, T0, true, { kind: 'press_to_pair', hasButton: true }],
    ['unpaired, a kiosk without a button', { name: 'unpaired' }, T0, false, { kind: 'press_to_pair', hasButton: false }],
    ['unpaired by a person: no notice', { name: 'unpaired', notice: 'unpaired' }, T0, true, { kind: 'press_to_pair', hasButton: true }],
    ['unpaired, the pairing lost at the server (issue #4, #16)', { name: 'unpaired', notice: 'pairing_lost' }, T0, true, { kind: 'press_to_pair', hasButton: true, notice: 'pairing_lost' }],
    ['unpaired, tokens not revoked (issue #13)', { name: 'unpaired', notice: 'unpaired', revoked: false }, T0, true, { kind: 'press_to_pair', hasButton: true, notice: 'not_revoked' }],
    ['unpaired, lost and not revoked: the lost pairing is told first', { name: 'unpaired', notice: 'pairing_lost', revoked: false }, T0, true, { kind: 'press_to_pair', hasButton: true, notice: 'pairing_lost' }],
    ['requesting a code', { name: 'requesting_code', attempt: 1, restarts: 0 }, T0, true, { kind: 'connecting' }],

    ['a code just issued: the QR page, the whole lifetime left', awaiting(), T0, true, codeScreen(600, 0)],
    ['a code 1 ms later: the countdown rounds up', awaiting(), T0 + 1, true, codeScreen(600, 0)],
    ['a code 1 s later', awaiting(), T0 + S, true, codeScreen(599, 0)],
    ['a code one page time later: the next page', awaiting(), T0 + CODE_PAGE_SECONDS * S, true, codeScreen(600 - CODE_PAGE_SECONDS, 1)],
    ['a code just before its second page', awaiting(), T0 + CODE_PAGE_SECONDS * S - 1, true, codeScreen(600 - CODE_PAGE_SECONDS + 1, 0)],
    ['a code 1 s before it expires', awaiting(), T0 + 599 * S, true, codeScreen(1, Math.floor(599 / CODE_PAGE_SECONDS))],
    ['a code past its expiry: 0 left, never negative', awaiting(), T0 + 700 * S, true, codeScreen(0, Math.floor(700 / CODE_PAGE_SECONDS))],
    ['a code read before it was issued (the clock stepped back): page 0, not negative', awaiting(), T0 - 10 * S, true, codeScreen(610, 0)],
    [
      'a code without verification_uri_complete',
      awaiting(withoutComplete),
      T0,
      true,
      { ...codeScreen(600, 0), verificationUriComplete: undefined },
    ],

    ['paired', { name: 'paired', tokens, identity: alice, failures: 0 }, T0, true, { kind: 'paired', who: 'Alice' }],
    ['paired, no name known', { name: 'paired', tokens, identity: { subject: 'sub-1' }, failures: 0 }, T0, true, { kind: 'paired', who: undefined }],
    ['paired, a refresh failed but nothing says unreachable', { name: 'paired', tokens, identity: alice, refreshAt: T0 + 5 * S, failures: 1 }, T0, true, { kind: 'paired', who: 'Alice' }],
    [
      'paired, the provider unreachable: offline with the next try counted down (issue #16)',
      { name: 'paired', tokens, identity: alice, refreshAt: T0 + 30 * S, failures: 2, unreachable: true },
      T0 + 500,
      true,
      { kind: 'offline', retryInSeconds: 30, paired: true },
    ],
    [
      'paired, unreachable, the next try overdue: 0, never negative',
      { name: 'paired', tokens, identity: alice, refreshAt: T0, failures: 2, unreachable: true },
      T0 + 5 * S,
      true,
      { kind: 'offline', retryInSeconds: 0, paired: true },
    ],
    ['paired, unreachable, no next try scheduled: paired', { name: 'paired', tokens, identity: alice, failures: 2, unreachable: true }, T0, true, { kind: 'paired', who: 'Alice' }],
    ['refreshing is invisible (issue #6)', { name: 'refreshing', tokens, identity: alice, failures: 0 }, T0, true, { kind: 'paired', who: 'Alice' }],
    ['refreshing while unreachable: offline, retrying now', { name: 'refreshing', tokens, identity: alice, failures: 1, unreachable: true }, T0, true, { kind: 'offline', retryInSeconds: 0, paired: true }],
    ['unpairing', { name: 'unpairing', tokens }, T0, true, { kind: 'unpairing' }],
    ['denied', { name: 'denied', restarts: 0 }, T0, true, { kind: 'denied' }],
    ['code expired', { name: 'code_expired', restarts: 0 }, T0, true, { kind: 'expired' }],
    ['offline, not paired', { name: 'offline', retryAt: T0 + 8 * S, attempt: 2, reason: 'ECONNREFUSED', restarts: 0 }, T0 + 2500, true, { kind: 'offline', retryInSeconds: 6, paired: false }],
    ['offline, the retry overdue', { name: 'offline', retryAt: T0, attempt: 2, reason: 'ECONNREFUSED', restarts: 0 }, T0 + 3 * S, true, { kind: 'offline', retryInSeconds: 0, paired: false }],
    ['failed, a known cause: words to act on', { name: 'failed', reason: 'invalid_client: unknown client', restarts: 0 }, T0, true, { kind: 'error', reason: "Server rejected this device's client_id" }],
    ['failed, an unknown cause: the reason itself', { name: 'failed', reason: 'something odd', restarts: 0 }, T0, true, { kind: 'error', reason: 'something odd' }],
  ])('%s', (_name, state, now, hasButton, screen) => {
    expect(screenFor(state, now, hasButton)).toEqual(screen);
  });
});

describe('screenFor with a read-only state directory (issue #13)', () => {
  const CANNOT_PAIR: Screen = { kind: 'error', reason: 'Storage read-only. Cannot pair' };
  const SERVED: Screen = { kind: 'error', reason: 'Storage read-only. Token served, not renewed' };
  it.each<[string, State, Screen]>([
    ['unpaired', { name: 'unpaired' }, CANNOT_PAIR],
    ['awaiting the user', awaiting(), CANNOT_PAIR],
    ['offline', { name: 'offline', retryAt: T0, attempt: 1, reason: 'x', restarts: 0 }, CANNOT_PAIR],
    ['failed', { name: 'failed', reason: 'x', restarts: 0 }, CANNOT_PAIR],
    ['unpairing', { name: 'unpairing', tokens }, CANNOT_PAIR],
    ['paired', { name: 'paired', tokens, identity: alice, failures: 0 }, SERVED],
    ['paired and unreachable', { name: 'paired', tokens, identity: alice, refreshAt: T0, failures: 1, unreachable: true }, SERVED],
    ['refreshing', { name: 'refreshing', tokens, identity: alice, failures: 0 }, SERVED],
  ])('%s', (_name, state, screen) => {
    expect(screenFor(state, T0, true, 'read_only')).toEqual(screen);
    // Writable is the default.
    expect(screenFor(state, T0, true, 'writable')).toEqual(screenFor(state, T0, true));
  });
});

describe('hasCountdown: which states need a re-render every second', () => {
  it.each<[string, State, boolean]>([
    ['awaiting the user', awaiting(), true],
    ['offline', { name: 'offline', retryAt: T0, attempt: 1, reason: 'x', restarts: 0 }, true],
    ['paired and unreachable', { name: 'paired', tokens, identity: alice, failures: 1, unreachable: true }, true],
    ['paired', { name: 'paired', tokens, identity: alice, failures: 0 }, false],
    ['paired, unreachable false', { name: 'paired', tokens, identity: alice, failures: 0, unreachable: false }, false],
    ['refreshing while unreachable (its screen shows 0, not a countdown)', { name: 'refreshing', tokens, identity: alice, failures: 1, unreachable: true }, false],
    ['unpaired', { name: 'unpaired' }, false],
    ['requesting a code', { name: 'requesting_code', attempt: 1, restarts: 0 }, false],
    ['unpairing', { name: 'unpairing', tokens }, false],
    ['denied', { name: 'denied', restarts: 0 }, false],
    ['code expired', { name: 'code_expired', restarts: 0 }, false],
    ['failed', { name: 'failed', reason: 'x', restarts: 0 }, false],
  ])('%s → %s', (_name, state, expected) => {
    expect(hasCountdown(state)).toBe(expected);
  });
});
