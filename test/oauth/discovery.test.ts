/**
 * Endpoint discovery (OIDC Discovery §4, RFC 8414 §3), its fallbacks and overrides, the issuer
 * check, and the on-disk cache that lets a device boot without network.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, discover, resolveEndpoints } from '../../src/oauth/index.js';
import { fileDiscoveryCache, readDiscoveryCache, writeDiscoveryCache } from '../../src/store/discovery-cache.js';
import { PROFILES, startProviderServer, startRawServer } from '../support/provider-servers.js';
import type { FakeProvider, RawServer } from '../support/provider-servers.js';

const http = createHttpClient({ timeoutMs: 1000 });
let dir: string;
let fake: FakeProvider | undefined;
let raw: RawServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauth-discovery-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await fake?.close();
  await raw?.close();
  fake = raw = undefined;
});

const doc = (issuer: string, extra: Record<string, unknown> = {}) => ({
  issuer,
  device_authorization_endpoint: `${issuer}/device`,
  token_endpoint: `${issuer}/token`,
  ...extra,
});

describe('where the document is', () => {
  it('OIDC: issuer + /.well-known/openid-configuration (Keycloak realm)', async () => {
    fake = await startProviderServer(PROFILES.keycloak);
    expect(await discover(http, fake.issuer)).toMatchObject({ issuer: fake.issuer, ...fake.endpoints });
    expect(fake.requests.map((r) => r.path)).toEqual(['/auth/realms/core/.well-known/openid-configuration']);
  });

  it('RFC 8414: /.well-known/oauth-authorization-server inserted before the issuer path', async () => {
    fake = await startProviderServer({ ...PROFILES.rfc8628, issuerPath: '/tenant', discoveryPaths: ['/.well-known/oauth-authorization-server/tenant'] });
    expect(await discover(http, fake.issuer)).toMatchObject({ issuer: fake.issuer, tokenEndpoint: fake.endpoints.tokenEndpoint });
    expect(fake.requests.map((r) => r.path)).toEqual(['/tenant/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/tenant']);
  });

  it('RFC 8414 suffix appended to the issuer path, as some servers publish it', async () => {
    fake = await startProviderServer({ ...PROFILES.rfc8628, issuerPath: '/tenant', discoveryPaths: ['/tenant/.well-known/oauth-authorization-server'] });
    expect(await discover(http, fake.issuer)).toMatchObject({ issuer: fake.issuer });
    expect(fake.requests).toHaveLength(3);
  });

  it('skips a single-page app answering 200 HTML for every path', async () => {
    raw = await startRawServer((req, res) => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(`http://${req.headers.host}`)));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="app"></div>');
      }
    });
    expect(await discover(http, raw.url)).toMatchObject({ issuer: raw.url, tokenEndpoint: `${raw.url}/token` });
  });

  it('names every URL it tried when there is no document', async () => {
    fake = await startProviderServer(PROFILES.django);
    await expect(discover(http, fake.issuer)).rejects.toMatchObject({
      code: 'ERR_PROTOCOL', field: 'discovery', message: expect.stringContaining('/.well-known/oauth-authorization-server (HTTP 404)'),
    });
  });
});

describe('what the document may say', () => {
  const serve = async (body: unknown) => {
    raw = await startRawServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    return raw.url;
  };

  it('refuses another issuer (RFC 8414 §3.3 mix-up defence), even with explicit endpoints', async () => {
    const url = await serve(doc('https://evil.example'));
    await expect(resolveEndpoints(http, { issuer: url, explicit: { tokenEndpoint: `${url}/t`, deviceAuthorizationEndpoint: `${url}/d` } }))
      .rejects.toMatchObject({ code: 'ERR_PROTOCOL', field: 'issuer' });
  });

  it('explains an issuer that differs only by its trailing slash', async () => {
    raw = await startRawServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(`http://${req.headers.host}/`))));
    await expect(discover(http, raw.url)).rejects.toMatchObject({ field: 'issuer', message: expect.stringContaining('trailing "/"') });
  });

  it.each([
    ['token_endpoint', 'http://idp.example/token'],
    ['device_authorization_endpoint', 'javascript:alert(1)'],
    ['revocation_endpoint', 42],
    ['jwks_uri', 'ftp://idp.example/jwks'],
    ['id_token_signing_alg_values_supported', 'RS256'],
  ])('refuses %s = %j', async (field, value) => {
    raw = await startRawServer((req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(`http://${req.headers.host}`, { [field]: value }))));
    await expect(discover(http, raw.url)).rejects.toMatchObject({ code: 'ERR_PROTOCOL', field });
  });

  it('asks for the endpoint a provider does not publish', async () => {
    raw = await startRawServer((req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: `http://${req.headers.host}`, token_endpoint: `http://${req.headers.host}/token` })));
    await expect(resolveEndpoints(http, { issuer: raw.url })).rejects.toMatchObject({
      field: 'device_authorization_endpoint', message: expect.stringContaining('set "device_authorization_endpoint"'),
    });
    const explicit = { deviceAuthorizationEndpoint: `${raw.url}/my-device` };
    expect((await resolveEndpoints(http, { issuer: raw.url, explicit })).endpoints).toMatchObject({ ...explicit, tokenEndpoint: `${raw.url}/token` });
  });
});

describe('explicit endpoints', () => {
  it('override discovered ones', async () => {
    fake = await startProviderServer(PROFILES.hydra);
    const explicit = { tokenEndpoint: `${fake.origin}/custom/token` };
    const { endpoints, source } = await resolveEndpoints(http, { issuer: fake.issuer, explicit });
    expect(source).toBe('discovery');
    expect(endpoints).toMatchObject({ ...fake.endpoints, ...explicit, issuer: fake.issuer });
  });

  it('replace discovery without an issuer (Django OAuth Toolkit)', async () => {
    fake = await startProviderServer(PROFILES.django);
    const { endpoints, source } = await resolveEndpoints(http, { explicit: fake.endpoints });
    expect(source).toBe('configuration');
    expect(endpoints).toEqual(fake.endpoints);
    expect(fake.requests).toHaveLength(0);
  });

  it('stand in when the issuer publishes no document', async () => {
    fake = await startProviderServer(PROFILES.django);
    const { endpoints, source } = await resolveEndpoints(http, { issuer: fake.issuer, explicit: fake.endpoints });
    expect(source).toBe('configuration');
    expect(endpoints).toEqual({ ...fake.endpoints, issuer: fake.issuer });
  });

  it('without an issuer, both grant endpoints are required', async () => {
    await expect(resolveEndpoints(http, { explicit: { tokenEndpoint: 'https://idp.example/token' } })).rejects.toMatchObject({ field: 'device_authorization_endpoint' });
  });
});

describe('discovery cache', () => {
  it('lets a device that booted without network use the last good endpoints', async () => {
    const cachePath = join(dir, 'boot.json');
    fake = await startProviderServer(PROFILES.hydra);
    const online = await resolveEndpoints(http, { issuer: fake.issuer, cache: fileDiscoveryCache(cachePath) });
    await fake.close();
    const events: string[] = [];
    const offline = await resolveEndpoints(http, { issuer: fake.issuer, cache: fileDiscoveryCache(cachePath), logger: (e) => events.push(e) });
    fake = undefined;
    expect(offline).toEqual({ endpoints: online.endpoints, source: 'cache' });
    expect(events).toContain('oauth.discovery.cached');
  });

  it('does not write the cache again while the metadata is unchanged (issue #18: SD-card wear)', async () => {
    const cachePath = join(dir, 'unchanged.json');
    fake = await startProviderServer(PROFILES.hydra);
    await resolveEndpoints(http, { issuer: fake.issuer, cache: fileDiscoveryCache(cachePath) });
    const first = await stat(cachePath);
    const again = await resolveEndpoints(http, { issuer: fake.issuer, cache: fileDiscoveryCache(cachePath) });
    expect(again.source).toBe('discovery');
    // A rewrite renames a new file into place: a new inode.
    const second = await stat(cachePath);
    expect([second.ino, second.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
  });

  it('without a cache, no network is a NetworkError', async () => {
    fake = await startProviderServer(PROFILES.hydra);
    const issuer = fake.issuer;
    await fake.close();
    fake = undefined;
    await expect(resolveEndpoints(http, { issuer, cache: fileDiscoveryCache(join(dir, 'never-written.json')) })).rejects.toMatchObject({ code: 'ERR_NETWORK' });
  });

  it('writes 0600 atomically, leaving no temp files, and replaces the previous content', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'discovery.json');
    const issuer = 'https://idp.example';
    await writeDiscoveryCache(path, { issuer, tokenEndpoint: `${issuer}/one` }, 1);
    await writeDiscoveryCache(path, { issuer, tokenEndpoint: `${issuer}/two` }, 2);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(sub)).toEqual(['discovery.json']);
    expect(await readDiscoveryCache(path, issuer)).toEqual({ fetchedAt: 2, metadata: { issuer, tokenEndpoint: `${issuer}/two` } });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
  });

  it.each([
    ['a truncated file', '{"version":1,"fetchedAt":1,"metad'],
    ['another issuer', JSON.stringify({ version: 1, fetchedAt: 1, metadata: { issuer: 'https://other.example' } })],
    ['an unknown version', JSON.stringify({ version: 99, fetchedAt: 1, metadata: { issuer: 'https://idp.example' } })],
    ['an insecure endpoint', JSON.stringify({ version: 1, fetchedAt: 1, metadata: { issuer: 'https://idp.example', tokenEndpoint: 'http://evil.example/t' } })],
    ['JSON null', 'null'],
  ])('reads %s as no cache', async (_name, text) => {
    const path = join(dir, 'bad.json');
    await writeFile(path, text);
    expect(await readDiscoveryCache(path, 'https://idp.example')).toBeUndefined();
  });

  it('a cache that cannot be written is logged, not fatal', async () => {
    fake = await startProviderServer(PROFILES.hydra);
    const events: [string, Record<string, unknown>][] = [];
    const result = await resolveEndpoints(http, { issuer: fake.issuer, cache: fileDiscoveryCache(join(dir, 'missing-dir', 'x.json')), logger: (e, f) => events.push([e, f]) });
    expect(result.source).toBe('discovery');
    expect(events).toContainEqual(['oauth.discovery.cache_write_failed', expect.objectContaining({ reason: expect.stringContaining('ENOENT') })]);
  });
});
