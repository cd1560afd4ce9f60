/**
 * When to act: pure timing policies of the pairing state machine, each a named number with its reason.
 */
import { backoffDelay } from '../oauth/backoff.js';

export { slowDownInterval } from '../oauth/poll-interval.js';

/** Protocol times are in seconds (RFC 8628 `interval`, `expires_in`); the state machine's in ms. */
export const SECOND_MS = 1_000;

/** Transient failures back off exponentially with full jitter ("Exponential Backoff And Jitter", AWS). */
export const BACKOFF_BASE_MS = 2_000;
/** The longest pause between retries after network failures: an offline device checks back every 5 min. */
export const BACKOFF_CAP_MS = 5 * 60_000;

/** The delay before retry `attempt` after a transient failure; floors (interval, Retry-After) are the caller's. */
export function retryDelay(attempt: number, random: number, baseMs = BACKOFF_BASE_MS): number {
  return backoffDelay(attempt, { baseMs, capMs: BACKOFF_CAP_MS, random: () => random });
}

/**
 * Refresh retries back off from a larger base than code requests: every refresh attempt may be the
 * one that consumes a rotating refresh token, so they are spaced further apart (issue #3).
 */
export const REFRESH_BACKOFF_BASE_MS = 5_000;

/**
 * After a refresh is refused without `invalid_grant` (a bare 4xx: Glewlwyd's empty 400, or a proxy's
 * odd answer), ask once more this much later, plus up to `REFUSAL_RECHECK_JITTER_MS`, before the
 * pairing counts as lost: long enough not to trust one stray answer, short enough that a pairing gone
 * at the server is said so within about a minute (issue #12).
 */
export const REFUSAL_RECHECK_MS = 20_000;
export const REFUSAL_RECHECK_JITTER_MS = 10_000;

/**
 * While refreshes back off after failures, an app waiting on an expired token may send one refresh
 * early, but attempts of any kind stay this far apart: a 6 s outage costs at most 3–4 requests, and
 * the agent has a working token within about this long (plus the app's next ask) of the provider's
 * return (issue #12; figures in README).
 */
export const ON_DEMAND_REFRESH_SPACING_MS = 2_500;

/** Refresh when this fraction of the access token's lifetime is left (a 5-minute token: 75 s early)… */
export const REFRESH_MARGIN_FRACTION = 0.25;
/** …but never more than this early: a 24 h token is refreshed half an hour before it expires. */
export const REFRESH_MARGIN_CAP_MS = 30 * 60_000;
/** Jitter on top of the margin, as a fraction of the lifetime, so a fleet does not refresh in step. */
export const REFRESH_JITTER_FRACTION = 0.1;
export const REFRESH_JITTER_CAP_MS = 5 * 60_000;
/**
 * After a power cut a fleet restarts together with expired tokens: spread their first refreshes over
 * up to a minute (issue #4, #9 fleet figures).
 */
export const RESUME_SPREAD_CAP_MS = 60_000;
/**
 * A stated lifetime below this counts as "not stated" (issue #12: an `expires_in` of 0 made the agent
 * refresh ~80 times a second): the token is trusted until an app or the refresh window says otherwise.
 */
export const MIN_LIFETIME_MS = 1_000;
/**
 * Scheduled refreshes are at least this far apart, whatever lifetimes a provider states (issue #12:
 * "no answer of any provider can make the agent refresh more than a few times a minute": at most 6).
 */
export const MIN_REFRESH_SPACING_MS = 10_000;
/**
 * When to refresh a token issued at `issuedAt` that expires at `expiresAt`: a margin of a fraction of
 * its lifetime (sane from 2 s to 24 h), plus jitter.
 */
export function refreshTime(issuedAt: number, expiresAt: number, random: number): number {
  const lifetime = Math.max(MIN_LIFETIME_MS, expiresAt - issuedAt);
  const margin = Math.min(lifetime * REFRESH_MARGIN_FRACTION, REFRESH_MARGIN_CAP_MS);
  const jitter = random * Math.min(lifetime * REFRESH_JITTER_FRACTION, REFRESH_JITTER_CAP_MS);
  return Math.round(Math.max(issuedAt, expiresAt - margin - jitter));
}

