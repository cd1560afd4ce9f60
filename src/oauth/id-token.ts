/**
 * ID token validation (OpenID Connect Core §3.1.3.7) with jose: signature against the provider's JWKS,
 * `iss`, `aud`, `azp`, `exp`/`iat` with a small clock tolerance, and the same `sub` as before on
 * refresh (§12.2). The JWKS is fetched through our HTTP client, so its timeouts, size cap and URL
 * policy apply; jose is imported on first use.
 */
import { ProtocolError, type ProtocolCheck } from '../errors.js';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import type { HttpClient } from './http.js';
import { assertSuccess } from './response.js';
import { membersOf } from './fields.js';
import type { Endpoints } from './types.js';

/**
 * Tolerated clock skew. Small on purpose: a Pi without an RTC whose clock is off by more than this
 * fails validation until NTP has synced, which is better than accepting expired tokens.
 */
export const CLOCK_TOLERANCE_S = 30;
/** A JWKS is refetched for an unknown `kid` (key rotation) at most this often. */
export const JWKS_REFETCH_COOLDOWN_MS = 60_000;
/** Asymmetric algorithms only: `none` never, and HS* would need the client secret as key. */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** OIDC Core §2: required ID token claims. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat'];

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  [claim: string]: unknown;
}

export interface IdTokenValidatorOptions {
  /** The provider's endpoints; `issuer` and `jwksUri` are required. */
  endpoints: Pick<Endpoints, 'issuer' | 'jwksUri' | 'idTokenSigningAlgs'>;
  clientId: string;
  /** @default CLOCK_TOLERANCE_S */
  clockToleranceS?: number;
  now?: () => number;
}

export interface IdTokenValidator {
  /**
   * Validates an ID token and returns its claims.
   * @param expected.subject the `sub` of the pairing's earlier ID token: required equal on refresh (§12.2)
   * @throws ProtocolError (field `id_token`), NetworkError (JWKS fetch)
   */
  validate(idToken: string, expected?: { subject?: string }): Promise<IdTokenClaims>;
}

function reject(reason: string, check?: ProtocolCheck): ProtocolError {
  return new ProtocolError('id_token', `ID token rejected: ${reason}`, undefined, check);
}

/** Claims jose compares with the local clock (RFC 7519 §4.1.4–4.1.6). */
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat']);

/** Whether jose refused the token only for its times, by its error's code and claim (never its message). */
function isTimeCheck(error: { code?: unknown; claim?: unknown }): boolean {
  if (error.code === 'ERR_JWT_EXPIRED') return true;
  return error.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && typeof error.claim === 'string' && TIME_CLAIMS.has(error.claim);
}

/**
 * Creates a validator that keeps the provider's JWKS in memory and refetches it once when a token
 * names a key it does not have (key rotation).
 * @throws ProtocolError when the issuer or JWKS URI is unknown, or no acceptable algorithm remains
 * @see OpenID Connect Core §3.1.3.7, §12.2; RFC 7517 §5
 */
export function createIdTokenValidator(http: HttpClient, options: IdTokenValidatorOptions): IdTokenValidator {
  const { issuer, jwksUri, idTokenSigningAlgs } = options.endpoints;
  if (issuer === undefined) throw reject('no issuer is configured to check "iss" against');
  if (jwksUri === undefined) throw reject('the provider publishes no jwks_uri');
  const jwksUrl: string = jwksUri;
  const algorithms = idTokenSigningAlgs === undefined ? ASYMMETRIC_ALGS : ASYMMETRIC_ALGS.filter((a) => idTokenSigningAlgs.includes(a));
  if (algorithms.length === 0) throw reject(`no supported signing algorithm among ${JSON.stringify(idTokenSigningAlgs)}`);
  const now = options.now ?? Date.now;
  let keys: { set: JWTVerifyGetKey; fetchedAt: number } | undefined;

  async function fetchJwks(): Promise<JWTVerifyGetKey> {
    const response = await http.send({ method: 'GET', url: jwksUrl, headers: {}, followRedirects: true });
    assertSuccess(response);
    const jwks = membersOf(response);
    if (!Array.isArray(jwks.keys)) throw new ProtocolError('keys', 'JWKS "keys" must be a list', response.status);
    const { createLocalJWKSet } = await import('jose');
    try {
      const set = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
      keys = { set, fetchedAt: now() };
      return set;
    } catch (error) {
      throw new ProtocolError('keys', `JWKS is invalid: ${(error as Error).message}`, response.status);
    }
  }

  return {
    async validate(idToken, expected = {}) {
      const jose = await import('jose');
      const verify = async (set: JWTVerifyGetKey) =>
        jose.jwtVerify(idToken, set, {
          issuer,
          audience: options.clientId,
          algorithms,
          requiredClaims: REQUIRED_CLAIMS,
          clockTolerance: options.clockToleranceS ?? CLOCK_TOLERANCE_S,
          currentDate: new Date(now()),
        });
      let result: Awaited<ReturnType<typeof verify>>;
      try {
        try {
          result = await verify(keys?.set ?? (await fetchJwks()));
        } catch (error) {
          const unknownKey = (error as { code?: unknown }).code === 'ERR_JWKS_NO_MATCHING_KEY';
          if (!unknownKey || keys === undefined || now() - keys.fetchedAt < JWKS_REFETCH_COOLDOWN_MS) throw error;
          result = await verify(await fetchJwks());
        }
      } catch (error) {
        if (!(error instanceof jose.errors.JOSEError)) throw error;
        // jose's messages name the check ("\"exp\" claim timestamp check failed"), never the token.
        throw reject(`${error.code}: ${error.message}`, isTimeCheck(error as { code?: unknown; claim?: unknown }) ? 'id_token_time' : undefined);
      }
      const claims = result.payload as IdTokenClaims;
      // OIDC Core §3.1.3.7 (4)(5): several audiences need `azp`; an `azp` must be us.
      if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp === undefined) throw reject('several audiences and no "azp"');
      if (claims.azp !== undefined && claims.azp !== options.clientId) throw reject('"azp" is another client');
      if (expected.subject !== undefined && claims.sub !== expected.subject) throw reject('"sub" differs from the pairing\'s subject');
      return claims;
    },
  };
}
