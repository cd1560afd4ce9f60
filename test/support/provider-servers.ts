/**
 * Fake OAuth providers on loopback node:http servers, for the OAuth client tests and the daemon's
 * end-to-end tests. Each stands in for a real provider family as its public documentation
 * (docs/providers.md lists them) describes it: paths, status codes, field names, extra members,
 * client authentication. They implement the device grant, refresh with rotation and reuse
 * detection, revocation, userinfo and (optionally) signed ID tokens — enough protocol to pair with,
 * not a conformance target (oidc-provider is that: dev/idp/embedded.ts).
 *
 * Profiles live in provider-servers-profiles.ts; raw servers for hostile behaviour are at the end.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import type { ProviderProfile } from './provider-servers-profiles.js';

export type { ProviderProfile } from './provider-servers-profiles.js';
export { PROFILES } from './provider-servers-profiles.js';

type Interceptor = (req: RecordedRequest) => CannedResponse | undefined | Promise<CannedResponse | undefined>;

/** One request as the fake saw it (for assertions on what the client sent). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form: Record<string, string>;
}

/** A canned answer; a test's `intercept` may return one to override the fake's logic. */
export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON (or form-encoded, if the profile answers that way); a string as is. */
  body?: unknown;
}

export interface FakeProvider {
  /** `http://127.0.0.1:PORT` + the profile's issuer path. */
  readonly issuer: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly profile: ProviderProfile;
  /** The profile's endpoints as absolute URLs (what a configuration would list). */
  readonly endpoints: {
    deviceAuthorizationEndpoint: string;
    tokenEndpoint: string;
    revocationEndpoint?: string;
    userinfoEndpoint?: string;
    jwksUri?: string;
  };
  readonly requests: RecordedRequest[];
  approve(userCode: string, subject?: string): void;
  deny(userCode: string): void;
  /** Make a device code's next poll answer `expired_token`. */
  expire(userCode: string): void;
  /**
   * Override answers: return a CannedResponse to send it, undefined to let the fake answer; a promise of
   * either to answer later (a slow provider).
   */
  intercept(fn: Interceptor | undefined): void;
  /** Process the next request to `path` normally, then drop the connection instead of answering (a lost answer). */
  loseNextAnswer(path: string): void;
  /** Whether a refresh token is currently valid. */
  isRefreshTokenActive(token: string): boolean;
  /** Ends every session, as an administrator deleting them would: all tokens stop working. */
  endSessions(): void;
  close(): Promise<void>;
}

interface DeviceCodeState {
  userCode: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'consumed';
  subject?: string;
  scope: string;
}

interface RefreshState {
  family: string;
  subject: string;
  scope: string;
  active: boolean;
  /** When it was issued, on the server's clock (for `refreshIdleTimeout`). */
  issuedAt: number;
}

export interface ProviderServerOptions {
  /** The server's clock (ms), e.g. a virtual one; judges `refreshIdleTimeout`. @default Date.now */
  now?: () => number;
}

