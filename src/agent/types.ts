import type { LogEvent } from '../log-events.js';
import type { DeviceAuthorizationResult, Identity, PollOutcome, RefreshOutcome, RevokeOutcome, State } from '../pairing/state.js';

/**
 * Structured log: one event name and flat fields per line; never tokens or device codes. The event is one
 * of the `LogEvent`s, each with its severity (issue #14 item 5).
 */
export type Logger = (event: LogEvent, fields?: Record<string, string | number | boolean | undefined>) => void;

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

/** Where the state lives between runs. `save` returns once the state is durable. */
export interface StateStore {
  load(): Promise<State | undefined>;
  save(state: State): Promise<void>;
  /** Forgets every secret (the state file is rewritten by the `persist` that follows). */
  wipe(): Promise<void>;
}
