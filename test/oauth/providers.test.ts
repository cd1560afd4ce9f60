/**
 * Provider behaviours, table-driven: the full device grant, refresh, userinfo, ID token and
 * revocation against fake servers that answer as each provider's documentation shows
 * (test/support/provider-servers*.ts; the seed providers are listed in docs/providers.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpClient, createIdTokenValidator, displayIdentity, fetchUserInfo, pollDeviceToken, refreshTokens,
  requestDeviceAuthorization, resolveEndpoints, revokeTokens,
} from '../../src/oauth/index.js';
import type { ClientCredentials, Endpoints, PollResult } from '../../src/oauth/index.js';
import { PROFILES, startProviderServer } from '../support/provider-servers.js';
import type { FakeProvider, ProviderProfile } from '../support/provider-servers.js';

/** Everything the HTTP shell logs, to prove no secret ever reaches a log. */
const logged: unknown[] = [];
const http = createHttpClient({ timeoutMs: 2000, version: 'test', logger: (event, fields) => logged.push([event, fields]) });

interface Case {
  profile: ProviderProfile;
  /** Discover from the issuer (else configure the profile's endpoints explicitly). */
  discover: boolean;
  authMethod: ClientCredentials['authMethod'];
  scope?: string;
  audience?: string;
  /** Expectations on the device authorization. */
  authorization: { complete: boolean; message?: boolean; extra?: Record<string, unknown> };
  /** Expectations on the first token set. */
  tokens: { tokenType: string; expiresIn: number; extra?: Record<string, unknown>; refreshExpiresIn?: number; idToken: boolean };
  /** What userinfo names the user as, when the provider has it. */
  who?: string;
}

const CASES: Case[] = [
  {
    profile: PROFILES.rfc8628,
    discover: true,
    authMethod: 'none',
    scope: 'example_scope',
    authorization: { complete: true },
    tokens: { tokenType: 'example', expiresIn: 3600, extra: { example_parameter: 'example_value' }, idToken: false },
  },
  {
    profile: PROFILES.auth0,
    discover: true,
    authMethod: 'none',
    scope: 'openid email offline_access',
    audience: 'https://api.wiremock.cloud',
    authorization: { complete: true },
    tokens: { tokenType: 'Bearer', expiresIn: 300, idToken: true },
    who: 'alice@example.com',
  },
  {
    profile: PROFILES.keycloak,
    discover: false,
    authMethod: 'none',
    authorization: { complete: true },
    tokens: {
      tokenType: 'Bearer', expiresIn: 86375, refreshExpiresIn: 1775,
      extra: { 'not-before-policy': 0, session_state: expect.any(String) }, idToken: false,
    },
    who: 'Alice Liddell',
  },
  {
    profile: PROFILES.keycloak,
    discover: true,
    authMethod: 'none',
    authorization: { complete: true },
    tokens: { tokenType: 'Bearer', expiresIn: 86375, refreshExpiresIn: 1775, idToken: false },
    who: 'Alice Liddell',
  },
  {
    profile: PROFILES.django,
    discover: false,
    authMethod: 'client_secret_basic',
    scope: 'read write',
    authorization: { complete: false },
    tokens: { tokenType: 'Bearer', expiresIn: 36000, idToken: false },
  },
  {
    profile: PROFILES.django,
    discover: false,
    authMethod: 'client_secret_post',
    authorization: { complete: false },
    tokens: { tokenType: 'Bearer', expiresIn: 36000, idToken: false },
  },
  {
    profile: PROFILES.djangoPublic,
    discover: false,
    authMethod: 'none',
    authorization: { complete: false },
    tokens: { tokenType: 'Bearer', expiresIn: 36000, idToken: false },
  },
  {
    profile: PROFILES.custom,
    discover: false,
    authMethod: 'client_secret_post',
    scope: 'read',
    authorization: { complete: true, extra: { version: '1.0.0' } },
    tokens: { tokenType: 'Bearer', expiresIn: 86400, extra: { version: '1.0.0' }, idToken: false },
  },
  {
    profile: PROFILES.hydra,
    discover: true,
    authMethod: 'client_secret_basic',
    scope: 'openid phone offline_access',
    authorization: { complete: true },
    tokens: { tokenType: 'Bearer', expiresIn: 3600, idToken: true },
    who: '+46123456789',
  },
  {
    profile: PROFILES.github,
    discover: false,
    authMethod: 'none',
    authorization: { complete: false },
    tokens: { tokenType: 'Bearer', expiresIn: 28800, idToken: false },
  },
  {
    profile: PROFILES.google,
    discover: false,
    authMethod: 'client_secret_post',
    authorization: { complete: false },
    tokens: { tokenType: 'Bearer', expiresIn: 3600, idToken: false },
  },
  {
    profile: PROFILES.microsoft,
    discover: false,
    authMethod: 'none',
    authorization: { complete: false, message: true },
    tokens: { tokenType: 'Bearer', expiresIn: 3600, extra: { ext_expires_in: 3599 }, idToken: false },
  },
];

