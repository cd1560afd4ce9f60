/**
 * ID token validation (OpenID Connect Core §3.1.3.7) with jose: the signature against the provider's
 * JWKS, or against the client secret for HMAC-signed tokens (§10.1); `iss`, `aud`, `azp`, `exp`/`iat`
 * with a small clock tolerance, and the same `sub` as before on refresh (§12.2). The JWKS is fetched
 * through our HTTP client, so its timeouts, size cap and URL policy apply; jose is imported on first use.
 *
 * A token this client cannot verify (HMAC without the key, `none`, an algorithm it does not know, no
 * published keys) is not a forgery: it came straight from the token endpoint over TLS, which OIDC Core
 * §3.1.3.7 (6) accepts in place of a signature check. Its `iss` and `aud` are still compared, and it is
 * reported with the check `id_token_unverifiable`, so the caller keeps the pairing and learns who paired
 * elsewhere (issue #12).
 */
import { ProtocolError, type ProtocolCheck } from '../errors.js';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey, JWTVerifyResult } from 'jose';
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
/** Asymmetric algorithms, checked against the provider's published keys. `none` never verifies. */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** HMAC algorithms, keyed with the UTF-8 octets of the client secret (OIDC Core §10.1): confidential clients only. */
const HMAC_ALGS = ['HS256', 'HS384', 'HS512'];
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
  /** The provider's endpoints; `issuer` is required, and `jwksUri` unless a client secret is given. */
  endpoints: Pick<Endpoints, 'issuer' | 'jwksUri' | 'idTokenSigningAlgs'>;
  clientId: string;
  /** A confidential client's secret: the key of HMAC-signed ID tokens (OIDC Core §10.1). */
  clientSecret?: string;
  /** @default CLOCK_TOLERANCE_S */
  clockToleranceS?: number;
  now?: () => number;
}

export interface IdTokenValidator {
  /**
   * Validates an ID token and returns its claims.
   * @param expected.subject the `sub` of the pairing's earlier ID token: required equal on refresh (§12.2)
   * @throws ProtocolError (field `id_token`; check `id_token_time` or `id_token_unverifiable` when the
   *   token is refused only for the local clock or cannot be verified by this client), NetworkError (JWKS fetch)
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

/** OIDC Core §3.1.3.7 (2)–(5): issuer, audience, and `azp` when there are several audiences. */
function checkAudience(claims: JWTPayload, issuer: string | undefined, clientId: string): void {
  if (issuer !== undefined && claims.iss !== issuer) throw reject('"iss" is another issuer');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(clientId)) throw reject('"aud" does not name this client');
  if (audiences.length > 1 && claims.azp === undefined) throw reject('several audiences and no "azp"');
  if (claims.azp !== undefined && claims.azp !== clientId) throw reject('"azp" is another client');
}

/**
 * The claims of an ID token this client cannot verify, compared with who we are; then always throws:
 * a foreign token as rejected, ours as `id_token_unverifiable` (OIDC Core §3.1.3.7 (6), issue #12).
 * @throws ProtocolError
 */
export async function rejectUnverifiable(idToken: string, expected: { issuer?: string; clientId: string }, why: string): Promise<never> {
  const { decodeJwt } = await import('jose');
  let claims: JWTPayload;
  try {
    claims = decodeJwt(idToken);
  } catch (error) {
    throw reject(`not a JWT: ${(error as Error).message}`);
  }
  checkAudience(claims, expected.issuer, expected.clientId);
  throw reject(`cannot be verified here (${why}); it came from the token endpoint over TLS`, 'id_token_unverifiable');
}

/**
 * Creates a validator that keeps the provider's JWKS in memory and refetches it once when a token
 * names a key it does not have (key rotation).
 * @throws ProtocolError when the issuer is unknown, or neither keys nor a client secret nor an
 *   acceptable algorithm are there to verify with
 * @see OpenID Connect Core §3.1.3.7, §10.1, §12.2; RFC 7517 §5
 */
