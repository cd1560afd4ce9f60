/**
 * The pairing state machine's data: states, events and effects, all plain JSON-able data
 * (xstate's `transition`, redux-loop). `step.ts` maps (state, event) → [state, effects].
 *
 * Times are milliseconds on the shell's clock: wall time read once at start-up plus the monotonic
 * clock since (`clock.ts`), so waiting never jumps within a run, while persisted times still mean
 * something after a reboot. The server is the judge of expiry (issue #4): a resumed device code is
 * polled, not discarded, and a pairing is never wiped because of the local clock.
 */
import type { PairingLogEvent } from '../log-events.js';
import type { DeviceAuthorization, TokenSet } from '../oauth/types.js';

/** The secrets of a pairing. Persisted in the 0600 state file; never logged. */
export interface Tokens {
  accessToken: string;
  tokenType: string;
  /** When the access token expires (ms), if the provider said. */
  accessExpiresAt?: number;
  /** When it was issued (ms): with `accessExpiresAt`, gives the lifetime for refresh timing. */
  issuedAt: number;
  refreshToken?: string;
  /**
   * When the refresh token stops working if unused (ms): Keycloak's `refresh_expires_in`, GitHub's
   * `refresh_token_expires_in` or the configured `refresh_idle_timeout`, whichever is soonest (issue #12).
   */
  refreshExpiresAt?: number;
  idToken?: string;
  scope?: string;
}

/** Who paired, for the screen and `status`. */
export interface Identity {
  subject?: string;
  /** A display name: name, email, phone number or preferred username. */
  who?: string;
  /**
   * The email and preferred username when they differ from `who`: the screen shows the first of them it can
   * draw when `who` is in a script the panel has no glyphs for (issue #16).
   */
  otherNames?: string[];
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
  /**
   * `autoRetryAt`: a kiosk (`auto_pair`) asks for a new code then. `lostReason`: with `pairing_lost`,
   * what the provider answered (issue #12).
   */
  | {
      name: 'unpaired';
      notice?: 'pairing_lost' | 'cancelled' | 'unpaired';
      autoRetryAt?: number;
      /** False when unpairing could not revoke the tokens at the server (issue #13); the screen says so (issue #16). */
      revoked?: false;
      revokeReason?: string;
      lostReason?: string;
    }
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
      /** The last refresh could not reach the provider: the screen shows "Paired, no network" (issue #16). */
      unreachable?: boolean;
      /**
       * The last refresh was refused (a 4xx other than 408/429, not `invalid_grant`), for this reason.
       * One such answer may come from an odd proxy: a second one, after a pause, ends the pairing (issue #12).
       */
      refused?: string;
      /** When the last refresh failed (ms): the next attempt keeps `ON_DEMAND_REFRESH_SPACING_MS` from it (issue #12). */
      lastFailureAt?: number;
      /** The provider's `Retry-After` runs until then (ms): no refresh before, on demand or not. */
      retryAfterUntil?: number;
    }
  | { name: 'refreshing'; tokens: Tokens; identity: Identity; failures: number; refreshUncertain?: boolean; unreachable?: boolean; refused?: string }
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
  /** A long press of the button. */
  | { type: 'long_press' }
  /**
   * `pairing-agent logout` (issue #7), through the daemon or not: its own event, so the states it applies
   * to are decided here and the log names it (issue #15: `on=logout`, not a button).
   */
  | { type: 'logout' }
  /** The single scheduled wake-up fired. */
  | { type: 'timer' }
  /** A token is needed now (`token` command, local API) and the current one is near expiry. */
  | { type: 'token_wanted' }
  | { type: 'device_authorization'; result: DeviceAuthorizationResult }
  /** `deviceCode` says which code was polled: an answer for a cancelled flow is ignored. */
  | { type: 'poll'; result: PollOutcome; identity?: Identity; deviceCode?: string }
  | { type: 'refresh'; result: RefreshOutcome }
  | { type: 'identity'; identity: Identity }
  /** `ok` only when the provider confirmed (RFC 7009 §2.2) or the tokens were already invalid. */
  | { type: 'revoked'; ok: boolean; reason?: string }
  /** The wall clock stepped forward by `byMs` (NTP after an offline boot; issue #12). */
  | { type: 'clock_stepped'; byMs: number };

