/**
 * Provider families for the fake servers in provider-servers.ts, each as its public documentation
 * shows it: the five seeds (docs/providers.md), RFC 8628's own examples, and three big providers
 * whose quirks the issue names (GitHub's form-encoded answers, Google's `verification_url` and 428,
 * Microsoft's `message`).
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface ProviderProfile {
  name: string;
  /** Issuer path after the origin: '' (bare origin), '/' (Auth0, Hydra), '/auth/realms/core'. */
  issuerPath: string;
  /** Paths that serve the discovery document (empty: configure endpoints explicitly). */
  discoveryPaths: string[];
  paths: { deviceAuthorization: string; token: string; revocation?: string; userinfo?: string; jwks?: string };
  /** The registered client; with a secret it must authenticate (Basic or body, not both). */
  client: { clientId: string; clientSecret?: string };
  /** `audience` the device authorization request must carry (Auth0 APIs). */
  requiredAudience?: string;
  defaultScope: string;
  /** HTTP status of `authorization_pending` (RFC 400, Auth0 403, Google 428, GitHub 200). */
  pendingStatus: number;
  pendingDescription: string;
  userCode: () => string;
  /** The verification URI, from the server's origin and issuer. */
  verificationUri?: (origin: string, issuer: string) => string;
  verificationUriName?: 'verification_uri' | 'verification_url';
  verificationUriComplete: boolean;
  deviceCodeLifetime: number;
  /** null: leave `interval` out (clients must use 5 s). */
  interval: number | null;
  deviceAuthorizationExtras?: (userCode: string, verificationUri: string) => Record<string, unknown>;
  tokenType: string;
  accessTokenLifetime: number;
  tokenExtras: Record<string, unknown>;
  scopeInTokenResponse: boolean;
  /** Issue a refresh token without `offline_access` in the scope. */
  alwaysRefreshToken: boolean;
  rotateRefreshTokens: boolean;
  /** Reusing a rotated refresh token revokes the whole grant. */
  reuseDetection: boolean;
  /** False for JWT access tokens (Auth0): revocation answers `unsupported_token_type`. */
  accessTokensRevocable: boolean;
  /** Sign ID tokens (ES256) for `openid` requests and publish a JWKS. */
  idToken: boolean;
  /** Claims about `subject` for userinfo and ID tokens. */
  claims: (subject: string) => Record<string, unknown>;
  /** Answer form-encoded instead of JSON (GitHub without `Accept: application/json`). */
  formEncoded?: boolean;
  /**
   * Sign ID tokens HS256 instead of ES256, keyed with the client secret (`'client_secret'`, OIDC Core
   * §10.1) or with a secret of the provider's own (Glewlwyd's `jwt-type: sha`); the JWKS then has no keys.
   */
  idTokenHmacKey?: 'client_secret' | string;
  /** Put another audience in ID tokens (a token meant for someone else). */
  idTokenAudience?: string;
  /** Sign ID tokens with a key other than the published one (a forged signature). */
  idTokenForged?: boolean;
  /**
   * How a refresh with an unknown, revoked or replayed refresh token is refused: RFC 6749 §5.2's
   * `invalid_grant` (the default) or Glewlwyd 2.7's HTTP 400 with an empty body.
   */
  refreshRefusal?: 'invalid_grant' | 'empty_400';
  /** Revocation only with HTTP Basic client authentication: others get 401 with an empty body (Glewlwyd 2.7). */
  revocationNeedsBasicAuth?: boolean;
  /**
   * Refuse a refresh token unused for this many seconds (`invalid_grant` "Token is not active"), as
   * Keycloak's SSO Session Idle does; measured on the server's `now` (issue #12).
   */
  refreshIdleTimeout?: number;
}

const letters = 'BCDFGHJKLMNPQRSTVWXZ';
function pick(n: number, alphabet: string): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}
/** RFC 8628 §6.1's recommended shape: 8 consonants, dash in the middle. */
const dashed = () => `${pick(4, letters)}-${pick(4, letters)}`;

const base: Omit<ProviderProfile, 'name' | 'issuerPath' | 'discoveryPaths' | 'paths' | 'client'> = {
  defaultScope: '',
  pendingStatus: 400,
  pendingDescription: 'authorization pending',
  userCode: dashed,
  verificationUriComplete: true,
  deviceCodeLifetime: 600,
  interval: 5,
  tokenType: 'Bearer',
  accessTokenLifetime: 3600,
  tokenExtras: {},
  scopeInTokenResponse: true,
  alwaysRefreshToken: true,
  rotateRefreshTokens: true,
  reuseDetection: false,
  accessTokensRevocable: true,
  idToken: false,
  claims: () => ({}),
};

