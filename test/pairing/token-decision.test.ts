/**
 * Table tests of the token decision (issue #14 item 4): whether a stored access token can be handed to
 * an app, and with which answer, for every state; and the HTTP answer `GET /token` makes of it
 * (issue #7, #12). Pure: no agent, no clock, no sockets.
 */
import { describe, expect, it } from 'vitest';
import type { State, Tokens } from '../../src/pairing/state.js';
import { replanBehindClock } from '../../src/pairing/step.js';
import { tokenDecision, type TokenAnswerDecision, type TokenDecision, type TokenToHandOut, type TokenUnavailable } from '../../src/pairing/token-decision.js';
import { tokenHttp } from '../../src/daemon/token-policy.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const identity = { subject: 'alice' };

/** An hour's token with `left` ms of it still to run at NOW. */
const tokensLeft = (left: number): Tokens => ({ accessToken: 'at', tokenType: 'Bearer', issuedAt: NOW + left - HOUR, accessExpiresAt: NOW + left, refreshToken: 'rt' });
const paired = (tokens: Tokens, more: Partial<Extract<State, { name: 'paired' }>> = {}): State => ({ name: 'paired', tokens, identity, failures: 0, ...more });
const token = (left: number, expiresIn = Math.floor(left / 1000)): TokenToHandOut => ({ kind: 'token', accessToken: 'at', tokenType: 'Bearer', expiresIn, expiresAt: NOW + left });
const notPaired = (state: State['name'], lostReason?: string): TokenUnavailable => ({ kind: 'unavailable', reason: 'not_paired', state, ...(lostReason === undefined ? {} : { lostReason }) });

const code = { deviceCode: 'dc', userCode: 'WDJB-MJHT', verificationUri: 'https://idp.example.com/device', expiresAt: NOW + 600_000, expiresIn: 600, interval: 5 };
// Issued (by the clock of the previous run) three days "after" now, for an hour (issue #12).
const fromTheFuture: Tokens = { accessToken: 'at', tokenType: 'Bearer', issuedAt: NOW + 3 * DAY, accessExpiresAt: NOW + 3 * DAY + HOUR, refreshToken: 'rt' };

