/**
 * The OAuth client core against the embedded oidc-provider (dev/idp/embedded.ts), a certified
 * OpenID Provider: discovery, the full device grant, rotation, reuse rejection, revocation,
 * userinfo and ID token checks.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp } from '../../dev/idp/embedded.js';
import type { EmbeddedIdp } from '../../dev/idp/embedded.js';
import {
  createHttpClient, createIdTokenValidator, displayIdentity, fetchUserInfo, pollDeviceToken, refreshTokens,
  requestDeviceAuthorization, resolveEndpoints, revokeTokens,
} from '../../src/oauth/index.js';
import type { ClientCredentials, Endpoints, TokenSet } from '../../src/oauth/index.js';
import { JWKS_REFETCH_COOLDOWN_MS } from '../../src/oauth/id-token.js';
import { fileDiscoveryCache } from '../../src/store/discovery-cache.js';
import { startRawServer } from '../support/provider-servers.js';

const SCOPE = 'openid profile email phone offline_access';
const http = createHttpClient({ timeoutMs: 3000, version: 'test' });

let idp: EmbeddedIdp;
let endpoints: Endpoints;
let dir: string;
let publicClient: ClientCredentials;

beforeAll(async () => {
  idp = await startEmbeddedIdp({ devInteractions: false });
  dir = await mkdtemp(join(tmpdir(), 'oauth-idp-'));
  ({ endpoints } = await resolveEndpoints(http, { issuer: idp.issuer, cache: fileDiscoveryCache(join(dir, 'discovery.json')) }));
  publicClient = { clientId: idp.publicClientId, authMethod: 'none' };
});
afterAll(async () => {
  await idp.close();
  await rm(dir, { recursive: true, force: true });
});

/** Device authorization, one pending poll, approval, tokens. */
async function pair(client: ClientCredentials, subject = 'alice'): Promise<TokenSet> {
  const authorization = await requestDeviceAuthorization(http, endpoints, client, { scope: SCOPE });
  const poll = { deviceCode: authorization.deviceCode, interval: authorization.interval };
  expect(await pollDeviceToken(http, endpoints, client, poll)).toEqual({ kind: 'pending' });
  await idp.approve(authorization.userCode, subject);
  const result = await pollDeviceToken(http, endpoints, client, poll);
  if (result.kind !== 'tokens') throw new Error(`expected tokens, got ${JSON.stringify(result)}`);
  return result.tokens;
}

