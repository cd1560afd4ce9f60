/**
 * `status --json` is a public contract (issue #7; table test from issue #14 item 6): one row per state,
 * the exact JSON a script reads and the line a person reads. Exact objects, so a key that appears,
 * disappears or changes its type shows here first. Never a secret: no device code, no token.
 */
import { describe, expect, it } from 'vitest';
import { isStateName, printableStatus, STATE_NAMES, statusLine, statusOf, type Status } from '../../src/daemon/status.js';
import type { PendingCode, State, Tokens } from '../../src/pairing/state.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** Every secret a state may hold: none of them may reach `status`. */
const SECRETS = ['dc-SECRET-device-code', 'at-SECRET-access', 'rt-SECRET-refresh', 'id-SECRET-id-token'];
const code: PendingCode = {
  deviceCode: 'dc-SECRET-device-code',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://idp.example/device',
  verificationUriComplete: 'https://idp.example/device?user_code=WDJB-MJHT',
  expiresAt: T0 + 600_000,
  expiresIn: 600,
  interval: 5,
};
const { verificationUriComplete: _complete, ...withoutComplete } = code;
const tokens: Tokens = {
  accessToken: 'at-SECRET-access',
  tokenType: 'Bearer',
  accessExpiresAt: T0 + 300_000,
  issuedAt: T0,
  refreshToken: 'rt-SECRET-refresh',
  refreshExpiresAt: T0 + 1_800_000,
  idToken: 'id-SECRET-id-token',
};
const bare: Tokens = { accessToken: 'at-SECRET-access', tokenType: 'Bearer', issuedAt: T0 };
const alice = { subject: 'sub-123', who: 'Alice' };

describe('status of each state', () => {
  it.each<[string, State, Status, string]>([
    ['unpaired, nothing to say', { name: 'unpaired' }, { state: 'unpaired', daemon: true }, 'unpaired'],
    ['unpaired by a person', { name: 'unpaired', notice: 'unpaired' }, { state: 'unpaired', reason: 'unpaired', daemon: true }, 'unpaired: unpaired'],
    [
      'unpaired: the pairing was lost at the server',
      { name: 'unpaired', notice: 'pairing_lost', lostReason: 'invalid_grant: token revoked' },
      { state: 'unpaired', reason: 'pairing_lost', lost_reason: 'invalid_grant: token revoked', daemon: true },
      'unpaired: pairing_lost',
    ],
    [
      'unpaired, tokens not revoked at the server',
      { name: 'unpaired', notice: 'unpaired', revoked: false, revokeReason: 'HTTP 503' },
      { state: 'unpaired', reason: 'unpaired', revoked: false, revoke_reason: 'HTTP 503', daemon: true },
      'unpaired: unpaired; tokens not revoked (HTTP 503)',
    ],
    [
      'unpaired, not revoked, the provider gave no reason',
      { name: 'unpaired', revoked: false },
      { state: 'unpaired', revoked: false, revoke_reason: 'unknown', daemon: true },
      'unpaired; tokens not revoked (unknown)',
    ],
    ['requesting a code', { name: 'requesting_code', attempt: 1, restarts: 0 }, { state: 'requesting_code', daemon: true }, 'requesting_code'],
    [
      'awaiting the user',
      { name: 'awaiting_user', code, nextPollAt: T0 + 5000, failures: 0, deadlineTrusted: true, restarts: 0 },
      {
        state: 'awaiting_user',
        user_code: 'WDJB-MJHT',
        verification_uri: 'https://idp.example/device',
        verification_uri_complete: 'https://idp.example/device?user_code=WDJB-MJHT',
        expires_at: at(600),
        daemon: true,
      },
      `awaiting_user: enter code WDJB-MJHT at https://idp.example/device (expires ${at(600)})`,
    ],
    [
      'awaiting the user, no verification_uri_complete: null, not absent',
      { name: 'awaiting_user', code: withoutComplete, nextPollAt: T0, failures: 0, deadlineTrusted: false, restarts: 0 },
      { state: 'awaiting_user', user_code: 'WDJB-MJHT', verification_uri: 'https://idp.example/device', verification_uri_complete: null, expires_at: at(600), daemon: true },
      `awaiting_user: enter code WDJB-MJHT at https://idp.example/device (expires ${at(600)})`,
    ],
    [
      'paired, with expiries',
      { name: 'paired', tokens, identity: alice, refreshAt: T0 + 240_000, failures: 0 },
      { state: 'paired', subject: 'sub-123', who: 'Alice', access_token_expires_at: at(300), refresh_expires_at: at(1800), daemon: true },
      `paired as Alice (subject sub-123); access token expires ${at(300)}`,
    ],
    [
      'paired, nothing known: nulls, not absent',
      { name: 'paired', tokens: bare, identity: {}, failures: 0 },
      { state: 'paired', subject: null, who: null, access_token_expires_at: null, daemon: true },
      'paired; access token expires unknown',
    ],
    [
      'paired, the last refresh refused once',
      { name: 'paired', tokens, identity: alice, failures: 1, refused: 'HTTP 400' },
      { state: 'paired', subject: 'sub-123', who: 'Alice', access_token_expires_at: at(300), refresh_refused: 'HTTP 400', refresh_expires_at: at(1800), daemon: true },
      `paired as Alice (subject sub-123); access token expires ${at(300)}`,
    ],
    [
      'refreshing: reads as paired',
      { name: 'refreshing', tokens, identity: { subject: 'sub-123' }, failures: 0 },
      { state: 'refreshing', subject: 'sub-123', who: null, access_token_expires_at: at(300), refresh_expires_at: at(1800), daemon: true },
      `paired (subject sub-123); access token expires ${at(300)}`,
    ],
    ['unpairing', { name: 'unpairing', tokens }, { state: 'unpairing', daemon: true }, 'unpairing'],
    ['denied', { name: 'denied', restarts: 0 }, { state: 'denied', daemon: true }, 'denied'],
    ['denied on a kiosk', { name: 'denied', autoRetryAt: T0 + 30_000, restarts: 1 }, { state: 'denied', retry_at: at(30), daemon: true }, `denied (retry at ${at(30)})`],
    ['code expired', { name: 'code_expired', restarts: 0 }, { state: 'code_expired', daemon: true }, 'code_expired'],
    [
      'code expired on a kiosk',
      { name: 'code_expired', autoRetryAt: T0 + 60_000, restarts: 2 },
      { state: 'code_expired', retry_at: at(60), daemon: true },
      `code_expired (retry at ${at(60)})`,
    ],
    [
      'offline',
      { name: 'offline', retryAt: T0 + 8000, attempt: 3, reason: 'ECONNREFUSED', restarts: 0 },
      { state: 'offline', reason: 'ECONNREFUSED', retry_at: at(8), daemon: true },
      `offline: ECONNREFUSED (retry at ${at(8)})`,
    ],
    [
      'failed',
      { name: 'failed', reason: 'invalid_client: unknown client', restarts: 0 },
      { state: 'failed', reason: 'invalid_client: unknown client', daemon: true },
      'failed: invalid_client: unknown client',
    ],
    [
      'failed on a kiosk',
      { name: 'failed', reason: 'HTTP 404', autoRetryAt: T0 + 120_000, restarts: 1 },
      { state: 'failed', reason: 'HTTP 404', retry_at: at(120), daemon: true },
      `failed: HTTP 404 (retry at ${at(120)})`,
    ],
  ])('%s', (_name, state, json, line) => {
    const status = statusOf(state, true);
    expect(status).toEqual(json);
    expect(statusLine(status)).toBe(line);
    // What a script reads is what goes over the wire: JSON round-trips unchanged.
    expect(JSON.parse(JSON.stringify(status))).toEqual(json);
    for (const secret of SECRETS) expect(JSON.stringify(status)).not.toContain(secret);
  });

  it('says whether a daemon runs the state', () => {
    expect(statusOf({ name: 'unpaired' }, false)).toEqual({ state: 'unpaired', daemon: false });
  });

  it('names a read-only state directory, and what it stops (issue #13)', () => {
    const dir = '/var/lib/pairing-agent';
    const paired = statusOf({ name: 'paired', tokens, identity: { subject: 'sub-123' }, failures: 0 }, false, dir);
    expect(paired).toMatchObject({ state: 'paired', read_only_state_dir: dir });
    expect(statusLine(paired)).toMatch(/^paired \(subject sub-123\); access token expires .*; the state directory \/var\/lib\/pairing-agent is read-only: the token cannot be renewed$/);
    expect(statusLine(statusOf({ name: 'unpaired' }, false, dir))).toBe('unpaired; the state directory /var/lib/pairing-agent is read-only: no pairing can start');
  });
});

