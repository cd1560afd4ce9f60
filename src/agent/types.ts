import type { DeviceAuthorizationResult, Identity, PollOutcome, RefreshOutcome, RevokeOutcome } from '../pairing/state.js';

/**
 * The identity provider as the agent's shell sees it: one request per call, a typed result, never a
 * throw for anything the network or the server can do (issue #3).
 */
export interface IdpClient {
  requestCode(): Promise<DeviceAuthorizationResult>;
  /** Polls once; on tokens, also validates the ID token and says who paired when it can. */
  poll(deviceCode: string, interval: number): Promise<{ result: PollOutcome; identity?: Identity }>;
  refresh(refreshToken: string): Promise<RefreshOutcome>;
  /** Revokes the refresh token, then the access token (RFC 7009). `ok` only when the server confirmed. */
  revoke(tokens: { accessToken: string; refreshToken?: string }): Promise<RevokeOutcome>;
  /** Who paired, from userinfo; undefined when it cannot tell. */
  identity(accessToken: string): Promise<Identity | undefined>;
  /** Whether a userinfo endpoint is known. */
  readonly hasUserinfo: boolean;
  /**
   * Gets ready for the first request (loads the HTTP client, resolves the endpoints) so a button press
   * is answered sooner; failures are ignored here and met again by the request itself.
   */
  prepare?(): Promise<void>;
}
