/**
 * The pairing state machine's data: states, events and effects, all plain JSON-able data
 * (xstate's `transition`, redux-loop). `step.ts` maps (state, event) → [state, effects].
 *
 * Times are milliseconds on the shell's clock: wall time read once at start-up plus the monotonic
 * clock since (`clock.ts`), so waiting never jumps within a run, while persisted times still mean
 * something after a reboot. The server is the judge of expiry (issue #4): a resumed device code is
 * polled, not discarded, and a pairing is never wiped because of the local clock.
 */
import type { DeviceAuthorization, PollResult, RefreshResult, TokenSet } from '../oauth/types.js';

/** The secrets of a pairing. Persisted in the 0600 state file; never logged. */
export interface Tokens {
  accessToken: string;
  tokenType: string;
  /** When the access token expires (ms), if the provider said. */
  accessExpiresAt?: number;
  /** When it was issued (ms): with `accessExpiresAt`, gives the lifetime for refresh timing. */
  issuedAt: number;
  refreshToken?: string;
  idToken?: string;
  scope?: string;
}

/** Who paired, for the screen and `status`. */
export interface Identity {
  subject?: string;
  /** A display name: name, email, phone number or preferred username. */
  who?: string;
}

/** A device code being shown. `deviceCode` is secret. @see RFC 8628 §3.2 */
export interface PendingCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** When the code expires by the server's `expires_in` (ms). */
  expiresAt: number;
  /** Lifetime as granted (s), for the countdown bar. */
  expiresIn: number;
  /** Current minimum poll interval (s); grows on `slow_down` (RFC 8628 §3.5). */
  interval: number;
}

export type State =
  /** `autoRetryAt`: a kiosk (`auto_pair`) asks for a new code then. */
  | { name: 'unpaired'; notice?: 'pairing_lost' | 'cancelled' | 'unpaired'; autoRetryAt?: number }
  /** `restarts`: automatic restarts in a row on a kiosk (`auto_pair`), for growing pauses. */
  | { name: 'requesting_code'; attempt: number; restarts: number }
  | {
      name: 'awaiting_user';
      code: PendingCode;
      /** When the next poll may go out (ms): one interval after the previous response. */
      nextPollAt: number;
      /** Consecutive transient failures, for backoff. */
      failures: number;
      /**
       * False after a restart: the local clock may have jumped, so the code's expiry is left to the
       * server (it answers `expired_token`) instead of being decided here.
       */
      deadlineTrusted: boolean;
      restarts: number;
    }
  | {
      name: 'paired';
      tokens: Tokens;
      identity: Identity;
      /** When to refresh next (ms); undefined when there is no refresh token or no expiry. */
      refreshAt?: number;
      /** Consecutive transient refresh failures, for backoff. */
      failures: number;
      /**
       * A refresh answer was lost after the request may have reached the server: the refresh token
       * may be consumed. The next attempt is a deliberate retry after a pause, not a blind one.
       */
      refreshUncertain?: boolean;
    }
  | { name: 'refreshing'; tokens: Tokens; identity: Identity; failures: number; refreshUncertain?: boolean }
  | { name: 'unpairing'; tokens: Tokens }
  | { name: 'denied'; autoRetryAt?: number; restarts: number }
  | { name: 'code_expired'; autoRetryAt?: number; restarts: number }
  | { name: 'offline'; retryAt: number; attempt: number; reason: string; restarts: number }
  | { name: 'failed'; reason: string; autoRetryAt?: number; restarts: number };

export type StateName = State['name'];

export type Event =
  /** The agent started with this state loaded from disk (or `unpaired` when there was none). */
  | { type: 'start' }
  | { type: 'press' }
  /** A long press, or `pairing-agent logout`. */
  | { type: 'long_press' }
  /** The single scheduled wake-up fired. */
  | { type: 'timer' }
  /** A token is needed now (`token` command, local API) and the current one is near expiry. */
  | { type: 'token_wanted' }
  | { type: 'device_authorization'; result: DeviceAuthorizationResult }
  /** `deviceCode` says which code was polled: an answer for a cancelled flow is ignored. */
  | { type: 'poll'; result: PollResult; identity?: Identity; deviceCode?: string }
  | { type: 'refresh'; result: RefreshResult }
  | { type: 'identity'; identity: Identity }
  | { type: 'revoked'; ok: boolean };

export type DeviceAuthorizationResult =
  | { kind: 'ok'; authorization: DeviceAuthorization }
  | { kind: 'transient'; reason: string; retryAfterMs?: number }
  | { kind: 'fatal'; reason: string };

export type Effect =
  /** Write the new state to disk before running any later effect (issue #4). */
  | { type: 'persist' }
  /** Forget every secret on disk. */
  | { type: 'wipe' }
  | { type: 'request_code' }
  /** `interval` is the one in use, so a `slow_down` answer can grow it (RFC 8628 §3.5). */
  | { type: 'poll'; deviceCode: string; interval: number }
  | { type: 'refresh'; refreshToken: string }
  | { type: 'revoke'; refreshToken?: string; accessToken: string }
  | { type: 'fetch_identity'; accessToken: string }
  /** Replace the one pending wake-up: a `timer` event `at` this time. Undefined cancels it. */
  | { type: 'wake'; at: number | undefined }
  | { type: 'log'; event: string; fields: Record<string, string | number | boolean | undefined> };

/** What `step` needs besides the state and the event: the time, config and one random draw. */
export interface StepContext {
  now: number;
  /** A uniform random number in [0, 1): jitter, drawn by the shell so `step` stays pure. */
  random: number;
  /** Button-less kiosks pair on their own (issue #4 `auto_pair`). */
  autoPair: boolean;
  /** Whether the provider may return identity through a userinfo endpoint. */
  hasUserinfo: boolean;
}

export type { TokenSet };
