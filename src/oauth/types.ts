/**
 * Types of the OAuth client core (issue #3). Results are discriminated unions on `kind`, so the
 * pairing state machine can feed them back as events without catching exceptions.
 */
import type { NetworkError, OAuthError, ProtocolError } from '../errors.js';
import type { OAuthLogEvent } from '../log-events.js';

/** Structured logger; fields never carry device codes, tokens or client secrets. */
export type Logger = (event: OAuthLogEvent, fields: Record<string, unknown>) => void;

/** The identity provider's endpoints, discovered or configured. */
export interface Endpoints {
  /** The issuer identifier; needed to validate ID tokens (`iss`). Absent when configured without one. */
  issuer?: string;
  /** @see RFC 8628 §3.1 */
  deviceAuthorizationEndpoint: string;
  /** @see RFC 6749 §3.2 */
  tokenEndpoint: string;
  /** @see RFC 7009 §2 */
  revocationEndpoint?: string;
  /** @see OpenID Connect Core §5.3 */
  userinfoEndpoint?: string;
  /** Where the ID token signing keys are. @see RFC 8414 §2 */
  jwksUri?: string;
  /** `id_token_signing_alg_values_supported`, when the provider published it. */
  idTokenSigningAlgs?: string[];
  /** `dpop_signing_alg_values_supported`: the provider accepts DPoP proofs (RFC 9449 §5.1). */
  dpopSigningAlgs?: string[];
}

/**
 * How the client authenticates. Public clients send only `client_id`; confidential ones use either
 * HTTP Basic or body parameters, never both (RFC 6749 §2.3.1).
 */
export type ClientCredentials =
  | { clientId: string; authMethod: 'none' }
  | { clientId: string; authMethod: 'client_secret_basic'; clientSecret: string }
  | { clientId: string; authMethod: 'client_secret_post'; clientSecret: string };

/** A request as plain data: what the build half of each protocol step returns. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** Form body (`application/x-www-form-urlencoded`) for POSTs. */
  form?: Record<string, string>;
  /** Follow redirects (GET only, URL policy checked at each hop). For requests without credentials. */
  followRedirects?: boolean;
}

/** The response body as parsed by the HTTP shell. */
export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | { kind: 'empty' }
  /** Not JSON nor form-encoded (an HTML error page, a truncated document…). */
  | { kind: 'unparseable'; contentType: string; reason: string };

/** A response as plain data: what the process half of each protocol step takes. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ParsedBody;
  /** Where the answer came from (after redirects). */
  url: string;
}

/** The device authorization response, checked. @see RFC 8628 §3.2 */
export interface DeviceAuthorization {
  /** Secret: never log it. */
  deviceCode: string;
  /** Shown to the user. */
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Lifetime of the codes, in seconds. */
  expiresIn: number;
  /** When the codes expire, in ms since the epoch (receipt time + `expiresIn`). */
  expiresAt: number;
  /** Minimum seconds between polls; 5 when the provider sent none (RFC 8628 §3.2). */
  interval: number;
  /** A ready-made instruction text (Microsoft's `message`), when the provider sent one. */
  message?: string;
  /** Fields we do not interpret, kept as received. */
  extra: Record<string, unknown>;
}

/** A successful token response, checked. @see RFC 6749 §5.1 */
export interface TokenSet {
  accessToken: string;
  /** `Bearer` (normalised from any casing) or whatever other type the provider named. */
  tokenType: string;
  /** Access token lifetime in seconds, when the provider sent one. */
  expiresIn?: number;
  /** Receipt time + `expiresIn`, in ms since the epoch. */
  expiresAt?: number;
  refreshToken?: string;
  /** Keycloak's `refresh_expires_in` (0 = does not expire, offline tokens). */
  refreshExpiresIn?: number;
  /** GitHub's `refresh_token_expires_in`: the refresh token's own lifetime in seconds. */
  refreshTokenExpiresIn?: number;
  scope?: string;
  /** Not yet validated: see `validateIdToken`. */
  idToken?: string;
  /** Fields we do not interpret (`session_state`, `not-before-policy`, `version`…). */
  extra: Record<string, unknown>;
}

/** A failure worth retrying later (timeout, reset, 5xx, 429). */
export interface TransientFailure {
  kind: 'transient';
  error: NetworkError;
  /** The server's `Retry-After` in ms; otherwise back off with `backoffDelay`. */
  retryAfterMs?: number;
  /** @see NetworkError.requestMayHaveBeenProcessed */
  requestMayHaveBeenProcessed: boolean;
}

/** A failure that repeating the same request will not fix. */
export interface FatalFailure {
  kind: 'fatal';
  error: OAuthError | ProtocolError;
}

/** The outcome of one device access token request. @see RFC 8628 §3.4, §3.5 */
export type PollResult =
  | { kind: 'tokens'; tokens: TokenSet }
  /** `authorization_pending`: poll again after `interval`. */
  | { kind: 'pending' }
  /** `slow_down`: use `interval` (seconds) for this and all later polls. */
  | { kind: 'slow_down'; interval: number }
  /** `access_denied`: the user said no. */
  | { kind: 'denied'; error: OAuthError }
  /** `expired_token`, or `invalid_grant` (the device code is unknown or used): start over. */
  | { kind: 'expired'; error: OAuthError }
  | TransientFailure
  | FatalFailure;

/** The outcome of one refresh request. @see RFC 6749 §6 */
export type RefreshResult =
  | {
      kind: 'tokens';
      /** `refreshToken` is the rotated one, or the old one when the provider sent none. */
      tokens: TokenSet & { refreshToken: string };
      /** True when the provider issued a new refresh token: persist it before anything else. */
      rotated: boolean;
    }
  /** `invalid_grant`: the pairing is gone (revoked, expired, reuse detected). Forget the tokens. */
  | { kind: 'invalid_grant'; error: OAuthError }
  | TransientFailure
  | (FatalFailure & {
      /**
       * A refresh token found in a 2xx answer that failed validation otherwise. The old one is
       * probably consumed: persist this one so the pairing is not lost to a provider's typo.
       */
      salvagedRefreshToken?: string;
    });
