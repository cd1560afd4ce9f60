/**
 * The token API's answer: the access token, its type and expiry (issue #7).
 */
import type { Tokens } from '../pairing/state.js';

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  /** Seconds left, when known. */
  expires_in?: number;
  expires_at?: string;
}

export function tokenAnswer(tokens: Tokens, now: number): TokenAnswer {
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    ...(tokens.accessExpiresAt === undefined
      ? {}
      : {
          // Never more than the token's whole lifetime, whatever the clock says (issue #12).
          expires_in: Math.max(0, Math.floor(Math.min(tokens.accessExpiresAt - now, tokens.accessExpiresAt - tokens.issuedAt) / 1000)),
          expires_at: new Date(tokens.accessExpiresAt).toISOString(),
        }),
  };
}

/**
 * How long a `GET /token` waits for a refresh: one HTTP request and a margin for the state write. The
 * daemon's API and the `token` command share it.
 */
export const REFRESH_WAIT_MARGIN_MS = 2_000;

export function refreshWaitMs(config: { http_timeout_ms: number }): number {
  return config.http_timeout_ms + REFRESH_WAIT_MARGIN_MS;
}