describe('tokenDecision before any refresh', () => {
  it.each<[string, State, TokenDecision]>([
    ['unpaired: not paired', { name: 'unpaired' }, notPaired('unpaired')],
    ['unpaired after the provider ended the pairing: not paired, and why', { name: 'unpaired', notice: 'pairing_lost', lostReason: 'invalid_grant' }, notPaired('unpaired', 'invalid_grant')],
    ['unpaired after a logout the provider did not confirm: not paired', { name: 'unpaired', notice: 'unpaired', revoked: false, revokeReason: 'HTTP 401' }, notPaired('unpaired')],
    ['requesting a code: not paired', { name: 'requesting_code', attempt: 0, restarts: 0 }, notPaired('requesting_code')],
    ['a code on the screen (awaiting_user): not paired', { name: 'awaiting_user', code, nextPollAt: NOW, failures: 0, deadlineTrusted: true, restarts: 0 }, notPaired('awaiting_user')],
    ['unpairing (revoking): not paired, its token is being revoked', { name: 'unpairing', tokens: tokensLeft(HOUR) }, notPaired('unpairing')],
    ['denied: not paired', { name: 'denied', restarts: 0 }, notPaired('denied')],
    ['code expired: not paired', { name: 'code_expired', restarts: 0 }, notPaired('code_expired')],
    ['offline before pairing: not paired', { name: 'offline', retryAt: NOW + 2_000, attempt: 1, reason: 'no answer', restarts: 0 }, notPaired('offline')],
    ['failed: not paired', { name: 'failed', reason: 'invalid_client', restarts: 0 }, notPaired('failed')],
    ['paired, a fresh token: handed out with its seconds left', paired(tokensLeft(HOUR)), token(HOUR)],
    ['paired, 31 s left of an hour: still outlives a request (30 s)', paired(tokensLeft(31_000)), token(31_000)],
    ['paired, 30 s left of an hour: refreshed first', paired(tokensLeft(30_000)), { kind: 'refresh' }],
    ['paired, expired: refreshed first', paired(tokensLeft(-5_000)), { kind: 'refresh' }],
    [
      'paired, 20 s left of a 60 s token: a quarter of its lifetime is enough',
      paired({ accessToken: 'at', tokenType: 'Bearer', issuedAt: NOW - 40_000, accessExpiresAt: NOW + 20_000 }),
      token(20_000),
    ],
    ['paired, no lifetime stated: trusted, no expiry given', paired({ accessToken: 'at', tokenType: 'Bearer', issuedAt: NOW - DAY }), { kind: 'token', accessToken: 'at', tokenType: 'Bearer' }],
    ['paired, a DPoP-bound token: its type as stored (issue #19)', paired({ ...tokensLeft(HOUR), tokenType: 'DPoP' }), { ...token(HOUR), tokenType: 'DPoP' }],
    ['paired, the wall clock days behind the token (issue #12): never handed out, refreshed first', paired(fromTheFuture), { kind: 'refresh' }],
    ['paired, the clock a few seconds behind (NTP drift): handed out, never with more than its lifetime', paired({ ...tokensLeft(HOUR), issuedAt: NOW + 30_000 }), token(HOUR, 3_570)],
    ['paired after a refusal, the token still fresh: handed out', paired(tokensLeft(HOUR), { failures: 1, refused: 'HTTP 400' }), token(HOUR)],
    ['refreshing: wait for that refresh, ask for no other', { name: 'refreshing', tokens: tokensLeft(10_000), identity, failures: 0 }, { kind: 'await_refresh' }],
  ])('%s', (_name, state, expected) => {
    expect(tokenDecision(state, NOW)).toEqual(expected);
  });
});

describe('tokenDecision after the refresh (or the wait for it) ended', () => {
  it.each<[string, State, TokenAnswerDecision]>([
    ['refreshed: the new token', paired(tokensLeft(HOUR)), token(HOUR)],
    ['the refresh failed, 20 s still left: handed out, a better one cannot be had now', paired(tokensLeft(20_000), { failures: 1, unreachable: true }), token(20_000)],
    // Issue #13: the state could not be written, so the refresh was never sent; the state is as before.
    ['storage read-only, the refresh not sent, 20 s left: the saved token is served', paired(tokensLeft(20_000)), token(20_000)],
    ['expired, the provider could not be reached: unavailable, retrying', paired(tokensLeft(-1), { failures: 1, unreachable: true }), { kind: 'unavailable', reason: 'expired_unreachable' }],
    ['expired at this very millisecond: unavailable', paired(tokensLeft(0), { failures: 1 }), { kind: 'unavailable', reason: 'expired_unreachable' }],
    [
      'expired, the provider refused the refresh once: unavailable, saying it refused (issue #12)',
      paired(tokensLeft(-1), { failures: 1, refused: 'HTTP 400' }),
      { kind: 'unavailable', reason: 'expired_refused', refused: 'HTTP 400' },
    ],
    [
      'the clock behind, re-planned by the state machine (issue #12): taken as spent, unavailable',
      paired(replanBehindClock(fromTheFuture, NOW), { failures: 1, unreachable: true }),
      { kind: 'unavailable', reason: 'expired_unreachable' },
    ],
    ['still refreshing when the wait ran out: unavailable, for now', { name: 'refreshing', tokens: tokensLeft(-1), identity, failures: 0 }, { kind: 'unavailable', reason: 'refresh_pending' }],
    ['the provider ended the pairing (invalid_grant): not paired, and why', { name: 'unpaired', notice: 'pairing_lost', lostReason: 'grant revoked' }, notPaired('unpaired', 'grant revoked')],
    ['unpaired meanwhile (a logout): not paired', { name: 'unpairing', tokens: tokensLeft(HOUR) }, notPaired('unpairing')],
  ])('%s', (_name, state, expected) => {
    expect(tokenDecision(state, NOW, true)).toEqual(expected);
  });
});

