/**
 * Token endpoint requests: one device poll (RFC 8628 §3.4) and one refresh (RFC 6749 §6).
 * Each performs exactly one request and returns a result; the state machine owns the timing.
 * Nothing is retried here: a refresh whose answer was lost may have consumed the refresh token.
 */
import { ProtocolError } from '../errors.js';
import { authenticatedPost } from './client-auth.js';
import { sendWithDpop } from './dpop-send.js';
import type { DpopContext } from './dpop-send.js';
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
 * Tokens asked for with a proof must come back as `token_type` "DPoP" (RFC 9449 §5): a "Bearer" answer
 * means the server ignored the proof, and the tokens would work for anyone who copies them. They are
 * refused (a downgrade), never kept. Only the access token's type says whether it is bound; whether the
 * refresh token is, the server decides (§5: always for public clients).
 */
function refuseDowngrade<R extends PollResult | RefreshResult>(result: R, dpop: DpopContext | undefined): R | { kind: 'fatal'; error: ProtocolError } {
  if (dpop === undefined || result.kind !== 'tokens' || result.tokens.tokenType === 'DPoP') return result;
  return {
    kind: 'fatal',
    error: new ProtocolError(
      'dpop',
      `DPoP downgrade refused: the provider answered token_type ${JSON.stringify(result.tokens.tokenType)} to a request with a DPoP proof (RFC 9449 §5); its tokens would not be bound to the device's key`,
    ),
  };
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
  dpop?: DpopContext,
): Promise<PollResult> {
  try {
    const request = buildDeviceTokenRequest(endpoints, client, poll.deviceCode);
    const response = dpop === undefined ? await http.send(request) : await sendWithDpop(http, dpop, request);
    return refuseDowngrade(processPollResponse(response, poll.interval, now()), dpop);
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
  options: { scope?: string; now?: () => number; dpop?: DpopContext } = {},
): Promise<RefreshResult> {
  try {
    const request = buildRefreshRequest(endpoints, client, refreshToken, options.scope);
    const response = options.dpop === undefined ? await http.send(request) : await sendWithDpop(http, options.dpop, request);
    return refuseDowngrade(processRefreshResponse(response, refreshToken, (options.now ?? Date.now)()), options.dpop);
  } catch (error) {
    return failureOf(error);
  }
}
