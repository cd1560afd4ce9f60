/**
 * Pure classification of HTTP answers shared by every protocol step: which statuses are worth a
 * retry, what `Retry-After` says, and the error for an answer that is neither success nor OAuth error.
 */
import { NetworkError, OAuthError, ProtocolError } from '../errors.js';
import { describeBody } from './body.js';
import { oauthErrorOf } from './fields.js';
import type { FatalFailure, HttpResponse, TransientFailure } from './types.js';

/** A `Retry-After` longer than this is treated as this: a misconfigured server must not park the device for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * OAuth error codes that say "try again later" whatever the status
 * (RFC 6749 §4.1.2.1 defines them for the authorization endpoint; token endpoints send them too).
 */
const TRANSIENT_OAUTH_ERRORS = new Set(['temporarily_unavailable', 'server_error']);

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Retry-After` in ms: delay-seconds or an HTTP-date, capped at {@link MAX_RETRY_AFTER_MS}.
 * @see RFC 9110 §10.2.3
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d{1,10}$/.test(text)) ms = Number(text) * 1000;
  else {
    // An HTTP-date names a weekday and month; without letters Date.parse reads "-3" as a year.
    const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/**
 * The retryable failure an answer's status means, if any: 408, 429 and 5xx.
 * 408 and 429 say the server rejected the request unprocessed; a 5xx may come after processing
 * (a gateway that lost the backend's answer), so it counts as possibly processed.
 */
export function transientStatusError(response: HttpResponse, now?: number): NetworkError | undefined {
  const { status } = response;
  if (status !== 408 && status !== 429 && status < 500) return undefined;
  const retryAfter = retryAfterMs(header(response, 'retry-after'), now);
  return new NetworkError(`HTTP ${status} from ${new URL(response.url).host}`, {
    requestMayHaveBeenProcessed: status >= 500,
    reason: `HTTP_${status}`,
    status,
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
}

/** The error for an answer that is neither a success nor an OAuth error nor a retryable status. */
export function unexpectedResponse(response: HttpResponse): ProtocolError {
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = header(response, 'location');
    return new ProtocolError('status', `unexpected redirect (HTTP ${status}) to ${JSON.stringify(location?.slice(0, 200) ?? '')}`, status);
  }
  return new ProtocolError('status', `unexpected HTTP ${status} with ${describeBody(response.body)} from ${new URL(response.url).host}`, status);
}

/**
 * The error an answer that is not a plain success stands for: NetworkError for retryable statuses
 * and "try later" OAuth errors, OAuthError for other OAuth errors, ProtocolError for anything else
 * (an HTML 404 page, a redirect).
 */
export function errorFor(
  response: HttpResponse,
  error: OAuthError | undefined = oauthErrorOf(response),
  now?: number,
): NetworkError | OAuthError | ProtocolError {
  const byStatus = transientStatusError(response, now);
  if (byStatus !== undefined) return byStatus;
  if (error === undefined) return unexpectedResponse(response);
  if (error.error === 'use_dpop_nonce' || error.error === 'invalid_dpop_proof') {
    // Still asking for a nonce after the one retry with it (RFC 9449 §8, `dpop-send.ts`): the server
    // refused before looking at the grant; try again later, with the latest nonce it sent. A refused
    // proof likewise (§5): the proof, not the grant, was refused, most often for an `iat` off the
    // server's clock by a device clock that is wrong where no `Date` could correct it (issue #19); a
    // refresh must not take it for a refusal of the grant and lose the pairing, and NTP may come.
    return new NetworkError(error.message, { requestMayHaveBeenProcessed: false, reason: error.error, status: response.status });
  }
  if (!TRANSIENT_OAUTH_ERRORS.has(error.error)) return error;
  return new NetworkError(error.message, { requestMayHaveBeenProcessed: true, reason: error.error, status: response.status });
}

/**
 * Throws {@link errorFor} unless the answer is a 2xx without an `error` member (some providers
 * answer 200 with an error body). For the steps that succeed or throw (discovery, device
 * authorization, revocation, userinfo).
 */
export function assertSuccess(response: HttpResponse, now?: number): void {
  const error = oauthErrorOf(response);
  if (error === undefined && response.status >= 200 && response.status < 300) return;
  throw errorFor(response, error, now);
}

/** A NetworkError as a result. */
export function transient(error: NetworkError): TransientFailure {
  return {
    kind: 'transient',
    error,
    requestMayHaveBeenProcessed: error.requestMayHaveBeenProcessed,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

/** An error thrown by a step as a result: NetworkError is transient, OAuthError and ProtocolError fatal; anything else (a bug) is rethrown. */
export function failureOf(error: unknown): TransientFailure | FatalFailure {
  if (error instanceof NetworkError) return transient(error);
  if (error instanceof ProtocolError || error instanceof OAuthError) return { kind: 'fatal', error };
  throw error;
}
