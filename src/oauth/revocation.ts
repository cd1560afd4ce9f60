/**
 * Token revocation (RFC 7009): the refresh token first — the server then "SHOULD also invalidate all
 * access tokens based on the same authorization grant" (§2.1) — then the access token.
 */
import { OAuthError } from '../errors.js';
import { authenticatedPost } from './client-auth.js';
import type { HttpClient } from './http.js';
import { assertSuccess, failureOf } from './response.js';
import type { ClientCredentials, Endpoints, FatalFailure, HttpRequest, HttpResponse, TransientFailure } from './types.js';

export type TokenTypeHint = 'refresh_token' | 'access_token';

export type RevocationResult =
  /** Every token given was revoked (or the server cannot revoke that type, e.g. JWT access tokens). */
  | { kind: 'revoked' }
  /** The provider has no revocation endpoint: the tokens stay valid until they expire. */
  | { kind: 'unsupported' }
  | TransientFailure
  | FatalFailure;

/**
 * Builds one revocation request.
 * @see RFC 7009 §2.1
 */
export function buildRevocationRequest(revocationEndpoint: string, client: ClientCredentials, token: string, hint: TokenTypeHint): HttpRequest {
  return authenticatedPost(revocationEndpoint, client, { token, token_type_hint: hint });
}

/**
 * Checks a revocation answer: any 2xx is success (the body is ignored; an invalid token is not an
 * error, §2.2). 503 is retryable (§2.2.1).
 * @throws NetworkError, OAuthError (`unsupported_token_type`, `invalid_client`…), ProtocolError
 * @see RFC 7009 §2.2, §2.2.1
 */
export function processRevocationResponse(response: HttpResponse): void {
  if (response.status >= 200 && response.status < 300) return;
  assertSuccess(response);
}

/**
 * Revokes one token.
 * @throws NetworkError, OAuthError, ProtocolError
 * @see RFC 7009 §2
 */
export async function revokeToken(
  http: HttpClient,
  revocationEndpoint: string,
  client: ClientCredentials,
  token: string,
  hint: TokenTypeHint,
): Promise<void> {
  processRevocationResponse(await http.send(buildRevocationRequest(revocationEndpoint, client, token, hint)));
}

/**
 * A token the server says is already invalid. RFC 7009 §2.2 wants 200 for those; some providers answer
 * `invalid_grant` / `invalid_token` instead. Either way nothing is left to revoke.
 */
const alreadyInvalid = (error: unknown) => error instanceof OAuthError && (error.error === 'invalid_grant' || error.error === 'invalid_token');

/**
 * Revokes a pairing's tokens: the refresh token, then the access token. A server that cannot revoke
 * access tokens (`unsupported_token_type`: Auth0's JWTs) still counts as revoked once the refresh
 * token is gone; so do tokens the server says are already invalid.
 * @see RFC 7009 §2.1, §2.2, §2.2.1
 */
export async function revokeTokens(
  http: HttpClient,
  endpoints: Pick<Endpoints, 'revocationEndpoint'>,
  client: ClientCredentials,
  tokens: { refreshToken?: string; accessToken?: string },
): Promise<RevocationResult> {
  const endpoint = endpoints.revocationEndpoint;
  if (endpoint === undefined) return { kind: 'unsupported' };
  if (tokens.refreshToken !== undefined) {
    try {
      await revokeToken(http, endpoint, client, tokens.refreshToken, 'refresh_token');
    } catch (error) {
      if (!alreadyInvalid(error)) return failureOf(error);
    }
  }
  if (tokens.accessToken !== undefined) {
    try {
      await revokeToken(http, endpoint, client, tokens.accessToken, 'access_token');
    } catch (error) {
      const unrevocable = error instanceof OAuthError && error.error === 'unsupported_token_type';
      if (!(unrevocable && tokens.refreshToken !== undefined) && !alreadyInvalid(error)) return failureOf(error);
    }
  }
  return { kind: 'revoked' };
}
