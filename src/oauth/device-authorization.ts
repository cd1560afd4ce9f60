/**
 * The device authorization request and its response (RFC 8628 §3.1, §3.2): build, process, and the
 * one-call shell that does both.
 */
import { ConfigError } from '../errors.js';
import { authenticatedPost } from './client-auth.js';
import {
  extraMembers, membersOf, optionalSeconds, optionalString, optionalUrl, requiredSeconds, requiredString, requiredUrl,
} from './fields.js';
import type { HttpClient } from './http.js';
import { assertSuccess } from './response.js';
import type { ClientCredentials, DeviceAuthorization, Endpoints, HttpRequest, HttpResponse } from './types.js';

/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
export const DEFAULT_INTERVAL_S = 5;
/** A 0 interval would have the device hammer the provider; poll at most once a second. */
export const MIN_INTERVAL_S = 1;
/** Longer than any code lifetime we accept makes no sense. */
export const MAX_INTERVAL_S = 3600;
/** Providers issue codes for 5–30 minutes (Auth0 900 s, Keycloak 600 s, RFC example 1800 s); a day is absurd already. */
export const MAX_EXPIRES_IN_S = 24 * 3600;
/** User codes are meant to be typed: 8–9 characters in practice (RFC 8628 §6.1); they must fit a 128 px screen. */
export const MAX_USER_CODE_LENGTH = 64;
/** Opaque, but sent back in every poll: 40–100 characters in practice, under 2 kB as JWTs. */
export const MAX_DEVICE_CODE_LENGTH = 4096;
/** Browsers and QR codes both struggle beyond this. */
export const MAX_URI_LENGTH = 2048;
/** Microsoft's ready-made instruction `message`. */
const MAX_MESSAGE_LENGTH = 1024;

const KNOWN = new Set([
  'device_code', 'user_code', 'verification_uri', 'verification_uri_complete', 'expires_in', 'interval',
  'verification_url', 'verification_url_complete', 'message',
]);
/** Parameters the agent sets itself; `extraParams` may not override them. */
const RESERVED = new Set(['client_id', 'client_secret', 'scope', 'audience', 'grant_type', 'device_code']);

export interface DeviceAuthorizationParams {
  /** Space-separated string or list; omitted from the request when empty. @example "openid offline_access" */
  scope?: string | readonly string[];
  /** Auth0's API identifier. @example "https://api.wiremock.cloud" */
  audience?: string;
  /** Provider-specific parameters (config `extra_params`). */
  extraParams?: Readonly<Record<string, string>>;
}

/**
 * Builds the device authorization request.
 * @throws ConfigError when `extraParams` tries to set a parameter the agent sets itself.
 * @see RFC 8628 §3.1
 */
export function buildDeviceAuthorizationRequest(
  endpoints: Pick<Endpoints, 'deviceAuthorizationEndpoint'>,
  client: ClientCredentials,
  params: DeviceAuthorizationParams = {},
): HttpRequest {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(params.extraParams ?? {})) {
    if (RESERVED.has(key)) throw new ConfigError('is set by the agent itself; remove it from extra_params', 'extra_params', key);
    form[key] = value;
  }
  const scope = typeof params.scope === 'string' ? params.scope.trim() : (params.scope ?? []).join(' ');
  if (scope !== '') form.scope = scope;
  if (params.audience !== undefined && params.audience !== '') form.audience = params.audience;
  return authenticatedPost(endpoints.deviceAuthorizationEndpoint, client, form);
}

/**
 * Checks a device authorization response member by member. Tolerates numbers as strings, a missing
 * `verification_uri_complete`, Google's `verification_url`, Microsoft's `message`, extra members;
 * rejects non-HTTPS URIs, absurd lifetimes and oversized codes.
 * @throws OAuthError, NetworkError (5xx, 429) or ProtocolError (naming the member)
 * @see RFC 8628 §3.2
 */
export function processDeviceAuthorizationResponse(response: HttpResponse, now: number = Date.now()): DeviceAuthorization {
  assertSuccess(response, now);
  const m = membersOf(response);
  const s = response.status;
  const deviceCode = requiredString(m, 'device_code', { maxLength: MAX_DEVICE_CODE_LENGTH, printable: true }, s);
  const userCode = requiredString(m, 'user_code', { maxLength: MAX_USER_CODE_LENGTH, printable: true }, s);
  // Google's device flow says `verification_url`; the RFC name wins when both are present.
  const uriName = m.verification_uri === undefined && m.verification_url !== undefined ? 'verification_url' : 'verification_uri';
  const verificationUri = requiredUrl(m, uriName, MAX_URI_LENGTH, s);
  const completeName =
    m.verification_uri_complete === undefined && m.verification_url_complete !== undefined ? 'verification_url_complete' : 'verification_uri_complete';
  const verificationUriComplete = optionalUrl(m, completeName, MAX_URI_LENGTH, s);
  const expiresIn = requiredSeconds(m, 'expires_in', { min: 1, max: MAX_EXPIRES_IN_S }, s);
  const interval = optionalSeconds(m, 'interval', { min: 0, max: MAX_INTERVAL_S }, s) ?? DEFAULT_INTERVAL_S;
  const message = optionalString(m, 'message', { maxLength: MAX_MESSAGE_LENGTH }, s);
  return {
    deviceCode,
    userCode,
    verificationUri,
    ...(verificationUriComplete === undefined ? {} : { verificationUriComplete }),
    expiresIn,
    expiresAt: now + expiresIn * 1000,
    interval: Math.max(interval, MIN_INTERVAL_S),
    ...(message === undefined ? {} : { message }),
    extra: extraMembers(m, KNOWN),
  };
}

/**
 * Starts a pairing: one device authorization request.
 * @throws NetworkError (retry later), OAuthError (e.g. `invalid_client`, `invalid_scope`), ProtocolError
 * @see RFC 8628 §3.1, §3.2
 */
export async function requestDeviceAuthorization(
  http: HttpClient,
  endpoints: Pick<Endpoints, 'deviceAuthorizationEndpoint'>,
  client: ClientCredentials,
  params: DeviceAuthorizationParams = {},
  now: () => number = Date.now,
): Promise<DeviceAuthorization> {
  const response = await http.send(buildDeviceAuthorizationRequest(endpoints, client, params));
  return processDeviceAuthorizationResponse(response, now());
}
