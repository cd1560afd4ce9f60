/**
 * Token endpoint requests: one device poll (RFC 8628 §3.4) and one refresh (RFC 6749 §6).
 * Each performs exactly one request and returns a result; the state machine owns the timing.
 * Nothing is retried here: a refresh whose answer was lost may have consumed the refresh token.
 */
import { authenticatedPost } from './client-auth.js';
import type { HttpClient } from './http.js';
import { failureOf } from './response.js';
import { processPollResponse, processRefreshResponse } from './token-response.js';
import type { ClientCredentials, Endpoints, HttpRequest, PollResult, RefreshResult } from './types.js';

/** @see RFC 8628 §3.4 */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Builds one device access token request.
 * @see RFC 8628 §3.4
 */
export function buildDeviceTokenRequest(
  endpoints: Pick<Endpoints, 'tokenEndpoint'>,
  client: ClientCredentials,
  deviceCode: string,
): HttpRequest {
  return authenticatedPost(endpoints.tokenEndpoint, client, { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode });
}

/**
 * Builds one refresh request. `scope` may only narrow the original grant (RFC 6749 §6).
 * @see RFC 6749 §6
 */
export function buildRefreshRequest(
  endpoints: Pick<Endpoints, 'tokenEndpoint'>,
  client: ClientCredentials,
  refreshToken: string,
  scope?: string,
): HttpRequest {
  const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
  if (scope !== undefined && scope !== '') params.scope = scope;
  return authenticatedPost(endpoints.tokenEndpoint, client, params);
}

/**
 * Polls once for the tokens of a device authorization.
 * @param poll.interval the interval in use in seconds (grown by earlier `slow_down`s)
 * @returns `pending`, `slow_down` (with the interval for all later polls), `denied`, `expired`,
 *   `tokens`, `transient` (back off) or `fatal`. Never throws for network or protocol failures.
 * @see RFC 8628 §3.4, §3.5
 */
export async function pollDeviceToken(
  http: HttpClient,
  endpoints: Pick<Endpoints, 'tokenEndpoint'>,
  client: ClientCredentials,
  poll: { deviceCode: string; interval: number },
  now: () => number = Date.now,
): Promise<PollResult> {
  try {
    const response = await http.send(buildDeviceTokenRequest(endpoints, client, poll.deviceCode));
    return processPollResponse(response, poll.interval, now());
  } catch (error) {
    return failureOf(error);
  }
}

/**
 * Refreshes once. On `tokens`, persist `tokens.refreshToken` before anything else (it is the rotated
 * one, or the old one when the provider did not rotate). `invalid_grant` means the pairing is gone;
 * a `transient` result never does — check `requestMayHaveBeenProcessed` before retrying with the
 * same token.
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 */
export async function refreshTokens(
  http: HttpClient,
  endpoints: Pick<Endpoints, 'tokenEndpoint'>,
  client: ClientCredentials,
  refreshToken: string,
  options: { scope?: string; now?: () => number } = {},
): Promise<RefreshResult> {
  try {
    const response = await http.send(buildRefreshRequest(endpoints, client, refreshToken, options.scope));
    return processRefreshResponse(response, refreshToken, (options.now ?? Date.now)());
  } catch (error) {
    return failureOf(error);
  }
}