function credentials(profile: ProviderProfile, authMethod: ClientCredentials['authMethod']): ClientCredentials {
  const { clientId, clientSecret } = profile.client;
  return authMethod === 'none' ? { clientId, authMethod } : { clientId, authMethod, clientSecret: clientSecret! };
}

let server: FakeProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(CASES.map((c) => [`${c.profile.name}${c.discover ? ' (discovered)' : ''} ${c.authMethod}`, c] as const))('%s', (_name, c) => {
  it('pairs, polls, refreshes, identifies and revokes as the provider documents', async () => {
    server = await startProviderServer(c.profile);
    const client = credentials(c.profile, c.authMethod);
    const { endpoints, source } = c.discover
      ? await resolveEndpoints(http, { issuer: server.issuer })
      : await resolveEndpoints(http, { explicit: server.endpoints });
    expect(source).toBe(c.discover ? 'discovery' : 'configuration');
    expect(endpoints).toMatchObject(server.endpoints);

    // RFC 8628 §3.1–3.2
    const authorization = await requestDeviceAuthorization(http, endpoints, client, {
      ...(c.scope === undefined ? {} : { scope: c.scope }),
      ...(c.audience === undefined ? {} : { audience: c.audience }),
    });
    expect(authorization.userCode.length).toBeGreaterThan(0);
    expect(authorization.interval).toBe(5);
    expect(authorization.expiresIn).toBe(c.profile.deviceCodeLifetime);
    expect(authorization.verificationUriComplete !== undefined).toBe(c.authorization.complete);
    if (c.authorization.message) expect(authorization.message).toContain(authorization.userCode);
    if (c.authorization.extra) expect(authorization.extra).toEqual(c.authorization.extra);

    // RFC 8628 §3.4–3.5: pending, whatever status the provider uses for it.
    const poll = (): Promise<PollResult> => pollDeviceToken(http, endpoints, client, { deviceCode: authorization.deviceCode, interval: authorization.interval });
    expect(await poll()).toEqual({ kind: 'pending' });
    server.approve(authorization.userCode);
    const first = await poll();
    if (first.kind !== 'tokens') throw new Error(`expected tokens, got ${JSON.stringify(first)}`);
    const { tokens } = first;
    expect(tokens.tokenType).toBe(c.tokens.tokenType);
    expect(tokens.expiresIn).toBe(c.tokens.expiresIn);
    if (c.tokens.extra) expect(tokens.extra).toMatchObject(c.tokens.extra);
    if (c.tokens.refreshExpiresIn !== undefined) expect(tokens.refreshExpiresIn).toBe(c.tokens.refreshExpiresIn);
    expect(tokens.idToken !== undefined).toBe(c.tokens.idToken);
    expect(tokens.refreshToken).toBeDefined();
    // The consumed device code is dead: start over.
    expect((await poll()).kind).toBe('expired');

    // What went over the wire: Accept JSON, client auth one way only, the seed's parameters.
    const posts = server.requests.filter((r) => r.method === 'POST');
    for (const r of posts) {
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers['user-agent']).toBe('pairing-agent/test');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const basic = r.headers.authorization?.startsWith('Basic ') ?? false;
      expect(basic).toBe(c.authMethod === 'client_secret_basic');
      expect(r.form.client_secret !== undefined).toBe(c.authMethod === 'client_secret_post');
      expect(r.form.client_id !== undefined).toBe(c.authMethod !== 'client_secret_basic');
    }
    const deviceRequest = posts.find((r) => r.path === c.profile.paths.deviceAuthorization)!;
    expect(deviceRequest.form.scope).toBe(c.scope);
    expect(deviceRequest.form.audience).toBe(c.audience);
    expect(posts.find((r) => r.path === c.profile.paths.token)!.form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: authorization.deviceCode,
    });

    // OIDC Core §3.1.3.7 when the provider signs ID tokens.
    let subject: string | undefined;
    if (tokens.idToken !== undefined) {
      const validator = createIdTokenValidator(http, { endpoints, clientId: client.clientId });
      const claims = await validator.validate(tokens.idToken);
      expect(claims.sub).toBe('alice');
      subject = claims.sub;
    }
    if (c.who !== undefined) {
      const info = await fetchUserInfo(http, endpoints, tokens.accessToken, subject === undefined ? {} : { expectedSubject: subject });
      expect(displayIdentity(info)).toBe(c.who);
    }

    // RFC 6749 §6 with rotation: the new token replaces the old, which is then refused.
    const refreshed = await refreshTokens(http, endpoints, client, tokens.refreshToken!);
    if (refreshed.kind !== 'tokens') throw new Error(`expected tokens, got ${JSON.stringify(refreshed)}`);
    expect(refreshed.rotated).toBe(true);
    expect(refreshed.tokens.refreshToken).not.toBe(tokens.refreshToken);
    const reuse = await refreshTokens(http, endpoints, client, tokens.refreshToken!);
    expect(reuse.kind).toBe('invalid_grant');
    // Reuse detection (Auth0, Hydra) revokes the whole grant, the new token included.
    expect(server.isRefreshTokenActive(refreshed.tokens.refreshToken)).toBe(!c.profile.reuseDetection);
    if (c.profile.reuseDetection) return;

    // RFC 7009: refresh token first, then the access token.
    const revoked = await revokeTokens(http, endpoints, client, { refreshToken: refreshed.tokens.refreshToken, accessToken: refreshed.tokens.accessToken });
    expect(revoked).toEqual(endpoints.revocationEndpoint === undefined ? { kind: 'unsupported' } : { kind: 'revoked' });
    if (endpoints.revocationEndpoint === undefined) return;
    const revocations = server.requests.filter((r) => r.path === c.profile.paths.revocation).map((r) => r.form.token_type_hint);
    expect(revocations).toEqual(['refresh_token', 'access_token']);
    expect((await refreshTokens(http, endpoints, client, refreshed.tokens.refreshToken)).kind).toBe('invalid_grant');
  });

  it('logs requests without a single secret', () => {
    const text = JSON.stringify(logged);
    expect(text).toContain('oauth.http');
    expect(text).not.toMatch(/dc_|at_|rt_/); // the fakes' device code, access and refresh token prefixes
    if (c.profile.client.clientSecret) expect(text).not.toContain(c.profile.client.clientSecret);
  });
});

