/**
 * Who paired: the userinfo endpoint (OpenID Connect Core §5.3), reduced to what the screen and
 * `status` show — a name, an email address or a phone number (Hydra's seed answers only
 * `phone_number`).
 */
import { OAuthError, ProtocolError } from '../errors.js';
import { membersOf, requiredString } from './fields.js';
import { sendWithDpop } from './dpop-send.js';
import type { DpopContext } from './dpop-send.js';
import type { HttpClient } from './http.js';
import { assertSuccess } from './response.js';
import type { Endpoints, HttpRequest, HttpResponse } from './types.js';

export interface UserInfo {
  /** The stable subject identifier. */
  sub: string;
  name?: string;
  preferredUsername?: string;
  email?: string;
  emailVerified?: boolean;
  phoneNumber?: string;
  phoneNumberVerified?: boolean;
  /** Every claim as received. */
  claims: Record<string, unknown>;
}

/** OIDC Core §2: `sub` is at most 255 ASCII characters. */
const MAX_SUB_LENGTH = 255;
/** Display claims longer than this are not a name anyone can read on a 128 px screen. */
const MAX_CLAIM_LENGTH = 256;

/** A display claim, or undefined when absent or unusable: odd optional claims never fail a pairing. */
function text(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_CLAIM_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) return undefined;
  return value.trim();
}

/** Booleans; AWS Cognito sends them as the strings "true" and "false". */
function flag(claims: Record<string, unknown>, name: string): boolean | undefined {
  const value = claims[name];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** @see OpenID Connect Core §5.3.1, RFC 6750 §2.1 */
export function buildUserInfoRequest(userinfoEndpoint: string, accessToken: string, scheme: 'Bearer' | 'DPoP' = 'Bearer'): HttpRequest {
  // RFC 6750 §2.1 (RFC 9449 §7.1 for DPoP). Redirects are not followed: they would carry the token to another place.
  return { method: 'GET', url: userinfoEndpoint, headers: { authorization: `${scheme} ${accessToken}` } };
}

/** RFC 6750 §3: `WWW-Authenticate: Bearer error="invalid_token", error_description="…"` (or `DPoP …`, RFC 9449 §7.1). */
function bearerError(response: HttpResponse): OAuthError | undefined {
  const raw = response.headers['www-authenticate'];
  const header = Array.isArray(raw) ? raw.join(', ') : raw;
  const error = header?.match(/error="([^"]{1,128})"/)?.[1];
  if (error === undefined) return undefined;
  return new OAuthError(response.status, error, header?.match(/error_description="([^"]{0,500})"/)?.[1]);
}

/**
 * Checks a userinfo answer. With `expectedSubject` (the ID token's `sub`), a different `sub` is
 * rejected: the answer may be about someone else (OIDC Core §5.3.2).
 * @throws OAuthError (`invalid_token`: the access token expired or was revoked), NetworkError, ProtocolError
 * @see OpenID Connect Core §5.3.2, §5.3.3
 */
export function processUserInfoResponse(response: HttpResponse, expectedSubject?: string): UserInfo {
  if (response.status === 401 || response.status === 403) {
    const error = bearerError(response);
    if (error !== undefined) throw error;
  }
  assertSuccess(response);
  const claims = membersOf(response);
  const sub = requiredString(claims, 'sub', { maxLength: MAX_SUB_LENGTH, printable: true }, response.status);
  if (expectedSubject !== undefined && sub !== expectedSubject) {
    throw new ProtocolError('sub', 'userinfo "sub" differs from the ID token\'s', response.status);
  }
  const info: UserInfo = { sub, claims };
  const fields = {
    name: text(claims, 'name'),
    preferredUsername: text(claims, 'preferred_username'),
    email: text(claims, 'email'),
    emailVerified: flag(claims, 'email_verified'),
    phoneNumber: text(claims, 'phone_number'),
    phoneNumberVerified: flag(claims, 'phone_number_verified'),
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (info as unknown as Record<string, unknown>)[key] = value;
  }
  return info;
}

/**
 * Asks the provider who the access token belongs to.
 * @throws OAuthError, NetworkError, ProtocolError (also when there is no userinfo endpoint)
 * @see OpenID Connect Core §5.3
 */
export async function fetchUserInfo(
  http: HttpClient,
  endpoints: Pick<Endpoints, 'userinfoEndpoint'>,
  accessToken: string,
  options: { expectedSubject?: string; dpop?: DpopContext } = {},
): Promise<UserInfo> {
  if (endpoints.userinfoEndpoint === undefined) {
    throw new ProtocolError('userinfo_endpoint', 'the provider publishes no userinfo_endpoint; set "userinfo_endpoint" in the configuration');
  }
  const { dpop } = options;
  const request = buildUserInfoRequest(endpoints.userinfoEndpoint, accessToken, dpop === undefined ? 'Bearer' : 'DPoP');
  // A DPoP-bound token is presented with a proof whose `ath` is its hash (RFC 9449 §7).
  const response = dpop === undefined ? await http.send(request) : await sendWithDpop(http, dpop, request, accessToken);
  return processUserInfoResponse(response, options.expectedSubject);
}

/**
 * The one line that says who paired: name, else email, else phone number, else username, else `sub`.
 */
export function displayIdentity(info: Pick<UserInfo, 'sub' | 'name' | 'email' | 'phoneNumber' | 'preferredUsername'>): string {
  return info.name ?? info.email ?? info.phoneNumber ?? info.preferredUsername ?? info.sub;
}