/** What came of revoking a pairing's tokens (RFC 7009), as plain data: `reason` is the provider's answer. */
export type RevokeOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Why a request did not bring what it asked for, as a stable code (oauth4webapi's style): the state
 * machine branches on an outcome's `kind`, logs and tests read `code`, people read `reason` (issue #12).
 */
export type FailureCode =
  /** No answer at all: timeout, reset, connection refused, DNS. */
  | 'no_answer'
  /** The server said "later": 5xx, 408, 429, or `temporarily_unavailable` / `server_error` (RFC 6749 §5.2). */
  | 'unavailable'
  /** An answer the protocol does not allow: an HTML page, cut-off or invalid JSON, a missing member, a redirect. */
  | 'malformed'
  /** An OAuth error answer (RFC 6749 §5.2) that has no kind of its own; its `error` is in `error`. */
  | 'oauth_error'
  /** The ID token that came with the tokens failed validation (OIDC Core §3.1.3.7). */
  | 'id_token_rejected'
  /** Tokens asked for with a DPoP proof came back as another type: not bound, refused (RFC 9449 §5, issue #19). */
  | 'dpop_downgrade'
  /**
   * A 4xx other than 408/429 without an OAuth error body: Glewlwyd 2.7 answers a refresh with a deleted
   * or replayed refresh token with HTTP 400 and nothing else, where RFC 6749 §5.2 wants `invalid_grant`.
   */
  | 'http_refusal';

/** A request that got no usable answer, worth repeating later (network, 5xx, 429). Plain data. */
export interface TransientOutcome {
  kind: 'transient';
  code: 'no_answer' | 'unavailable';
  reason: string;
  /** The server's `Retry-After` in ms. */
  retryAfterMs?: number;
  /** Whether the server may have acted on the request (a refresh token may be consumed). */
  requestMayHaveBeenProcessed: boolean;
}

/** An answer the protocol does not allow: it says nothing about the code or the grant. */
export interface MalformedOutcome {
  kind: 'malformed';
  code: 'malformed';
  reason: string;
  /** HTTP status, when there was an answer. */
  status?: number;
}

/** The provider answered with a refusal that repeating the same request will not change. */
export interface RefusedOutcome {
  kind: 'refused';
  code: 'oauth_error' | 'id_token_rejected' | 'dpop_downgrade' | 'http_refusal';
  reason: string;
  status?: number;
  /** The OAuth `error` code, when the refusal was an OAuth error answer. */
  error?: string;
}

/** The answer to one device poll, classified by the adapter (`agent/idp-client.ts`). @see RFC 8628 §3.5 */
export type PollOutcome =
  | { kind: 'tokens'; tokens: TokenSet }
  | { kind: 'pending' }
  /** `slow_down`, with the interval the provider asked for (or the RFC's +5 s, see `slowDownInterval`). */
  | { kind: 'slow_down'; interval: number }
  | { kind: 'denied'; reason: string }
  /** `expired_token`, or `invalid_grant` (the device code is unknown or used). */
  | { kind: 'expired'; reason: string }
  | TransientOutcome
  | MalformedOutcome
  | RefusedOutcome;

/** The answer to one refresh, classified by the adapter. @see RFC 6749 §6 */
export type RefreshOutcome =
  | { kind: 'tokens'; tokens: TokenSet & { refreshToken: string }; rotated: boolean }
  /** `invalid_grant`: the pairing is gone at the server (revoked, expired, reuse detected). */
  | { kind: 'invalid_grant'; reason: string }
  | TransientOutcome
  /** A refresh token found in a 2xx answer that failed validation otherwise (see `oauth/types.ts`). */
  | (MalformedOutcome & { salvagedRefreshToken?: string })
  | RefusedOutcome;

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
  | { type: 'log'; event: PairingLogEvent; fields: Record<string, string | number | boolean | undefined> };

/** What `step` needs besides the state and the event: the time, config and one random draw. */
export interface StepContext {
  now: number;
  /** A uniform random number in [0, 1): jitter, drawn by the shell so `step` stays pure. */
  random: number;
  /** Button-less kiosks pair on their own (issue #4 `auto_pair`). */
  autoPair: boolean;
  /** Whether the provider may return identity through a userinfo endpoint. */
  hasUserinfo: boolean;
  /** The configured `refresh_idle_timeout` (ms): an inactivity lifetime the provider does not state (issue #12). */
  refreshIdleTimeoutMs?: number;
}

export type { TokenSet };