type Located = Omit<ProviderProfile, 'name' | 'client'>;
/** A provider with no discovery document at its bare origin: the agent is configured endpoint by endpoint. */
const undiscoverable = (paths: ProviderProfile['paths']): Located => ({ ...base, issuerPath: '', discoveryPaths: [], paths });
/** An OpenID provider: its discovery document at `<issuer>/.well-known/openid-configuration` (OIDC Discovery §4). */
const openIdAt = (issuerPath: string, paths: ProviderProfile['paths']): Located => ({
  ...base,
  issuerPath,
  discoveryPaths: [`${issuerPath.replace(/\/$/, '')}/.well-known/openid-configuration`],
  paths,
});

const keycloakRealm = '/auth/realms/core';
const keycloakOidc = `${keycloakRealm}/protocol/openid-connect`;

const django: ProviderProfile = {
  ...undiscoverable({ deviceAuthorization: '/device-authorization/', token: '/token/', revocation: '/revoke_token/' }),
  name: 'Django OAuth Toolkit',
  client: { clientId: 'YOUR_CLIENT_ID', clientSecret: 'dot-secret with spaces&symbols' },
  userCode: () => pick(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
  verificationUri: () => 'https://auth.example.com/device',
  verificationUriComplete: false,
  accessTokenLifetime: 36000,
  defaultScope: 'read write',
};

export const PROFILES = {
  /** RFC 8628 §3.1–3.5 and RFC 6749 §5.1 examples, values verbatim where they are fixed. */
  rfc8628: {
    ...base,
    name: 'RFC 8628 examples',
    issuerPath: '',
    discoveryPaths: ['/.well-known/oauth-authorization-server'],
    paths: { deviceAuthorization: '/device_authorization', token: '/token', revocation: '/revoke' },
    client: { clientId: '1406020730' },
    defaultScope: 'example_scope',
    pendingDescription: '',
    verificationUri: () => 'https://example.com/device',
    deviceCodeLifetime: 1800,
    tokenType: 'example',
    tokenExtras: { example_parameter: 'example_value' },
    scopeInTokenResponse: false,
  },
  /** Seed 000: Auth0 (WireMock Cloud): OIDC discovery, `audience`, 403 pending, rotation with reuse detection. */
  auth0: {
    ...openIdAt('/', { deviceAuthorization: '/oauth/device/code', token: '/oauth/token', revocation: '/oauth/revoke', userinfo: '/userinfo', jwks: '/.well-known/jwks.json' }),
    name: 'Auth0 (WireMock Cloud)',
    client: { clientId: 'wiremock-cli' },
    requiredAudience: 'https://api.wiremock.cloud',
    defaultScope: 'openid email offline_access',
    pendingStatus: 403,
    pendingDescription: 'User has yet to authorize device code.',
    verificationUri: (origin) => `${origin}/activate`,
    deviceCodeLifetime: 900,
    accessTokenLifetime: 300,
    scopeInTokenResponse: false,
    alwaysRefreshToken: false,
    reuseDetection: true,
    accessTokensRevocable: false,
    idToken: true,
    claims: (sub) => ({ email: `${sub}@example.com`, email_verified: true }),
  },
  /** Seed 001: Keycloak realm `core`: explicit realm endpoints, `refresh_expires_in`, `session_state`, `not-before-policy`. */
  keycloak: {
    ...openIdAt(keycloakRealm, {
      deviceAuthorization: `${keycloakOidc}/auth/device`,
      token: `${keycloakOidc}/token`,
      revocation: `${keycloakOidc}/revoke`,
      userinfo: `${keycloakOidc}/userinfo`,
    }),
    name: 'Keycloak (realm core)',
    client: { clientId: 'device-client' },
    verificationUri: (_origin, issuer) => `${issuer}/device`,
    accessTokenLifetime: 86375,
    tokenExtras: { refresh_expires_in: 1775, 'not-before-policy': 0, session_state: randomUUID(), scope: '' },
    scopeInTokenResponse: false,
    claims: (sub) => ({ preferred_username: sub, name: 'Alice Liddell' }),
  },
  /** Seed 002: Django OAuth Toolkit, confidential client: trailing-slash endpoints, no discovery. */
  django,
  /** Seed 002 again, as the public client it also offers. */
  djangoPublic: { ...django, name: 'Django OAuth Toolkit (public client)', client: { clientId: 'YOUR_CLIENT_ID' } },
  /** Seed 003: a custom server: client_id/client_secret as parameters, a `version` member everywhere. */
  custom: {
    ...undiscoverable({ deviceAuthorization: '/oauth/device', token: '/oauth/token' }),
    name: 'custom server (workflowmgr)',
    client: { clientId: '1234', clientSecret: 'abcd' },
    defaultScope: 'read',
    deviceAuthorizationExtras: () => ({ version: '1.0.0' }),
    accessTokenLifetime: 86400,
    tokenExtras: { version: '1.0.0' },
  },
  /** Seed 004: ORY Hydra (Working Group Two): `/oauth2/*`, `offline_access`, ID token with phone claims, `/userinfo`. */
  hydra: {
    ...openIdAt('/', { deviceAuthorization: '/oauth2/device/auth', token: '/oauth2/token', revocation: '/oauth2/revoke', userinfo: '/userinfo', jwks: '/.well-known/jwks.json' }),
    name: 'ORY Hydra (wgtwo)',
    client: { clientId: 'wgtwo-device', clientSecret: 'wgtwo-secret' },
    defaultScope: 'openid phone offline_access',
    verificationUri: (origin) => `${origin}/oauth2/device/verify`,
    tokenType: 'bearer',
    alwaysRefreshToken: false,
    reuseDetection: true,
    idToken: true,
    claims: () => ({ phone_number: '+46123456789', phone_number_verified: true, sid: 'sid-42e' }),
  },
  /** GitHub: form-encoded answers, `authorization_pending` with 200, no `verification_uri_complete`. */
  github: {
    ...undiscoverable({ deviceAuthorization: '/login/device/code', token: '/login/oauth/access_token' }),
    name: 'GitHub (form-encoded)',
    client: { clientId: 'Iv1.8a61f9b3a7aba766' },
    pendingStatus: 200,
    verificationUri: () => 'https://github.com/login/device',
    verificationUriComplete: false,
    deviceCodeLifetime: 899,
    tokenType: 'bearer',
    accessTokenLifetime: 28800,
    formEncoded: true,
  },
  /** Google (TV and limited-input devices): `verification_url`, 428 for pending, client secret in the body. */
  google: {
    ...undiscoverable({ deviceAuthorization: '/device/code', token: '/token' }),
    name: 'Google (verification_url)',
    client: { clientId: 'tv.apps.googleusercontent.com', clientSecret: 'google-secret' },
    pendingStatus: 428,
    pendingDescription: 'Precondition Required',
    verificationUri: () => 'https://www.google.com/device',
    verificationUriName: 'verification_url',
    verificationUriComplete: false,
    deviceCodeLifetime: 1800,
  },
  /**
   * Glewlwyd 2.7.5 (Debian 12's `glewlwyd`) as found in the field: OIDC plugin under `/api/oidc`,
   * `jwt-type: sha` (HS256 ID tokens keyed with the provider's own secret, no asymmetric keys published),
   * `refresh-token-one-use: always` (rotation), a deleted or replayed refresh token answered with HTTP 400
   * and an empty body, and revocation only with Basic client authentication (a public client gets 401).
   */
  glewlwyd: {
    ...openIdAt('/api/oidc', { deviceAuthorization: '/api/oidc/device_authorization', token: '/api/oidc/token', revocation: '/api/oidc/revoke', userinfo: '/api/oidc/userinfo', jwks: '/api/oidc/jwks' }),
    name: 'Glewlwyd 2.7.5 (jwt-type sha)',
    client: { clientId: 'device' },
    defaultScope: 'openid offline_access',
    verificationUri: (origin) => `${origin}/device`,
    idToken: true,
    idTokenHmacKey: 'glewlwyd-server-key-not-known-to-clients',
    refreshRefusal: 'empty_400',
    revocationNeedsBasicAuth: true,
    claims: (sub) => ({ name: 'Dana Scully', email: `${sub}@example.com` }),
  },
  /** Microsoft identity platform: a ready-made `message`, `ext_expires_in`. */
  microsoft: {
    ...undiscoverable({ deviceAuthorization: '/common/oauth2/v2.0/devicecode', token: '/common/oauth2/v2.0/token' }),
    name: 'Microsoft (message)',
    client: { clientId: '00000000-0000-0000-0000-000000000001' },
    userCode: () => pick(9, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'),
    verificationUri: () => 'https://microsoft.com/devicelogin',
    verificationUriComplete: false,
    deviceCodeLifetime: 900,
    deviceAuthorizationExtras: (userCode, uri) => ({
      message: `To sign in, use a web browser to open the page ${uri} and enter the code ${userCode} to authenticate.`,
    }),
    tokenExtras: { ext_expires_in: 3599 },
  },
} satisfies Record<string, ProviderProfile>;
