/**
 * How long each side of the local API waits for the other (issue #7, #17), all from `http_timeout_ms`:
 * the agent waits for its requests to the provider and the state write after them; a command waits for
 * the daemon as long as the daemon may hold its question, and a margin more, so the daemon's own answer
 * ("still refreshing", 503) reaches it before it gives up. Pure: the commands, the daemon's API and the
 * testing API take their numbers from here.
 */
import type { Config } from '../config/types.js';

type Timeouts = Pick<Config, 'http_timeout_ms'>;

/** The state write after the provider's answer, and the event queue before the request goes out. */
export const STATE_WRITE_MARGIN_MS = 2_000;
/** The socket and the daemon's bookkeeping around the time it holds a question. */
export const REPLY_MARGIN_MS = 2_000;

/**
 * How long the agent may take for `requests` provider requests in a row and the write after them: a
 * refresh is one (`GET /token` waits that long before answering 503), a revocation two (the refresh
 * token, then the access token: RFC 7009 §2.1).
 */
export function agentWaitMs(config: Timeouts, requests = 1): number {
  return config.http_timeout_ms * requests + STATE_WRITE_MARGIN_MS;
}

/**
 * How long a logout may take: the agent revokes the refresh token, then the access token (two requests,
 * RFC 7009 §2.1), and writes the wipe. `POST /logout` waits that long, as the command without a daemon does.
 */
export function logoutWaitMs(config: Timeouts): number {
  return agentWaitMs(config, 2);
}

/** A one-shot command's start and stop around its requests, while it holds the state lock. */
export const LOCK_HOLD_MARGIN_MS = 3_000;

/**
 * How long a command without a daemon waits for the state lock another command holds: the longest that
 * one holds it (a logout's revocation, two requests and the write) and its start and stop.
 */
export function lockWaitMs(config: Timeouts): number {
  return logoutWaitMs(config) + LOCK_HOLD_MARGIN_MS;
}

/** How long a command waits for the daemon's reply to a question the daemon may hold up to `heldMs`. */
export function replyWaitMs(heldMs: number): number {
  return heldMs + REPLY_MARGIN_MS;
}

/**
 * How long a command waits for a status: one HTTP timeout for the daemon to answer at all, and the time
 * it holds a `GET /status?wait=` (issue #17).
 */
export function statusWaitMs(config: Timeouts, heldMs = 0): number {
  return config.http_timeout_ms + heldMs;
}

/** A wait of `ms` from now: how much of it is left, never less than 0 (`now`: the wall clock by default). */
export function deadline(ms: number, now: () => number = Date.now): { left(): number } {
  const end = now() + ms;
  return { left: () => Math.max(0, end - now()) };
}
