/**
 * The token API's answers (issue #7): `tokenDecision` (`pairing/token-decision.ts`) as HTTP, and the
 * error object the `token` command prints whether it asked a daemon or decided itself.
 */
import type { StateName } from '../pairing/state.js';
import type { TokenAnswerDecision, TokenToHandOut, TokenUnavailable } from '../pairing/token-decision.js';

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  /** Seconds left, when known. */
  expires_in?: number;
  expires_at?: string;
}

/** Why there is no token, as `GET /token` says it (RFC 6749 §5.2's `error`, and words for people). */
export interface TokenProblem {
  error: 'not_paired' | 'temporarily_unavailable' | 'storage_read_only';
  state?: StateName;
  reason?: string;
}

function answerOf(token: TokenToHandOut): TokenAnswer {
  return {
    access_token: token.accessToken,
    token_type: token.tokenType,
    ...(token.expiresIn === undefined ? {} : { expires_in: token.expiresIn }),
    ...(token.expiresAt === undefined ? {} : { expires_at: new Date(token.expiresAt).toISOString() }),
  };
}

/**
 * 409 `not_paired` (with what the provider answered when it ended the pairing, issue #12); 503 for the
 * others: `temporarily_unavailable`, or `storage_read_only` (issue #13), which waiting does not mend.
 */
export function tokenProblem(d: TokenUnavailable): TokenProblem {
  switch (d.reason) {
    case 'not_paired':
      return { error: 'not_paired', state: d.state, ...(d.lostReason === undefined ? {} : { reason: `the pairing was lost: the identity provider refused it (${d.lostReason})` }) };
    case 'expired_unreachable':
      return { error: 'temporarily_unavailable', reason: 'the access token expired and the identity provider cannot be reached; retrying' };
    case 'expired_refused':
      return { error: 'temporarily_unavailable', reason: `the access token expired and the identity provider refused the refresh: ${d.refused}; asking once more before the pairing counts as lost` };
    case 'refresh_pending':
      return { error: 'temporarily_unavailable', state: 'refreshing' };
    case 'expired_read_only':
      // Not temporary: it lasts until someone makes the directory writable (issue #13).
      return { error: 'storage_read_only', reason: `the access token expired and cannot be renewed: the state directory ${d.stateDir} is read-only, so no refresh is sent (its new tokens could not be saved); make it writable` };
  }
}

/** `GET /token`'s status and body for a decision. */
export function tokenHttp(d: TokenAnswerDecision): { status: number; body: TokenAnswer | TokenProblem } {
  if (d.kind === 'token') return { status: 200, body: answerOf(d) };
  return { status: d.reason === 'not_paired' ? 409 : 503, body: tokenProblem(d) };
}
