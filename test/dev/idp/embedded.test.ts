/**
 * The embedded IdP (dev/idp/embedded.ts) is what every other test pairs against, so these tests
 * talk to it only the way the agent will: plain HTTP, form-encoded bodies, JSON answers
 * (RFC 8628 device flow, RFC 6749 token endpoint, RFC 7009 revocation, RFC 7662 introspection,
 * OIDC Core userinfo). They also pin down oidc-provider 9 behaviours the agent depends on.
 */

import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedIdp } from '../../../dev/idp/embedded.js';
import type { EmbeddedIdp } from '../../../dev/idp/embedded.js';
import { Browser, hiddenInputs } from '../../support/browser.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'openid profile email offline_access';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  body: Json;
}

interface Endpoints {
  issuer: string;
  device: string;
  token: string;
  revocation: string;
  introspection: string;
  userinfo: string;
  jwks: string;
}

/** How a client authenticates: parameters in the body and/or headers (RFC 6749 §2.3.1). */
interface ClientAuth {
  params: Record<string, string>;
  headers: Record<string, string>;
}

async function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

function str(body: Json, key: string): string {
  const value = body[key];
  expect(typeof value, `${key} in ${JSON.stringify(body)}`).toBe('string');
  return value as string;
}

async function discover(idp: EmbeddedIdp): Promise<Endpoints> {
  const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  const meta = (await res.json()) as Json;
  return {
    issuer: str(meta, 'issuer'),
    device: str(meta, 'device_authorization_endpoint'),
    token: str(meta, 'token_endpoint'),
    revocation: str(meta, 'revocation_endpoint'),
    introspection: str(meta, 'introspection_endpoint'),
    userinfo: str(meta, 'userinfo_endpoint'),
    jwks: str(meta, 'jwks_uri'),
  };
}

const publicAuth = (idp: EmbeddedIdp): ClientAuth => ({ params: { client_id: idp.publicClientId }, headers: {} });

const basicAuth = (idp: EmbeddedIdp): ClientAuth => {
  const { client_id, client_secret } = idp.confidentialClient;
  // RFC 6749 §2.3.1: form-urlencode each part, then Base64 "id:secret".
  const pair = `${encodeURIComponent(client_id)}:${encodeURIComponent(client_secret)}`;
  return { params: {}, headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } };
};

const postAuth = (idp: EmbeddedIdp): ClientAuth => ({ params: { ...idp.confidentialClient }, headers: {} });

async function authorizeDevice(ep: Endpoints, auth: ClientAuth, scope = SCOPE): Promise<Reply> {
  return postForm(ep.device, { ...auth.params, scope }, auth.headers);
}

async function poll(ep: Endpoints, auth: ClientAuth, deviceCode: string): Promise<Reply> {
  return postForm(ep.token, { ...auth.params, grant_type: DEVICE_GRANT, device_code: deviceCode }, auth.headers);
}

async function refresh(ep: Endpoints, auth: ClientAuth, refreshToken: string): Promise<Reply> {
  return postForm(ep.token, { ...auth.params, grant_type: 'refresh_token', refresh_token: refreshToken }, auth.headers);
}

async function introspect(ep: Endpoints, idp: EmbeddedIdp, token: string): Promise<Json> {
  const reply = await postForm(ep.introspection, { token }, basicAuth(idp).headers);
  expect(reply.status).toBe(200);
  return reply.body;
}

/** A device authorization the person answers with `decide` (approve or deny its user code), then one poll. */
async function answered(ep: Endpoints, auth: ClientAuth, decide: (userCode: string) => Promise<unknown>, scope = SCOPE) {
  const da = await authorizeDevice(ep, auth, scope);
  const userCode = str(da.body, 'user_code');
  const deviceCode = str(da.body, 'device_code');
  await decide(userCode);
  return { userCode, deviceCode, reply: await poll(ep, auth, deviceCode) };
}