/**
 * When to refresh tokens issued at `issuedAt` whose windows close at `closes` (the access token's
 * expiry, the refresh token's idle or absolute window; undefined entries are unknown): the same margin
 * and jitter before whichever closes first (issue #12), never sooner than `MIN_REFRESH_SPACING_MS`
 * after issue. Undefined when no window is known: nothing to refresh ahead of.
 */
export function refreshPlan(issuedAt: number, closes: readonly (number | undefined)[], random: number): number | undefined {
  const known = closes.filter((at): at is number => at !== undefined);
  if (known.length === 0) return undefined;
  const first = Math.min(...known.map((at) => refreshTime(issuedAt, at, random)));
  return Math.max(first, issuedAt + MIN_REFRESH_SPACING_MS);
}

/** A stated lifetime in seconds as a window end (ms), or undefined when it is not stated (< 1 s). */
export function windowEnd(now: number, seconds: number | undefined): number | undefined {
  if (seconds === undefined || seconds * SECOND_MS < MIN_LIFETIME_MS) return undefined;
  return now + seconds * SECOND_MS;
}

/** On start-up, a refresh already due is spread over a short window instead of firing at once. */
export function resumeRefreshTime(due: number, now: number, lifetimeMs: number, random: number): number {
  if (due > now) return due;
  return Math.round(now + random * Math.min(lifetimeMs * REFRESH_JITTER_FRACTION, RESUME_SPREAD_CAP_MS));
}

/** The first automatic restart of an expired or denied code on a kiosk (`auto_pair`)… */
export const AUTO_PAIR_FIRST_PAUSE_MS = 5_000;
/** …then 30 s, doubling… */
export const AUTO_PAIR_PAUSE_BASE_MS = 30_000;
/** …up to an hour: an unattended kiosk never hammers the identity provider (issue #4). */
export const AUTO_PAIR_PAUSE_CAP_MS = 60 * 60_000;

/** The pause before the `restarts`-th automatic restart, with ±20 % jitter. */
export function autoPairPause(restarts: number, random: number): number {
  const pause = restarts === 0 ? AUTO_PAIR_FIRST_PAUSE_MS : Math.min(AUTO_PAIR_PAUSE_CAP_MS, AUTO_PAIR_PAUSE_BASE_MS * 2 ** Math.min(restarts - 1, 20));
  return Math.round(pause * (0.8 + 0.4 * random));
}

/**
 * A stored access token is good enough to hand to an app while it outlives the app's request: 30 s
 * left, or a quarter of a short lifetime (issue #7 `token`: "refreshing first if it is about to expire").
 */
export const TOKEN_MIN_REMAINING_MS = 30_000;
export const TOKEN_MIN_REMAINING_FRACTION = 0.25;

/**
 * A stored token issued more than this far in the future says the wall clock is behind (a Pi without a
 * real-time clock booted before NTP; issue #12): its age is unknown. A minute absorbs NTP's ordinary
 * corrections between runs.
 */
export const CLOCK_BEHIND_TOLERANCE_MS = 60_000;
/**
 * A forward jump of the wall clock larger than this is a step (NTP setting the clock after an offline
 * boot), not drift: waits and a shown code's age are kept on elapsed time across it (issue #12).
 */
export const CLOCK_STEP_MIN_MS = 2_000;
/** How often the agent looks for a wall-clock step while nothing else happens. */
export const CLOCK_WATCH_MS = 5_000;

export function clockIsBehind(issuedAt: number, now: number): boolean {
  return issuedAt > now + CLOCK_BEHIND_TOLERANCE_MS;
}

export function freshEnough(issuedAt: number, expiresAt: number | undefined, now: number): boolean {
  // Issued "in the future": the clock is behind and the token's real age unknown (issue #12).
  if (clockIsBehind(issuedAt, now)) return false;
  if (expiresAt === undefined) return true; // The provider gave no lifetime: trust the token.
  const needed = Math.min(TOKEN_MIN_REMAINING_MS, Math.max(0, expiresAt - issuedAt) * TOKEN_MIN_REMAINING_FRACTION);
  return expiresAt - now > needed;
}