function token(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Listens on 127.0.0.1 and a free port. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and every connection on it, hanging ones included. */
async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Starts a fake provider for `profile`.
 * @example const idp = await startProviderServer(PROFILES.auth0);
 */
export async function startProviderServer(profile: ProviderProfile, options: ProviderServerOptions = {}): Promise<FakeProvider> {
  const now = options.now ?? Date.now;
  const codes = new Map<string, DeviceCodeState>();
  const refreshTokens = new Map<string, RefreshState>();
  const accessTokens = new Map<string, { subject: string; active: boolean; family: string }>();
  const requests: RecordedRequest[] = [];
  let interceptor: Interceptor | undefined;
  const losing = new Set<string>();
  let signing: { key: CryptoKey | Uint8Array; alg: string; jwk?: JWK } | undefined;
  if (profile.idToken && profile.idTokenHmacKey !== undefined) {
    const secret = profile.idTokenHmacKey === 'client_secret' ? profile.client.clientSecret : profile.idTokenHmacKey;
    if (secret === undefined) throw new Error(`fake ${profile.name}: an HMAC key from the client secret needs a confidential client`);
    signing = { key: new TextEncoder().encode(secret), alg: 'HS256' };
  } else if (profile.idToken) {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signing = { key: pair.privateKey, alg: 'ES256', jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' } };
    if (profile.idTokenForged) signing.key = (await generateKeyPair('ES256')).privateKey;
  }

  const server = createServer();
  const origin = await listen(server);
  const issuer = `${origin}${profile.issuerPath}`;
  const url = (path: string | undefined) => (path === undefined ? undefined : `${origin}${path}`);
  const endpoints = {
    deviceAuthorizationEndpoint: url(profile.paths.deviceAuthorization)!,
    tokenEndpoint: url(profile.paths.token)!,
    ...(profile.paths.revocation ? { revocationEndpoint: url(profile.paths.revocation)! } : {}),
    ...(profile.paths.userinfo ? { userinfoEndpoint: url(profile.paths.userinfo)! } : {}),
    ...(profile.paths.jwks && signing ? { jwksUri: url(profile.paths.jwks)! } : {}),
  };
  const verificationUri = profile.verificationUri?.(origin, issuer) ?? `${origin}/device`;

  function send(res: ServerResponse, answer: CannedResponse): void {
    const headers: Record<string, string> = { 'cache-control': 'no-store', ...answer.headers };
    let text = '';
    if (typeof answer.body === 'string') text = answer.body;
    else if (answer.body !== undefined) {
      if (profile.formEncoded) {
        headers['content-type'] ??= 'application/x-www-form-urlencoded; charset=utf-8';
        text = new URLSearchParams(Object.entries(answer.body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)])).toString();
      } else {
        headers['content-type'] ??= 'application/json';
        text = JSON.stringify(answer.body);
      }
    }
    res.writeHead(answer.status, headers).end(text);
  }

  /** Client authentication as the profile accepts it; undefined when fine, else the error answer. */
  function authError(req: RecordedRequest): CannedResponse | undefined {
    const basic = req.headers.authorization?.startsWith('Basic ');
    const post = req.form.client_secret !== undefined;
    if (basic && post) return { status: 400, body: { error: 'invalid_request', error_description: 'multiple client authentication methods' } };
    let clientId = req.form.client_id;
    let secret = req.form.client_secret;
    if (basic) {
      const [id, pw] = Buffer.from(req.headers.authorization!.slice(6), 'base64').toString().split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')));
      clientId = id;
      secret = pw;
    }
    const client = profile.client;
    if (clientId !== client.clientId) return { status: 401, body: { error: 'invalid_client', error_description: 'unknown client' } };
    if (client.clientSecret !== undefined && secret !== client.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    return undefined;
  }

  async function idTokenFor(subject: string): Promise<string | undefined> {
    if (!signing) return undefined;
    return new SignJWT({ ...profile.claims(subject) })
      .setProtectedHeader({ alg: signing.alg, ...(signing.jwk ? { kid: 'k1' } : {}), typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(subject)
      .setAudience(profile.idTokenAudience ?? profile.client.clientId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(signing.key);
  }

  async function issueTokens(subject: string, scope: string, family: string, withRefresh = true): Promise<Record<string, unknown>> {
    const accessToken = token('at');
    accessTokens.set(accessToken, { subject, active: true, family });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: profile.tokenType,
      expires_in: profile.accessTokenLifetime,
      ...profile.tokenExtras,
    };
    if (profile.scopeInTokenResponse) body.scope = scope;
    if (withRefresh && (scope.split(' ').includes('offline_access') || profile.alwaysRefreshToken)) {
      const rt = token('rt');
      refreshTokens.set(rt, { family, subject, scope, active: true, issuedAt: now() });
      body.refresh_token = rt;
    }
    const idToken = scope.split(' ').includes('openid') ? await idTokenFor(subject) : undefined;
    if (idToken) body.id_token = idToken;
    return body;
  }

  function revokeFamily(family: string): void {
    for (const state of refreshTokens.values()) if (state.family === family) state.active = false;
    for (const state of accessTokens.values()) if (state.family === family) state.active = false;
  }

  async function answer(req: RecordedRequest): Promise<CannedResponse> {
    const p = profile.paths;
    const pending = (error: string, description: string): CannedResponse => ({
      status: error === 'authorization_pending' ? profile.pendingStatus : 400,
      body: { error, error_description: description },
    });
    if (req.method === 'GET' && profile.discoveryPaths.includes(req.path)) {
      return {
        status: 200,
        body: {
          issuer,
          device_authorization_endpoint: endpoints.deviceAuthorizationEndpoint,
          token_endpoint: endpoints.tokenEndpoint,
          revocation_endpoint: endpoints.revocationEndpoint,
          userinfo_endpoint: endpoints.userinfoEndpoint,
          jwks_uri: endpoints.jwksUri,
          grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
          ...(signing ? { id_token_signing_alg_values_supported: [signing.alg] } : {}),
        },
      };
    }
    if (req.method === 'GET' && req.path === p.jwks && signing) return { status: 200, body: { keys: signing.jwk ? [signing.jwk] : [] } };
    if (req.method === 'GET' && req.path === p.userinfo) {
      const at = req.headers.authorization?.replace(/^Bearer /i, '') ?? '';
      const state = accessTokens.get(at);
      if (!state?.active) return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="expired or revoked"' } };
      return { status: 200, body: { sub: state.subject, ...profile.claims(state.subject) } };
    }
    if (req.method !== 'POST') return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' };

    const auth = authError(req);
    if (req.path === p.deviceAuthorization) {
      if (auth) return auth;
      if (profile.requiredAudience !== undefined && req.form.audience !== profile.requiredAudience) {
        return { status: 403, body: { error: 'access_denied', error_description: `Service not found: ${req.form.audience ?? ''}` } };
      }
      const deviceCode = token('dc');
      const userCode = profile.userCode();
      codes.set(deviceCode, { userCode, status: 'pending', scope: req.form.scope ?? profile.defaultScope });
      const body: Record<string, unknown> = {
        device_code: deviceCode,
        user_code: userCode,
        [profile.verificationUriName ?? 'verification_uri']: verificationUri,
        expires_in: profile.deviceCodeLifetime,
        ...profile.deviceAuthorizationExtras?.(userCode, verificationUri),
      };
      if (profile.verificationUriComplete) body.verification_uri_complete = `${verificationUri}?user_code=${userCode}`;
      if (profile.interval !== null) body.interval = profile.interval;
      return { status: 200, body };
    }
    if (req.path === p.token) {
      if (auth) return auth;
      const grant = req.form.grant_type;
      if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
        const state = codes.get(req.form.device_code ?? '');
        if (!state || state.status === 'consumed') return { status: 400, body: { error: 'invalid_grant', error_description: 'unknown or used device code' } };
        if (state.status === 'pending') return pending('authorization_pending', profile.pendingDescription);
        if (state.status === 'denied') return pending('access_denied', 'the user denied the request');
        if (state.status === 'expired') return pending('expired_token', 'the device code expired');
        state.status = 'consumed';
        return { status: 200, body: await issueTokens(state.subject!, state.scope, token('family')) };
      }
      if (grant === 'refresh_token') {
        const rt = req.form.refresh_token ?? '';
        const state = refreshTokens.get(rt);
        // Glewlwyd 2.7 refuses without the RFC 6749 §5.2 body: HTTP 400, nothing else.
        const refused = (description: string): CannedResponse =>
          profile.refreshRefusal === 'empty_400' ? { status: 400, body: '' } : { status: 400, body: { error: 'invalid_grant', error_description: description } };
        if (!state) return refused('unknown refresh token');
        if (!state.active) {
          // Reuse of a rotated token: revoke the whole family (Auth0's reuse detection, RFC 9700 §4.14.2).
          if (profile.reuseDetection) revokeFamily(state.family);
          return refused('refresh token is invalid');
        }
        if (profile.refreshIdleTimeout !== undefined && now() - state.issuedAt > profile.refreshIdleTimeout * 1000) {
          // Keycloak's answer once the session idled out.
          state.active = false;
          return { status: 400, body: { error: 'invalid_grant', error_description: 'Token is not active' } };
        }
        // Without rotation the old token stays valid and none is sent (RFC 6749 §6 "MAY issue").
        if (!profile.rotateRefreshTokens) return { status: 200, body: await issueTokens(state.subject, state.scope, state.family, false) };
        state.active = false;
        return { status: 200, body: await issueTokens(state.subject, state.scope, state.family) };
      }
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    if (req.path === p.revocation) {
      if (profile.revocationNeedsBasicAuth && !req.headers.authorization?.startsWith('Basic ')) return { status: 401, body: '' };
      if (auth) return auth;
      const t = req.form.token ?? '';
      const rt = refreshTokens.get(t);
      if (rt) revokeFamily(rt.family);
      const at = accessTokens.get(t);
      if (at) {
        if (!profile.accessTokensRevocable) return { status: 400, body: { error: 'unsupported_token_type' } };
        at.active = false;
      }
      return { status: 200 };
    }
    return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' };
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const raw = await readBody(req);
      const path = new URL(req.url ?? '/', origin).pathname;
      const form = Object.fromEntries(new URLSearchParams(req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? raw : ''));
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, form };
      requests.push(recorded);
      const response = (await interceptor?.(recorded)) ?? (await answer(recorded));
      if (losing.delete(path)) req.socket.destroy();
      else send(res, response);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });

  const byUserCode = (userCode: string): DeviceCodeState => {
    for (const state of codes.values()) if (state.userCode === userCode) return state;
    throw new Error(`fake ${profile.name}: no device code for user code ${userCode}`);
  };
  return {
    issuer,
    origin,
    profile,
    endpoints,
    requests,
    approve(userCode, subject = 'alice') {
      Object.assign(byUserCode(userCode), { status: 'approved', subject });
    },
    deny(userCode) {
      byUserCode(userCode).status = 'denied';
    },
    expire(userCode) {
      byUserCode(userCode).status = 'expired';
    },
    intercept(fn) {
      interceptor = fn;
    },
    loseNextAnswer(path) {
      losing.add(path);
    },
    isRefreshTokenActive(t) {
      const state = refreshTokens.get(t);
      if (state === undefined || !state.active) return false;
      return profile.refreshIdleTimeout === undefined || now() - state.issuedAt <= profile.refreshIdleTimeout * 1000;
    },
    endSessions() {
      for (const state of refreshTokens.values()) state.active = false;
      for (const state of accessTokens.values()) state.active = false;
    },
    close: () => shut(server),
  };
}

/** A bare loopback server whose handler does anything, hostile behaviour included. */
export interface RawServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts a loopback server with a raw handler (for malformed, truncated, huge or hanging answers).
 * `close()` also drops connections the handler left hanging.
 */
export async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawServer> {
  const server = createServer(handler);
  const url = await listen(server);
  return { url, close: () => shut(server) };
}

/** A URL on 127.0.0.1 where nothing listens (a port just freed). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await shut(server);
  return url;
}