describe('embedded oidc-provider', () => {
  it('discovers every endpoint from the issuer and caches them 0600', async () => {
    expect(endpoints).toMatchObject({
      issuer: idp.issuer,
      deviceAuthorizationEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      tokenEndpoint: expect.any(String),
      revocationEndpoint: expect.any(String),
      userinfoEndpoint: expect.any(String),
      jwksUri: expect.any(String),
    });
    expect((await stat(join(dir, 'discovery.json'))).mode & 0o777).toBe(0o600);
  });

  it('runs the full grant for the public client, with a valid ID token and userinfo', async () => {
    const authorization = await requestDeviceAuthorization(http, endpoints, publicClient, { scope: SCOPE });
    expect(authorization).toMatchObject({ interval: 5, expiresIn: 600, verificationUri: `${idp.issuer}/device` });
    expect(authorization.verificationUriComplete).toContain(encodeURIComponent(authorization.userCode).slice(0, 4));
    const poll = { deviceCode: authorization.deviceCode, interval: authorization.interval };
    expect(await pollDeviceToken(http, endpoints, publicClient, poll)).toEqual({ kind: 'pending' });
    await idp.approve(authorization.userCode, 'alice');
    const result = await pollDeviceToken(http, endpoints, publicClient, poll);
    if (result.kind !== 'tokens') throw new Error(result.kind);
    expect(result.tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, refreshToken: expect.any(String), idToken: expect.any(String) });

    const claims = await createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId }).validate(result.tokens.idToken!);
    expect(claims).toMatchObject({ iss: idp.issuer, sub: 'alice', aud: publicClient.clientId });
    const info = await fetchUserInfo(http, endpoints, result.tokens.accessToken, { expectedSubject: claims.sub });
    expect(info).toMatchObject({ sub: 'alice', name: 'Alice Example', email: 'alice@example.com', emailVerified: true });
    expect(displayIdentity(info)).toBe('Alice Example');

    // oidc-provider answers a consumed device code with invalid_grant: the code is dead.
    expect(await pollDeviceToken(http, endpoints, publicClient, poll)).toMatchObject({ kind: 'expired', error: { error: 'invalid_grant' } });
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)('pairs a confidential client with %s', async (authMethod) => {
    const client: ClientCredentials = { clientId: idp.confidentialClient.client_id, clientSecret: idp.confidentialClient.client_secret, authMethod };
    const tokens = await pair(client, 'bob');
    const refreshed = await refreshTokens(http, endpoints, client, tokens.refreshToken!);
    expect(refreshed).toMatchObject({ kind: 'tokens', rotated: true });
  });

  it('says denied when the user refuses', async () => {
    const authorization = await requestDeviceAuthorization(http, endpoints, publicClient, { scope: SCOPE });
    await idp.deny(authorization.userCode);
    const result = await pollDeviceToken(http, endpoints, publicClient, { deviceCode: authorization.deviceCode, interval: 5 });
    expect(result).toMatchObject({ kind: 'denied', error: { error: 'access_denied', status: 400 } });
  });

  it('rotates refresh tokens, validates the refreshed ID token, and rejects reuse by ending the pairing', async () => {
    const tokens = await pair(publicClient);
    const first = await refreshTokens(http, endpoints, publicClient, tokens.refreshToken!);
    if (first.kind !== 'tokens') throw new Error(first.kind);
    expect(first.rotated).toBe(true);
    expect(first.tokens.refreshToken).not.toBe(tokens.refreshToken);
    // OIDC Core §12.2: same subject as the pairing's.
    const validator = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId });
    if (first.tokens.idToken !== undefined) await validator.validate(first.tokens.idToken, { subject: 'alice' });

    // Reuse of the rotated token: invalid_grant, and the grant is revoked — the new token dies too.
    const reuse = await refreshTokens(http, endpoints, publicClient, tokens.refreshToken!);
    expect(reuse).toMatchObject({ kind: 'invalid_grant', error: { code: 'ERR_OAUTH', error: 'invalid_grant' } });
    expect((await refreshTokens(http, endpoints, publicClient, first.tokens.refreshToken)).kind).toBe('invalid_grant');
  });

  it('revokes the refresh token, then the access token; both stop working', async () => {
    const tokens = await pair(publicClient);
    const result = await revokeTokens(http, endpoints, publicClient, { refreshToken: tokens.refreshToken!, accessToken: tokens.accessToken });
    expect(result).toEqual({ kind: 'revoked' });
    expect((await refreshTokens(http, endpoints, publicClient, tokens.refreshToken!)).kind).toBe('invalid_grant');
    await expect(fetchUserInfo(http, endpoints, tokens.accessToken)).rejects.toMatchObject({ code: 'ERR_OAUTH', status: 401, error: 'invalid_token' });
  });

  describe('ID token checks', () => {
    let idToken: string;
    beforeAll(async () => {
      idToken = (await pair(publicClient)).idToken!;
    });

    it('tells a clock problem (an "expired" token by a clock days ahead) from a foreign token', async () => {
      const { isClockProblem } = await import('../../src/agent/idp-client.js');
      const inTheFuture = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId, now: () => Date.now() + 10 * 86_400_000 });
      const late = await inTheFuture.validate(idToken).catch((e: unknown) => e);
      expect(isClockProblem(late)).toBe(true);
      // A clock days behind accepts it (no "nbf" here, and "iat" has no maximum age).
      const inThePast = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId, now: () => Date.now() - 10 * 86_400_000 });
      await expect(inThePast.validate(idToken)).resolves.toMatchObject({ sub: 'alice' });
      const foreign = await createIdTokenValidator(http, { endpoints, clientId: 'someone-else' }).validate(idToken).catch((e: unknown) => e);
      expect(isClockProblem(foreign)).toBe(false);
    });

    it('rejects another audience', async () => {
      const v = createIdTokenValidator(http, { endpoints, clientId: 'someone-else' });
      await expect(v.validate(idToken)).rejects.toMatchObject({ code: 'ERR_PROTOCOL', field: 'id_token', message: expect.stringContaining('aud') });
    });

    it('rejects another issuer (mix-up)', async () => {
      const v = createIdTokenValidator(http, { endpoints: { ...endpoints, issuer: 'https://evil.example' }, clientId: publicClient.clientId });
      await expect(v.validate(idToken)).rejects.toMatchObject({ field: 'id_token', message: expect.stringContaining('iss') });
    });

    it('rejects an expired token beyond the clock tolerance, accepts one within it', async () => {
      const exp = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()).exp as number;
      const late = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId, now: () => (exp + 31) * 1000 });
      await expect(late.validate(idToken)).rejects.toMatchObject({ field: 'id_token', message: expect.stringContaining('ERR_JWT_EXPIRED') });
      const skewed = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId, now: () => (exp + 20) * 1000 });
      await expect(skewed.validate(idToken)).resolves.toMatchObject({ sub: 'alice' });
    });

    it('rejects a forged signature', async () => {
      const [h, p, s] = idToken.split('.') as [string, string, string];
      const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mallory' })).toString('base64url');
      const v = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId });
      await expect(v.validate(`${h}.${forgedPayload}.${s}`)).rejects.toMatchObject({ field: 'id_token', message: expect.stringContaining('signature') });
    });

    it('rejects a different subject on refresh', async () => {
      const v = createIdTokenValidator(http, { endpoints, clientId: publicClient.clientId });
      await expect(v.validate(idToken, { subject: 'bob' })).rejects.toMatchObject({ field: 'id_token', message: expect.stringContaining('sub') });
    });

    it('refuses to validate without a JWKS or with only symmetric algorithms', () => {
      const { jwksUri: _omit, ...noJwks } = endpoints;
      expect(() => createIdTokenValidator(http, { endpoints: noJwks, clientId: 'x' })).toThrow(/jwks_uri/);
      expect(() => createIdTokenValidator(http, { endpoints: { ...endpoints, idTokenSigningAlgs: ['HS256', 'none'] }, clientId: 'x' })).toThrow(/algorithm/);
    });
  });

  it('defaults the interval to 5 s when the provider omits it', async () => {
    const quiet = await startEmbeddedIdp({ interval: null, devInteractions: false });
    try {
      const { endpoints: e } = await resolveEndpoints(http, { issuer: quiet.issuer });
      const a = await requestDeviceAuthorization(http, e, { clientId: quiet.publicClientId, authMethod: 'none' }, { scope: 'openid' });
      expect(a.interval).toBe(5);
    } finally {
      await quiet.close();
    }
  });
});