export function createIdTokenValidator(http: HttpClient, options: IdTokenValidatorOptions): IdTokenValidator {
  const { issuer, jwksUri, idTokenSigningAlgs } = options.endpoints;
  const { clientId, clientSecret } = options;
  if (issuer === undefined) throw reject('no issuer is configured to check "iss" against');
  if (jwksUri === undefined && clientSecret === undefined) throw reject('the provider publishes no jwks_uri');
  const published = (algs: string[]) => (idTokenSigningAlgs === undefined ? algs : algs.filter((a) => idTokenSigningAlgs.includes(a)));
  const asymmetric = jwksUri === undefined ? [] : published(ASYMMETRIC_ALGS);
  const hmac = clientSecret === undefined ? [] : published(HMAC_ALGS);
  if (asymmetric.length + hmac.length === 0) throw reject(`no supported signing algorithm among ${JSON.stringify(idTokenSigningAlgs)}`);
  const now = options.now ?? Date.now;
  let keys: { set: JWTVerifyGetKey; fetchedAt: number } | undefined;

  async function fetchJwks(url: string): Promise<JWTVerifyGetKey> {
    const response = await http.send({ method: 'GET', url, headers: {}, followRedirects: true });
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
      const verifyOptions = (algorithms: string[]) => ({
        issuer,
        audience: clientId,
        algorithms,
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: options.clockToleranceS ?? CLOCK_TOLERANCE_S,
        currentDate: new Date(now()),
      });
      let alg: unknown;
      try {
        alg = jose.decodeProtectedHeader(idToken).alg;
      } catch (error) {
        throw reject(`no readable header: ${(error as Error).message}`);
      }
      const unverifiable = (why: string) => rejectUnverifiable(idToken, { issuer, clientId }, why);
      let result: JWTVerifyResult;
      try {
        if (typeof alg === 'string' && hmac.includes(alg)) {
          try {
            result = await jose.jwtVerify(idToken, new TextEncoder().encode(clientSecret), verifyOptions(hmac));
          } catch (error) {
            // A provider may key its HMAC with a secret of its own (Glewlwyd's `jwt-type: sha`), not the
            // client's: a mismatch here cannot tell a forgery from that, so the token is unchecked.
            if ((error as { code?: unknown }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw error;
            return await unverifiable(`${alg} with a key other than the client secret`);
          }
        } else if (typeof alg === 'string' && asymmetric.includes(alg) && jwksUri !== undefined) {
          const verify = (set: JWTVerifyGetKey) => jose.jwtVerify(idToken, set, verifyOptions(asymmetric));
          try {
            result = await verify(keys?.set ?? (await fetchJwks(jwksUri)));
          } catch (error) {
            const unknownKey = (error as { code?: unknown }).code === 'ERR_JWKS_NO_MATCHING_KEY';
            if (!unknownKey || keys === undefined || now() - keys.fetchedAt < JWKS_REFETCH_COOLDOWN_MS) throw error;
            result = await verify(await fetchJwks(jwksUri));
          }
        } else {
          const why = typeof alg !== 'string' ? 'no "alg"' : HMAC_ALGS.includes(alg) ? `${alg} needs the client secret, and this client has none` : `"${alg}" is not an algorithm this client verifies with the provider's keys`;
          return await unverifiable(why);
        }
      } catch (error) {
        if (!(error instanceof jose.errors.JOSEError)) throw error;
        // jose's messages name the check ("\"exp\" claim timestamp check failed"), never the token.
        throw reject(`${error.code}: ${error.message}`, isTimeCheck(error as { code?: unknown; claim?: unknown }) ? 'id_token_time' : undefined);
      }
      const claims = result.payload as IdTokenClaims;
      checkAudience(claims, issuer, clientId);
      if (expected.subject !== undefined && claims.sub !== expected.subject) throw reject('"sub" differs from the pairing\'s subject');
      return claims;
    },
  };
}