describe('texts from the provider are made printable (issue #13)', () => {
  it.each<[string, State, Partial<Status>]>([
    ['an ESC sequence in the name', { name: 'paired', tokens: bare, identity: { who: '\u001b]0;pwned\u0007Bob' }, failures: 0 }, { who: '\\u{1b}]0;pwned\\u{7}Bob' }],
    [
      'a bidi override in the user code',
      { name: 'awaiting_user', code: { ...code, userCode: 'ABCD\u202eEFGH' }, nextPollAt: T0, failures: 0, deadlineTrusted: true, restarts: 0 },
      { user_code: 'ABCD\\u{202e}EFGH' },
    ],
    ['a newline in a failure reason', { name: 'failed', reason: 'bad\nsecond line', restarts: 0 }, { reason: 'bad\\u{a}second line' }],
    ['a zero-width space in the lost reason', { name: 'unpaired', notice: 'pairing_lost', lostReason: 'in\u200bvalid' }, { lost_reason: 'in\\u{200b}valid' }],
  ])('%s', (_name, state, expected) => {
    expect(statusOf(state, false)).toMatchObject(expected);
  });

  it('also for a status read back from a daemon, leaving non-strings as they are', () => {
    expect(printableStatus({ state: 'paired', who: 'Eve\u0007', subject: null, access_token_expires_at: null, daemon: true })).toEqual({
      state: 'paired',
      who: 'Eve\\u{7}',
      subject: null,
      access_token_expires_at: null,
      daemon: true,
    });
  });
});

describe('state names (issue #17: `wait <state>` checks its argument against them)', () => {
  it('lists every state once', () => {
    expect([...STATE_NAMES].sort()).toEqual(['awaiting_user', 'code_expired', 'denied', 'failed', 'offline', 'paired', 'refreshing', 'requesting_code', 'unpaired', 'unpairing']);
  });

  it.each(['paired', 'awaiting_user', 'code_expired'])('%j is a state name', (name) => {
    expect(isStateName(name)).toBe(true);
  });
  // Not a prefix, not another case, not what every object inherits.
  it.each(['Paired', 'pairing', '', 'toString', '__proto__', 'constructor'])('%j is not a state name', (name) => {
    expect(isStateName(name)).toBe(false);
  });
});
