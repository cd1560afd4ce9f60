/**
 * Whether a stored access token can be handed to an app, and with which answer (issue #7 `token`, issue
 * #12): one pure decision over the state and the time, plain data in and out, no HTTP. The daemon's
 * `GET /token` maps it to HTTP statuses (`daemon/token-policy.ts`), the `token` command without a
 * daemon to a line and an exit code; both run the same shell (`agent/decide-token.ts`): decide,
 * refresh when the decision says so, decide again with `afterRefresh`.
 */
import type { State, StateName, Tokens } from './state.js';
import { freshEnough } from './timing.js';

/** The access token to hand out, with what an app needs to know of it. */
export interface TokenToHandOut {
  kind: 'token';
  accessToken: string;
  tokenType: string;
  /** Whole seconds left, when the provider stated a lifetime. */
  expiresIn?: number;
  /** When it expires (ms), when the provider stated a lifetime. */
  expiresAt?: number;
}

/**
 * No token to hand out, with a stable `reason` (code) the shells branch on:
 * - `not_paired`: no pairing (any state but `paired` and `refreshing`); `lostReason` when the provider
 *   ended the last one (issue #12);
 * - `expired_unreachable`: the token expired and the refresh could not reach the provider;
 * - `expired_refused`: the token expired and the provider refused the refresh once (`refused`: its
 *   answer); a second refusal ends the pairing (issue #12);
 * - `refresh_pending`: a refresh is still under way after the caller's wait ran out;
 * - `expired_read_only`: the token expired and no refresh is sent because the state directory
 *   (`stateDir`) cannot be written: the rotated tokens could not be saved (issue #13).
 */
export type TokenUnavailable =
  | { kind: 'unavailable'; reason: 'not_paired'; state: StateName; lostReason?: string }
  | { kind: 'unavailable'; reason: 'expired_unreachable' }
  | { kind: 'unavailable'; reason: 'expired_refused'; refused: string }
  | { kind: 'unavailable'; reason: 'refresh_pending' }
  | { kind: 'unavailable'; reason: 'expired_read_only'; stateDir: string };

/** The final answer: a token, or why there is none. */
export type TokenAnswerDecision = TokenToHandOut | TokenUnavailable;

/**
 * Before any refresh the answer may also be "refresh first": `refresh` (the token is near expiry, or
 * the clock is behind it: ask for one with `token_wanted`) or `await_refresh` (one is in flight). The
 * shell waits for it to end and decides again with `afterRefresh`.
 */
export type TokenDecision = TokenAnswerDecision | { kind: 'refresh' } | { kind: 'await_refresh' };

/**
 * The decision for `state` at `now`. Before a refresh a token must be fresh enough to outlive the
 * app's request (`freshEnough`); after one (`afterRefresh`: the caller's refresh ended or its wait ran
 * out) any token not yet expired is handed out, since asking again would not bring a better one.
 * `readOnlyDir`, the state directory when it cannot be written, counts as a refresh that ended: none
 * is sent that could not be saved (issue #13), and an expired token is unavailable for that reason.
 */
export function tokenDecision(state: State, now: number, afterRefresh: true, readOnlyDir?: string): TokenAnswerDecision;
export function tokenDecision(state: State, now: number, afterRefresh?: boolean, readOnlyDir?: string): TokenDecision;
export function tokenDecision(state: State, now: number, afterRefresh = false, readOnlyDir?: string): TokenDecision {
  if (state.name === 'refreshing') return afterRefresh ? { kind: 'unavailable', reason: 'refresh_pending' } : { kind: 'await_refresh' };
  if (state.name !== 'paired') {
    const lost = state.name === 'unpaired' && state.lostReason !== undefined ? { lostReason: state.lostReason } : {};
    return { kind: 'unavailable', reason: 'not_paired', state: state.name, ...lost };
  }
  const { tokens } = state;
  if (!afterRefresh && readOnlyDir === undefined) return freshEnough(tokens.issuedAt, tokens.accessExpiresAt, now) ? handOut(tokens, now) : { kind: 'refresh' };
  if (tokens.accessExpiresAt === undefined || tokens.accessExpiresAt > now) return handOut(tokens, now);
  // Not "cannot be reached": the provider was never asked (issue #13).
  if (readOnlyDir !== undefined) return { kind: 'unavailable', reason: 'expired_read_only', stateDir: readOnlyDir };
  // The provider answered and said no: say "refused", not "cannot be reached" (issue #12).
  return state.refused === undefined ? { kind: 'unavailable', reason: 'expired_unreachable' } : { kind: 'unavailable', reason: 'expired_refused', refused: state.refused };
}

/** The token with its time left: never more than its whole lifetime, whatever the clock says (issue #12). */
function handOut(tokens: Tokens, now: number): TokenToHandOut {
  const { accessExpiresAt } = tokens;
  const answer: TokenToHandOut = { kind: 'token', accessToken: tokens.accessToken, tokenType: tokens.tokenType };
  if (accessExpiresAt === undefined) return answer;
  const expiresIn = Math.max(0, Math.floor(Math.min(accessExpiresAt - now, accessExpiresAt - tokens.issuedAt) / 1000));
  return { ...answer, expiresIn, expiresAt: accessExpiresAt };
}
