/**
 * Pure processing of token endpoint answers: the token set (RFC 6749 §5.1), and the classification of
 * one device poll (RFC 8628 §3.5) or one refresh (RFC 6749 §6) into a result the state machine acts on.
 *
 * Classification goes by the OAuth `error` member, not the status: providers send
 * `authorization_pending` with 400 (RFC), 401, 403 (Auth0), 428 and even 200.
 */
import { ProtocolError } from '../errors.js';
import type { OAuthError } from '../errors.js';
import { extraMembers, membersOf, oauthErrorOf, optionalSeconds, optionalString, requiredString } from './fields.js';
import type { Members } from './fields.js';
import { slowDownInterval } from './poll-interval.js';
import { errorFor, failureOf } from './response.js';
import type { HttpResponse, PollResult, RefreshResult, TokenSet } from './types.js';

/** Tokens are JWTs at worst: a few kB with many claims. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
/** An access or refresh token valid for more than a year is a provider bug, not a feature. */
export const MAX_TOKEN_LIFETIME_S = 366 * 24 * 3600;

const KNOWN = new Set(['access_token', 'token_type', 'expires_in', 'refresh_token', 'refresh_expires_in', 'refresh_token_expires_in', 'scope', 'id_token']);
/** JWS compact serialisation: header.payload.signature (RFC 7515 §7.1). */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const lifetime = { min: 0, max: MAX_TOKEN_LIFETIME_S };
/** Token types by their lower-case spelling, normalised to the RFCs' spelling. */
const TOKEN_TYPES = new Map([['bearer', 'Bearer'], ['dpop', 'DPoP']]);

/**
 * Checks a successful token response member by member.
 * @throws ProtocolError naming the member
 * @see RFC 6749 §5.1, OpenID Connect Core §3.1.3.3
 */
export function parseTokenSet(m: Members, status: number, now: number): TokenSet {
  const token = { maxLength: MAX_TOKEN_LENGTH, printable: true };
  const accessToken = requiredString(m, 'access_token', token, status);
  const rawType = requiredString(m, 'token_type', { maxLength: 64, printable: true }, status);
  // RFC 6750 names it "Bearer"; Hydra and GitHub send "bearer". The type is case-insensitive (RFC 6749 §5.1),
  // and RFC 9449 §5 spells the other one "DPoP".
  const tokenType = TOKEN_TYPES.get(rawType.toLowerCase()) ?? rawType;
  const expiresIn = optionalSeconds(m, 'expires_in', lifetime, status);
  const refreshToken = optionalString(m, 'refresh_token', token, status);
  // Some providers send scope as a JSON list.
  const scopeValue = Array.isArray(m.scope) && m.scope.every((s) => typeof s === 'string') ? m.scope.join(' ') : m.scope;
  const scope = optionalString({ scope: scopeValue === '' ? null : scopeValue }, 'scope', { maxLength: 4096, printable: true }, status);
  const idToken = optionalString(m, 'id_token', token, status);
  if (idToken !== undefined && !JWS_COMPACT.test(idToken)) {
    throw new ProtocolError('id_token', 'response body "id_token" must be a signed JWT (header.payload.signature)', status);
  }
  const extra = extraMembers(m, KNOWN);
  // Keycloak's `refresh_expires_in` and GitHub's `refresh_token_expires_in` are not standard: a malformed
  // one stays in `extra` rather than failing a pairing.
  const nonStandardSeconds = (name: string): number | undefined => {
    try {
      return optionalSeconds(m, name, lifetime, status);
    } catch {
      extra[name] = m[name];
      return undefined;
    }
  };
  const refreshExpiresIn = nonStandardSeconds('refresh_expires_in');
  const refreshTokenExpiresIn = nonStandardSeconds('refresh_token_expires_in');
  return {
    accessToken,
    tokenType,
    ...(expiresIn === undefined ? {} : { expiresIn, expiresAt: now + expiresIn * 1000 }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(refreshExpiresIn === undefined ? {} : { refreshExpiresIn }),
    ...(refreshTokenExpiresIn === undefined ? {} : { refreshTokenExpiresIn }),
    ...(scope === undefined ? {} : { scope }),
    ...(idToken === undefined ? {} : { idToken }),
    extra,
  };
}

/** The `interval` a server sent beside `slow_down`, when it is usable (RFC 8628 §3.5). */
function sentInterval(response: HttpResponse): number | undefined {
  try {
    return optionalSeconds(membersOf(response), 'interval', { min: 1, max: 3600 }, response.status);
  } catch {
    return undefined; // A malformed `interval` beside slow_down: the RFC's +5 s applies.
  }
}

/**
 * Classifies the answer to one device access token request.
 * @param currentInterval the polling interval in use, in seconds (after earlier `slow_down`s)
 * @see RFC 8628 §3.5
 */
export function processPollResponse(response: HttpResponse, currentInterval: number, now: number = Date.now()): PollResult {
  try {
    const error = oauthErrorOf(response);
    switch (error?.error) {
      case 'authorization_pending':
        return { kind: 'pending' };
      case 'slow_down':
        return { kind: 'slow_down', interval: slowDownInterval(currentInterval, sentInterval(response)) };
      case 'access_denied':
        return { kind: 'denied', error };
      case 'expired_token':
      // The device code is unknown or already used (oidc-provider after a consumed code): start over.
      case 'invalid_grant':
        return { kind: 'expired', error };
    }
    if (error === undefined && response.status >= 200 && response.status < 300) {
      return { kind: 'tokens', tokens: parseTokenSet(membersOf(response), response.status, now) };
    }
    return failureOf(errorFor(response, error, now));
  } catch (e) {
    if (e instanceof ProtocolError) return { kind: 'fatal', error: e };
    throw e;
  }
}

/**
 * Classifies the answer to one refresh request. The old refresh token stays when the provider sends
 * none (RFC 6749 §6: the server "MAY issue a new refresh token").
 * @see RFC 6749 §6, RFC 9700 §4.14.2 (rotation)
 */
export function processRefreshResponse(response: HttpResponse, oldRefreshToken: string, now: number = Date.now()): RefreshResult {
  let error: OAuthError | undefined;
  try {
    error = oauthErrorOf(response);
  } catch (e) {
    if (e instanceof ProtocolError) return { kind: 'fatal', error: e };
    throw e;
  }
  if (error?.error === 'invalid_grant') return { kind: 'invalid_grant', error };
  if (error !== undefined || response.status < 200 || response.status >= 300) return failureOf(errorFor(response, error, now));
  let m: Members;
  try {
    m = membersOf(response);
  } catch (e) {
    if (e instanceof ProtocolError) return { kind: 'fatal', error: e };
    throw e;
  }
  try {
    const tokens = parseTokenSet(m, response.status, now);
    const rotated = tokens.refreshToken !== undefined && tokens.refreshToken !== oldRefreshToken;
    return { kind: 'tokens', tokens: { ...tokens, refreshToken: tokens.refreshToken ?? oldRefreshToken }, rotated };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    const salvaged = m.refresh_token;
    const usable = typeof salvaged === 'string' && salvaged.length > 0 && salvaged.length <= MAX_TOKEN_LENGTH && salvaged !== oldRefreshToken;
    return { kind: 'fatal', error: e, ...(usable ? { salvagedRefreshToken: salvaged } : {}) };
  }
}