describe('tokenDecision with a read-only state directory (issue #13): no refresh is asked for that could not be saved', () => {
  const DIR = '/var/lib/pairing-agent';
  it.each<[string, State, boolean, TokenDecision]>([
    ['a fresh token: handed out', paired(tokensLeft(HOUR)), false, token(HOUR)],
    ['20 s left of an hour: handed out, not refreshed first', paired(tokensLeft(20_000)), false, token(20_000)],
    ['expired: unavailable, because the directory is read-only', paired(tokensLeft(-1)), false, { kind: 'unavailable', reason: 'expired_read_only', stateDir: DIR }],
    ['expired after a refresh whose write failed (a remount): read-only, not "cannot be reached"', paired(tokensLeft(-1)), true, { kind: 'unavailable', reason: 'expired_read_only', stateDir: DIR }],
    ['not paired: not paired', { name: 'unpaired' }, false, notPaired('unpaired')],
  ])('%s', (_name, state, afterRefresh, expected) => {
    expect(tokenDecision(state, NOW, afterRefresh, DIR)).toEqual(expected);
  });
});

describe('GET /token for each decision (issue #7; README "Token API")', () => {
  it.each<[string, TokenAnswerDecision, { status: number; body: unknown }]>([
    [
      'a token: 200, its type and expiry',
      { kind: 'token', accessToken: 'at', tokenType: 'Bearer', expiresIn: 60, expiresAt: NOW + 60_000 },
      { status: 200, body: { access_token: 'at', token_type: 'Bearer', expires_in: 60, expires_at: new Date(NOW + 60_000).toISOString() } },
    ],
    ['a token without a stated lifetime: 200, no expiry', { kind: 'token', accessToken: 'at', tokenType: 'DPoP' }, { status: 200, body: { access_token: 'at', token_type: 'DPoP' } }],
    ['not paired: 409 with the state', notPaired('awaiting_user'), { status: 409, body: { error: 'not_paired', state: 'awaiting_user' } }],
    [
      'the pairing lost: 409, and what the provider answered',
      notPaired('unpaired', 'invalid_grant'),
      { status: 409, body: { error: 'not_paired', state: 'unpaired', reason: 'the pairing was lost: the identity provider refused it (invalid_grant)' } },
    ],
    [
      'expired, provider unreachable: 503',
      { kind: 'unavailable', reason: 'expired_unreachable' },
      { status: 503, body: { error: 'temporarily_unavailable', reason: 'the access token expired and the identity provider cannot be reached; retrying' } },
    ],
    [
      'expired, refused once: 503 saying so',
      { kind: 'unavailable', reason: 'expired_refused', refused: 'HTTP 400' },
      { status: 503, body: { error: 'temporarily_unavailable', reason: 'the access token expired and the identity provider refused the refresh: HTTP 400; asking once more before the pairing counts as lost' } },
    ],
    ['still refreshing: 503 with the state', { kind: 'unavailable', reason: 'refresh_pending' }, { status: 503, body: { error: 'temporarily_unavailable', state: 'refreshing' } }],
    [
      'expired, the state directory read-only: 503 storage_read_only, naming it (issue #13)',
      { kind: 'unavailable', reason: 'expired_read_only', stateDir: '/var/lib/pairing-agent' },
      {
        status: 503,
        body: {
          error: 'storage_read_only',
          reason: 'the access token expired and cannot be renewed: the state directory /var/lib/pairing-agent is read-only, so no refresh is sent (its new tokens could not be saved); make it writable',
        },
      },
    ],
  ])('%s', (_name, decision, expected) => {
    expect(tokenHttp(decision)).toEqual(expected);
  });
});
