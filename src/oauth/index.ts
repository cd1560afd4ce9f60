/**
 * The OAuth 2.0 client core (issue #3): one request per call, typed results, no timers.
 * Device Authorization Grant (RFC 8628), refresh with rotation (RFC 6749 §6), revocation (RFC 7009),
 * discovery (OIDC Discovery, RFC 8414), userinfo and ID token validation (OIDC Core).
 */
export type {
  ClientCredentials, DeviceAuthorization, Endpoints, FatalFailure, HttpRequest, HttpResponse, Logger, ParsedBody,
  PollResult, RefreshResult, TokenSet, TransientFailure,
} from './types.js';
export { createHttpClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from './http.js';
export type { HttpClient, HttpClientOptions, PhaseTimeouts } from './http.js';
export { backoffDelay } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { discover, discoveryUrls, mergeEndpoints, processDiscoveryResponse } from './discovery.js';
export type { ProviderMetadata } from './discovery.js';
export { resolveEndpoints } from './endpoints.js';
export type { DiscoveryCache, ResolveEndpointsOptions, ResolvedEndpoints } from './endpoints.js';
export {
  buildDeviceAuthorizationRequest, DEFAULT_INTERVAL_S, processDeviceAuthorizationResponse, requestDeviceAuthorization,
} from './device-authorization.js';
export type { DeviceAuthorizationParams } from './device-authorization.js';
export { buildDeviceTokenRequest, buildRefreshRequest, DEVICE_CODE_GRANT_TYPE, pollDeviceToken, refreshTokens } from './token.js';
export { parseTokenSet, processPollResponse, processRefreshResponse } from './token-response.js';
export { SLOW_DOWN_INCREMENT_S, slowDownInterval } from './poll-interval.js';
export { buildRevocationRequest, processRevocationResponse, revokeToken, revokeTokens } from './revocation.js';
export type { RevocationResult, TokenTypeHint } from './revocation.js';
export { buildUserInfoRequest, displayIdentity, fetchUserInfo, processUserInfoResponse } from './userinfo.js';
export type { UserInfo } from './userinfo.js';
export { CLOCK_TOLERANCE_S, createIdTokenValidator } from './id-token.js';
export type { IdTokenClaims, IdTokenValidator, IdTokenValidatorOptions } from './id-token.js';
export { parseBody } from './body.js';
export { asksForNonce, athOf, INVALID_DPOP_PROOF, refusesProof, createDpopProof, DPOP_ALG, dpopKeyOf, dpopNonceOf, DpopNonces, htuOf, newJti } from './dpop.js';
export type { DpopKey, ProofClaims } from './dpop.js';
export { sendWithDpop } from './dpop-send.js';
export type { DpopContext } from './dpop-send.js';
export {
  CLOCK_OFFSET_TOLERANCE_MS, isPlausibleDate, nextServerTime, parseHttpDate, PLAUSIBLE_AHEAD_MS, PLAUSIBLE_DATE_MAX_MS, PLAUSIBLE_DATE_MIN_MS,
  serverDateOf, ServerClocks,
} from './server-clock.js';
export type { ServerClocksOptions, ServerTime } from './server-clock.js';
export { retryAfterMs } from './response.js';