/** A whole device flow approved as `subject`: the token response. */
async function pair(idp: EmbeddedIdp, ep: Endpoints, auth: ClientAuth, subject = 'alice'): Promise<Json> {
  const da = await authorizeDevice(ep, auth);
  expect(da.status).toBe(200);
  await idp.approve(str(da.body, 'user_code'), subject);
  const tokens = await poll(ep, auth, str(da.body, 'device_code'));
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return tokens.body;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the test IdP behaves like a real one', () => {
  let idp: EmbeddedIdp;
  let ep: Endpoints;
  /** interval 2, device codes that live 1 s. */
  let quick: EmbeddedIdp;
  let quickEp: Endpoints;
  let noInterval: EmbeddedIdp;

  beforeAll(async () => {
    [idp, quick, noInterval] = await Promise.all([
      startEmbeddedIdp({ ttl: { accessToken: 120 } }),
      startEmbeddedIdp({ interval: 2, ttl: { deviceCode: 1 }, devInteractions: false }),
      startEmbeddedIdp({ interval: null, devInteractions: false }),
    ]);
    [ep, quickEp] = await Promise.all([discover(idp), discover(quick)]);
  });

  afterAll(async () => {
    await Promise.all([idp?.close(), quick?.close(), noInterval?.close()]);
  });

  it('publishes a discovery document with every endpoint the agent uses', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ep.issuer).toBe(idp.issuer);
    for (const url of [ep.device, ep.token, ep.revocation, ep.introspection, ep.userinfo, ep.jwks]) {
      expect(url.startsWith(`${idp.issuer}/`)).toBe(true);
    }
  });

  it('answers a device authorization request with the RFC 8628 §3.2 fields, interval 5 by default', async () => {
    const { status, body } = await authorizeDevice(ep, publicAuth(idp));
    expect(status).toBe(200);
    str(body, 'device_code');
    const userCode = str(body, 'user_code');
    expect(userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(str(body, 'verification_uri')).toBe(`${idp.issuer}/device`);
    const complete = new URL(str(body, 'verification_uri_complete'));
    expect(`${complete.origin}${complete.pathname}`).toBe(`${idp.issuer}/device`);
    expect(complete.searchParams.get('user_code')).toBe(userCode);
    expect(body.expires_in).toBe(600);
    expect(body.interval).toBe(5);
  });

  it('uses the configured interval, or omits it when told to', async () => {
    const two = await authorizeDevice(quickEp, publicAuth(quick));
    expect(two.body.interval).toBe(2);
    expect(two.body.expires_in).toBe(1);

    const none = await authorizeDevice(await discover(noInterval), publicAuth(noInterval));
    expect(none.status).toBe(200);
    expect(none.body).not.toHaveProperty('interval');
  });

  it('says authorization_pending before approval, then issues tokens after approve()', async () => {
    const auth = publicAuth(idp);
    const da = await authorizeDevice(ep, auth);
    const deviceCode = str(da.body, 'device_code');

    const pending = await poll(ep, auth, deviceCode);
    expect(pending.status).toBe(400);
    expect(pending.body.error).toBe('authorization_pending');

    // The code as a person might type it: lower case, no dash (RFC 8628 §6.1).
    await idp.approve(str(da.body, 'user_code').toLowerCase().replace('-', ''), 'alice');

    const { status, body } = await poll(ep, auth, deviceCode);
    expect(status).toBe(200);
    str(body, 'access_token');
    str(body, 'refresh_token');
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(120); // ttl.accessToken
    expect(String(body.scope).split(' ').sort()).toEqual(SCOPE.split(' ').sort());

    const { payload, protectedHeader } = await jwtVerify(str(body, 'id_token'), createRemoteJWKSet(new URL(ep.jwks)), {
      issuer: idp.issuer,
      audience: idp.publicClientId,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('alice');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600); // ttl.idToken default
    // oidc-provider's conformIdTokenClaims: with userinfo available, profile/email claims are
    // served there, not in the ID token.
    expect(payload).not.toHaveProperty('email');
  });

  it('treats a second poll of a consumed device code as an attack: invalid_grant and the grant is revoked', async () => {
    const auth = publicAuth(idp);
    const { deviceCode, reply: first } = await answered(ep, auth, (code) => idp.approve(code));
    expect(first.status).toBe(200);

    const again = await poll(ep, auth, deviceCode);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    // So a poll whose answer was lost cannot be retried: the tokens it issued are dead too.
    expect((await refresh(ep, auth, str(first.body, 'refresh_token'))).body.error).toBe('invalid_grant');
  });

  it('serves userinfo for the access token, with only the granted scopes\' claims', async () => {
    const tokens = await pair(idp, ep, publicAuth(idp), 'alice');
    const res = await fetch(ep.userinfo, { headers: { authorization: `Bearer ${str(tokens, 'access_token')}` } });
    expect(res.status).toBe(200);
    const claims = (await res.json()) as Json;
    expect(claims).toEqual({ sub: 'alice', name: 'Alice Example', email: 'alice@example.com', email_verified: true });

    const bob = await pair(idp, ep, publicAuth(idp), 'bob.smith');
    const bobInfo = (await (await fetch(ep.userinfo, {
      headers: { authorization: `Bearer ${str(bob, 'access_token')}` },
    })).json()) as Json;
    expect(bobInfo).toMatchObject({ sub: 'bob.smith', name: 'Bob Smith Example', email: 'bob.smith@example.com' });

    const noToken = await fetch(ep.userinfo);
    expect(noToken.status).toBe(401);
  });

  it('rotates refresh tokens, rejects reuse of a rotated one and then revokes the whole grant', async () => {
    const auth = publicAuth(idp);
    const tokens = await pair(idp, ep, auth);
    const oldRefresh = str(tokens, 'refresh_token');

    const rotated = await refresh(ep, auth, oldRefresh);
    expect(rotated.status).toBe(200);
    const newAccess = str(rotated.body, 'access_token');
    const newRefresh = str(rotated.body, 'refresh_token');
    expect(newAccess).not.toBe(str(tokens, 'access_token'));
    expect(newRefresh).not.toBe(oldRefresh);
    str(rotated.body, 'id_token');

    const reuse = await refresh(ep, auth, oldRefresh);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');

    // Reuse signals a stolen token (RFC 9700 §4.14.2): the legitimate holder is cut off as well.
    const afterReuse = await refresh(ep, auth, newRefresh);
    expect(afterReuse.status).toBe(400);
    expect(afterReuse.body.error).toBe('invalid_grant');
    expect((await introspect(ep, idp, newAccess)).active).toBe(false);
  });

  it('introspects tokens for the confidential client and honours revocation', async () => {
    const auth = publicAuth(idp);
    const tokens = await pair(idp, ep, auth);
    const access = str(tokens, 'access_token');
    const refreshToken = str(tokens, 'refresh_token');

    const live = await introspect(ep, idp, access);
    expect(live).toMatchObject({ active: true, sub: 'alice', client_id: idp.publicClientId, token_type: 'Bearer' });
    expect((await introspect(ep, idp, refreshToken)).active).toBe(true);

    // Revoking the refresh token (by its own public client, RFC 7009 §2.1) ends the grant: the
    // access tokens issued under it die too (RFC 7009 §2.1 "SHOULD").
    const revokeRefresh = await postForm(ep.revocation, { ...auth.params, token: refreshToken });
    expect(revokeRefresh.status).toBe(200);
    expect((await introspect(ep, idp, refreshToken)).active).toBe(false);
    expect((await introspect(ep, idp, access)).active).toBe(false);
    expect((await refresh(ep, auth, refreshToken)).body.error).toBe('invalid_grant');

    // Revoking only an access token also kills the refresh token: oidc-provider 9 deletes every
    // token of the grant (lib/helpers/revoke.js), which RFC 7009 §2.1 permits ("MAY").
    const second = await pair(idp, ep, auth);
    const revokeAccess = await postForm(ep.revocation, {
      ...auth.params,
      token: str(second, 'access_token'),
      token_type_hint: 'access_token',
    });
    expect(revokeAccess.status).toBe(200);
    expect((await introspect(ep, idp, str(second, 'access_token'))).active).toBe(false);
    expect((await refresh(ep, auth, str(second, 'refresh_token'))).body.error).toBe('invalid_grant');

    // Unknown tokens are simply inactive (RFC 7662 §2.2) and revoking them is a no-op (RFC 7009 §2.2).
    expect(await introspect(ep, idp, 'no-such-token')).toEqual({ active: false });
    expect((await postForm(ep.revocation, { ...auth.params, token: 'no-such-token' })).status).toBe(200);
  });

  it('passes access_denied to the device after deny()', async () => {
    const { userCode, reply: denied } = await answered(ep, publicAuth(idp), (code) => idp.deny(code));
    expect(denied.status).toBe(400);
    expect(denied.body.error).toBe('access_denied');
    await expect(idp.approve(userCode)).rejects.toThrow(/already been used/);
  });

  it('lets the confidential client authenticate with client_secret_basic and with client_secret_post', async () => {
    expect(idp.confidentialClient.client_id).toBe('pairing-agent-confidential');
    for (const auth of [basicAuth(idp), postAuth(idp)]) {
      const tokens = await pair(idp, ep, auth);
      expect(str(tokens, 'refresh_token')).not.toBe('');
      expect((await refresh(ep, auth, str(tokens, 'refresh_token'))).status).toBe(200);
    }
    const wrong = await authorizeDevice(ep, { params: { ...idp.confidentialClient, client_secret: 'wrong' }, headers: {} });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
  });

  it('issues no refresh token without offline_access', async () => {
    const { reply: tokens } = await answered(ep, publicAuth(idp), (code) => idp.approve(code), 'openid profile');
    expect(tokens.status).toBe(200);
    expect(tokens.body).not.toHaveProperty('refresh_token');
  });

  it('rejects approve() and deny() for an unknown user code', async () => {
    await expect(idp.approve('BCDF-GHJK')).rejects.toThrow(/unknown user code/);
    await expect(idp.deny('not a code')).rejects.toThrow(/unknown user code/);
  });

  it('says expired_token once the device code has expired, and approve() refuses it', async () => {
    const auth = publicAuth(quick);
    const da = await authorizeDevice(quickEp, auth);
    await sleep(1100); // ttl.deviceCode is 1 s; `exp` is whole seconds.
    const expired = await poll(quickEp, auth, str(da.body, 'device_code'));
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('expired_token');
    await expect(quick.approve(str(da.body, 'user_code'))).rejects.toThrow(/expired/);
  });

  it('lets a person approve in a browser through the devInteractions pages', async () => {
    const auth = publicAuth(idp);
    const da = await authorizeDevice(ep, auth);
    const browser = new Browser();

    // The QR code's URL: a self-submitting form carrying the user code and an xsrf token.
    let page = await browser.get(str(da.body, 'verification_uri_complete'));
    expect(page.status).toBe(200);
    page = await browser.post(`${idp.issuer}/device`, hiddenInputs(page.text));
    expect(page.text).toContain(str(da.body, 'user_code')); // the confirmation page shows the code
    page = await browser.post(`${idp.issuer}/device`, hiddenInputs(page.text)); // Continue
    page = await browser.follow(page); // → login page
    expect(page.text).toContain('name="login"');
    page = await browser.post(page.url, { prompt: 'login', login: 'carol', password: 'any' });
    page = await browser.follow(page); // → resume → consent page
    expect(page.text).toContain('name="prompt" value="consent"');
    page = await browser.post(page.url, { prompt: 'consent' });
    page = await browser.follow(page);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Device paired');

    const tokens = await poll(ep, auth, str(da.body, 'device_code'));
    expect(tokens.status).toBe(200);
    str(tokens.body, 'refresh_token');
    expect((await introspect(ep, idp, str(tokens.body, 'access_token'))).sub).toBe('carol');
  });

  it('closes promptly even with keep-alive connections open', async () => {
    const other = await startEmbeddedIdp({ devInteractions: false });
    expect((await fetch(`${other.issuer}/.well-known/openid-configuration`)).status).toBe(200);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(fetch(`${other.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});