describe('provider specifics', () => {
  it('slow_down adds 5 s, or takes the interval the provider sends', async () => {
    server = await startProviderServer(PROFILES.auth0);
    const { endpoints } = await resolveEndpoints(http, { issuer: server.issuer });
    const client: ClientCredentials = { clientId: 'wiremock-cli', authMethod: 'none' };
    const a = await requestDeviceAuthorization(http, endpoints, client, { scope: 'openid', audience: 'https://api.wiremock.cloud' });
    server.intercept(() => ({ status: 400, body: { error: 'slow_down' } }));
    const first = await pollDeviceToken(http, endpoints, client, { deviceCode: a.deviceCode, interval: a.interval });
    expect(first).toEqual({ kind: 'slow_down', interval: 10 });
    server.intercept(() => ({ status: 429, body: { error: 'slow_down', interval: 30 } }));
    expect(await pollDeviceToken(http, endpoints, client, { deviceCode: a.deviceCode, interval: 10 })).toEqual({ kind: 'slow_down', interval: 30 });
  });

  it('429 with Retry-After is transient and carries the delay', async () => {
    server = await startProviderServer(PROFILES.keycloak);
    const { endpoints } = await resolveEndpoints(http, { explicit: server.endpoints });
    server.intercept(() => ({ status: 429, headers: { 'retry-after': '20', 'content-type': 'text/plain' }, body: 'Too Many Requests' }));
    const result = await pollDeviceToken(http, endpoints, { clientId: 'device-client', authMethod: 'none' }, { deviceCode: 'x', interval: 5 });
    expect(result).toMatchObject({ kind: 'transient', retryAfterMs: 20_000, requestMayHaveBeenProcessed: false, error: { status: 429 } });
  });

  it('Auth0: revocation succeeds although JWT access tokens cannot be revoked', async () => {
    server = await startProviderServer({ ...PROFILES.auth0, reuseDetection: false });
    const client: ClientCredentials = { clientId: PROFILES.auth0.client.clientId, authMethod: 'none' };
    const { endpoints } = await resolveEndpoints(http, { issuer: server.issuer });
    const tokens = await pairWith(server, endpoints, client, { scope: 'openid offline_access', audience: 'https://api.wiremock.cloud' });
    const result = await revokeTokens(http, endpoints, client, { refreshToken: tokens.refreshToken!, accessToken: tokens.accessToken });
    expect(result).toEqual({ kind: 'revoked' });
    expect(server.isRefreshTokenActive(tokens.refreshToken!)).toBe(false);
  });

  it('Auth0: an unknown or missing audience is refused with an OAuth error', async () => {
    server = await startProviderServer(PROFILES.auth0);
    const { endpoints } = await resolveEndpoints(http, { issuer: server.issuer });
    await expect(requestDeviceAuthorization(http, endpoints, { clientId: 'wiremock-cli', authMethod: 'none' }, { scope: 'openid' }))
      .rejects.toMatchObject({ code: 'ERR_OAUTH', status: 403, error: 'access_denied' });
  });

  it('denied and expired codes end the poll with their own results', async () => {
    server = await startProviderServer(PROFILES.rfc8628);
    const { endpoints } = await resolveEndpoints(http, { issuer: server.issuer });
    const client: ClientCredentials = { clientId: '1406020730', authMethod: 'none' };
    const a = await requestDeviceAuthorization(http, endpoints, client);
    const b = await requestDeviceAuthorization(http, endpoints, client);
    server.deny(a.userCode);
    server.expire(b.userCode);
    expect(await pollDeviceToken(http, endpoints, client, { deviceCode: a.deviceCode, interval: 5 })).toMatchObject({ kind: 'denied', error: { error: 'access_denied' } });
    expect(await pollDeviceToken(http, endpoints, client, { deviceCode: b.deviceCode, interval: 5 })).toMatchObject({ kind: 'expired', error: { error: 'expired_token' } });
  });

  it('a refresh whose answer was lost may have consumed the token: a blind retry is a reuse', async () => {
    server = await startProviderServer(PROFILES.auth0);
    const client: ClientCredentials = { clientId: 'wiremock-cli', authMethod: 'none' };
    const { endpoints } = await resolveEndpoints(http, { issuer: server.issuer });
    const tokens = await pairWith(server, endpoints, client, { scope: 'openid offline_access', audience: 'https://api.wiremock.cloud' });
    server.loseNextAnswer(PROFILES.auth0.paths.token);
    const lost = await refreshTokens(http, endpoints, client, tokens.refreshToken!);
    expect(lost).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: true });
    // The server did rotate: the old token is now a reused one, and Auth0 revokes the grant for it.
    expect(server.isRefreshTokenActive(tokens.refreshToken!)).toBe(false);
    expect((await refreshTokens(http, endpoints, client, tokens.refreshToken!)).kind).toBe('invalid_grant');
  });

  it('a non-rotating provider keeps the old refresh token in the result', async () => {
    server = await startProviderServer({ ...PROFILES.keycloak, rotateRefreshTokens: false });
    const client: ClientCredentials = { clientId: 'device-client', authMethod: 'none' };
    const { endpoints } = await resolveEndpoints(http, { explicit: server.endpoints });
    const tokens = await pairWith(server, endpoints, client, {});
    const refreshed = await refreshTokens(http, endpoints, client, tokens.refreshToken!);
    expect(refreshed).toMatchObject({ kind: 'tokens', rotated: false, tokens: { refreshToken: tokens.refreshToken } });
  });

  it('a wrong client secret is a fatal invalid_client, not a lost pairing', async () => {
    server = await startProviderServer(PROFILES.django);
    const { endpoints } = await resolveEndpoints(http, { explicit: server.endpoints });
    const good = credentials(PROFILES.django, 'client_secret_basic');
    const tokens = await pairWith(server, endpoints, good, {});
    const bad: ClientCredentials = { clientId: good.clientId, authMethod: 'client_secret_basic', clientSecret: 'wrong' };
    const result = await refreshTokens(http, endpoints, bad, tokens.refreshToken!);
    expect(result).toMatchObject({ kind: 'fatal', error: { code: 'ERR_OAUTH', status: 401, error: 'invalid_client' } });
    expect(JSON.stringify(result)).not.toContain('wrong');
  });
});

/** Runs the grant to its tokens. */
async function pairWith(
  fake: FakeProvider,
  endpoints: Endpoints,
  client: ClientCredentials,
  params: { scope?: string; audience?: string },
) {
  const a = await requestDeviceAuthorization(http, endpoints, client, params);
  fake.approve(a.userCode);
  const result = await pollDeviceToken(http, endpoints, client, { deviceCode: a.deviceCode, interval: a.interval });
  if (result.kind !== 'tokens') throw new Error(`expected tokens, got ${result.kind}`);
  return result.tokens;
}