describe('JWKS key rotation', () => {
  it('refetches the JWKS once for an unknown key, but not more often than the cooldown', async () => {
    const keys = await Promise.all(['k1', 'k2'].map(async (kid) => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      return { kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256' } };
    }));
    let published = [keys[0]!.jwk];
    let fetches = 0;
    const server = await startRawServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    try {
      const issuer = 'https://idp.example';
      const sign = (k: (typeof keys)[number]) =>
        new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: k.kid }).setIssuer(issuer).setSubject('alice')
          .setAudience('device').setIssuedAt().setExpirationTime('5m').sign(k.privateKey);
      let clock = Date.now();
      const validator = createIdTokenValidator(http, {
        endpoints: { issuer, jwksUri: `${server.url}/jwks` }, clientId: 'device', now: () => clock,
      });
      await validator.validate(await sign(keys[0]!));
      published = [keys[1]!.jwk];
      const rotated = await sign(keys[1]!);
      // Within the cooldown a token naming an unknown key is rejected without a refetch.
      await expect(validator.validate(rotated)).rejects.toMatchObject({ field: 'id_token', message: expect.stringContaining('ERR_JWKS_NO_MATCHING_KEY') });
      expect(fetches).toBe(1);
      clock += JWKS_REFETCH_COOLDOWN_MS + 1;
      await expect(validator.validate(rotated)).resolves.toMatchObject({ sub: 'alice' });
      expect(fetches).toBe(2);
    } finally {
      await server.close();
    }
  });
});
