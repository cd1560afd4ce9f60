/**
 * The adapter's classification (issue #12): the OAuth core's results and errors, which carry error
 * class instances, become the plain outcomes the pairing state machine acts on — a `kind` for what to
 * do, a stable `code` for why, a `reason` for people. Nothing else crosses into `src/pairing`.
 */
import { NetworkError, OAuthError, ProtocolError } from '../errors.js';
import type { PollResult, RefreshResult } from '../oauth/types.js';
import type { MalformedOutcome, PollOutcome, RefreshOutcome, RefusedOutcome, TransientOutcome } from '../pairing/state.js';

/** No answer, or an answer that says "later" (5xx, 408, 429, `temporarily_unavailable`). */
export function transientOutcome(error: NetworkError): TransientOutcome {
  return {
    kind: 'transient',
    code: error.status === undefined ? 'no_answer' : 'unavailable',
    reason: error.message,
    requestMayHaveBeenProcessed: error.requestMayHaveBeenProcessed,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

/** An OAuth error answer that has no kind of its own (`invalid_client`, `unauthorized_client`…). */
function refusedOutcome(error: OAuthError): RefusedOutcome {
  return { kind: 'refused', code: 'oauth_error', reason: error.message, status: error.status, error: error.error };
}

function malformedOutcome(error: ProtocolError): MalformedOutcome {
  return { kind: 'malformed', code: 'malformed', reason: error.message, ...(error.status === undefined ? {} : { status: error.status }) };
}

/**
 * Any failure of a step as an outcome: a NetworkError is transient, an OAuthError a refusal, anything
 * else an answer the protocol does not allow (a bug's message included, so it is seen, not thrown).
 */
export function failureOutcome(error: unknown): TransientOutcome | MalformedOutcome | RefusedOutcome {
  if (error instanceof NetworkError) return transientOutcome(error);
  if (error instanceof OAuthError) return refusedOutcome(error);
  // Not a garbled answer but unbound tokens: refused, never kept (RFC 9449 §5, issue #19).
  if (error instanceof ProtocolError && error.field === 'dpop') return { kind: 'refused', code: 'dpop_downgrade', reason: error.message };
  if (error instanceof ProtocolError) return malformedOutcome(error);
  return { kind: 'malformed', code: 'malformed', reason: error instanceof Error ? error.message : String(error) };
}

/** One device poll's result as plain data. @see RFC 8628 §3.5 */
export function pollOutcome(result: PollResult): PollOutcome {
  switch (result.kind) {
    case 'tokens':
    case 'pending':
    case 'slow_down':
      return result;
    case 'denied':
    case 'expired':
      return { kind: result.kind, reason: result.error.message };
    case 'transient':
    case 'fatal':
      return failureOutcome(result.error);
  }
}

/** One refresh's result as plain data. @see RFC 6749 §6 */
export function refreshOutcome(result: RefreshResult): RefreshOutcome {
  switch (result.kind) {
    case 'tokens':
      return result;
    case 'invalid_grant':
      return { kind: 'invalid_grant', reason: result.error.message };
    case 'transient':
      return transientOutcome(result.error);
    case 'fatal': {
      const outcome = refreshFailureOutcome(result.error);
      return outcome.kind === 'malformed' && result.salvagedRefreshToken !== undefined ? { ...outcome, salvagedRefreshToken: result.salvagedRefreshToken } : outcome;
    }
  }
}

/** A 4xx that is not "later" (408, 429): the token endpoint's answer to this refresh token (issue #12). */
const isRefusalStatus = (status: number | undefined): boolean => status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * A refresh's failure: any 4xx other than 408/429 is a refusal, with an OAuth body or without one
 * (Glewlwyd's empty 400); an OAuth error in a 2xx or a 3xx is not a refusal of the grant but an
 * answer that makes no sense (RFC 6749 §5.2 sends errors with 400).
 */
function refreshFailureOutcome(error: NetworkError | OAuthError | ProtocolError): TransientOutcome | MalformedOutcome | RefusedOutcome {
  if (error instanceof ProtocolError && error.field !== 'dpop' && isRefusalStatus(error.status)) {
    return { kind: 'refused', code: 'http_refusal', reason: `refused (${error.message})`, ...(error.status === undefined ? {} : { status: error.status }) };
  }
  if (error instanceof OAuthError && !isRefusalStatus(error.status)) return { kind: 'malformed', code: 'malformed', reason: error.message, status: error.status };
  return failureOutcome(error);
}
