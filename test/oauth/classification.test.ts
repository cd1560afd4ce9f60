/**
 * The pure halves of the OAuth client core, as tables: how answers are classified, which fields are
 * accepted, how bodies are parsed, backoff and Retry-After.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/oauth/backoff.js';
import { parseBody } from '../../src/oauth/body.js';
import { authenticatedPost } from '../../src/oauth/client-auth.js';
import { buildDeviceAuthorizationRequest, processDeviceAuthorizationResponse } from '../../src/oauth/device-authorization.js';
import { discoveryUrls } from '../../src/oauth/discovery.js';
import { toNetworkError } from '../../src/oauth/http.js';
import { retryAfterMs } from '../../src/oauth/response.js';
import { processPollResponse, processRefreshResponse } from '../../src/oauth/token-response.js';
import type { HttpResponse } from '../../src/oauth/types.js';
import type { RequestError } from 'got';

const NOW = Date.UTC(2025, 0, 1);

function json(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: { kind: 'json', value }, url: 'https://idp.example/token' };
}
function form(status: number, value: Record<string, string>): HttpResponse {
  return { status, headers: {}, body: { kind: 'form', value }, url: 'https://idp.example/token' };
}
function html(status: number): HttpResponse {
  return { status, headers: { 'content-type': 'text/html' }, body: { kind: 'unparseable', contentType: 'text/html', reason: 'an HTML page' }, url: 'https://idp.example/token' };
}

const TOKENS = { access_token: 'at-secret', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-new' };

describe('poll classification: by the OAuth error, not the status (RFC 8628 §3.5)', () => {
  const table: [string, HttpResponse, string, Record<string, unknown>?][] = [
    ['400 authorization_pending (RFC)', json(400, { error: 'authorization_pending' }), 'pending'],
    ['401 authorization_pending', json(401, { error: 'authorization_pending' }), 'pending'],
    ['403 authorization_pending (Auth0)', json(403, { error: 'authorization_pending', error_description: 'User has yet to authorize device code.' }), 'pending'],
    ['428 authorization_pending (Google)', json(428, { error: 'authorization_pending' }), 'pending'],
    ['200 authorization_pending (GitHub, form)', form(200, { error: 'authorization_pending' }), 'pending'],
    ['400 slow_down: +5 s', json(400, { error: 'slow_down' }), 'slow_down', { interval: 10 }],
    ['400 slow_down with the server\'s interval', json(400, { error: 'slow_down', interval: 15 }), 'slow_down', { interval: 15 }],
    ['200 slow_down with interval as a string (form)', form(200, { error: 'slow_down', interval: '12' }), 'slow_down', { interval: 12 }],
    ['slow_down with a server interval below the current one still slows down (+5 s)', json(400, { error: 'slow_down', interval: 2 }), 'slow_down', { interval: 10 }],
    ['slow_down echoing the current interval still slows down (+5 s)', json(400, { error: 'slow_down', interval: 5 }), 'slow_down', { interval: 10 }],
    ['slow_down with a nonsense interval: +5 s', json(400, { error: 'slow_down', interval: 'soon' }), 'slow_down', { interval: 10 }],
    ['400 access_denied', json(400, { error: 'access_denied' }), 'denied'],
    ['400 expired_token', json(400, { error: 'expired_token' }), 'expired'],
    ['400 invalid_grant (unknown or used code)', json(400, { error: 'invalid_grant' }), 'expired'],
    ['200 tokens', json(200, TOKENS), 'tokens'],
    ['200 tokens, form-encoded numbers as strings', form(200, { access_token: 'a', token_type: 'bearer', expires_in: '28800' }), 'tokens'],
    ['429 with Retry-After', json(429, {}, { 'retry-after': '30' }), 'transient', { retryAfterMs: 30_000, requestMayHaveBeenProcessed: false }],
    ['429 with an error body', json(429, { error: 'rate_limited' }), 'transient'],
    ['503 HTML page', html(503), 'transient', { requestMayHaveBeenProcessed: true }],
    ['500 server_error', json(500, { error: 'server_error' }), 'transient'],
    ['400 temporarily_unavailable', json(400, { error: 'temporarily_unavailable' }), 'transient'],
    ['408 request timeout', html(408), 'transient'],
    ['401 invalid_client', json(401, { error: 'invalid_client' }), 'fatal'],
    ['400 unauthorized_client', json(400, { error: 'unauthorized_client' }), 'fatal'],
    ['400 invalid_scope', json(400, { error: 'invalid_scope' }), 'fatal'],
    ['400 unsupported_grant_type', json(400, { error: 'unsupported_grant_type' }), 'fatal'],
    ['200 with an unknown error', json(200, { error: 'weird' }), 'fatal'],
    ['404 HTML page', html(404), 'fatal'],
    ['302 redirect', { ...html(302), headers: { location: 'https://elsewhere.example/' } }, 'fatal'],
    ['200 HTML page', html(200), 'fatal'],
    ['200 JSON array', json(200, [TOKENS]), 'fatal'],
    ['200 JSON null', json(200, null), 'fatal'],
    ['400 error that is not a string', json(400, { error: { code: 42 } }), 'fatal'],
    ['200 tokens without access_token', json(200, { token_type: 'Bearer' }), 'fatal'],
  ];
  it.each(table)('%s → %s', (_name, response, kind, extra) => {
    const result = processPollResponse(response, 5, NOW);
    expect(result.kind).toBe(kind);
    if (extra) expect(result).toMatchObject(extra);
  });

  it('names the offending field in protocol errors and never quotes a token', () => {
    const result = processPollResponse(json(200, { access_token: 42, token_type: 'Bearer' }), 5, NOW);
    expect(result).toMatchObject({ kind: 'fatal', error: { code: 'ERR_PROTOCOL', field: 'access_token', message: expect.stringContaining('"access_token" must be a non-empty string') } });
    const long = processPollResponse(json(200, { access_token: 'x'.repeat(20_000), token_type: 'Bearer' }), 5, NOW);
    expect(JSON.stringify(long)).not.toContain('xxxxxxxxxx');
  });
});

describe('token response fields (RFC 6749 §5.1): wrong types give a fatal ProtocolError naming the field', () => {
  const WRONG: [string, unknown][] = [
    ['access_token', undefined], ['access_token', 42], ['access_token', ''], ['access_token', {}], ['access_token', null],
    ['token_type', undefined], ['token_type', 5], ['token_type', ['Bearer']],
    ['expires_in', -1], ['expires_in', 'abc'], ['expires_in', 1e12], ['expires_in', false],
    ['refresh_token', {}], ['refresh_token', 5], ['refresh_token', ''],
    ['id_token', 'not-a-jwt'], ['id_token', 5], ['id_token', 'a.b.c.d.e'],
    ['scope', 5], ['scope', {}],
  ];
  it.each(WRONG.map(([f, v]) => [f, JSON.stringify(v) ?? 'missing', v] as const))('%s = %s', (field, _label, value) => {
    const body: Record<string, unknown> = { ...TOKENS, [field]: value };
    if (value === undefined) delete body[field];
    expect(processPollResponse(json(200, body), 5, NOW)).toMatchObject({ kind: 'fatal', error: { code: 'ERR_PROTOCOL', field } });
  });

  it('tolerates Keycloak\'s extras, a scope list and a lower-case bearer', () => {
    const result = processPollResponse(json(200, {
      ...TOKENS, token_type: 'bearer', scope: ['openid', 'email'], refresh_expires_in: 1800, 'not-before-policy': 0, session_state: 'abc',
    }), 5, NOW);
    expect(result).toMatchObject({
      kind: 'tokens',
      tokens: { tokenType: 'Bearer', scope: 'openid email', refreshExpiresIn: 1800, extra: { 'not-before-policy': 0, session_state: 'abc' } },
    });
  });

  it('keeps a malformed non-standard refresh_expires_in aside instead of failing', () => {
    expect(processPollResponse(json(200, { ...TOKENS, refresh_expires_in: 'never' }), 5, NOW))
      .toMatchObject({ kind: 'tokens', tokens: { extra: { refresh_expires_in: 'never' } } });
  });
});

describe('refresh classification (RFC 6749 §6)', () => {
  it('returns the rotated refresh token', () => {
    expect(processRefreshResponse(json(200, TOKENS), 'rt-old', NOW)).toMatchObject({ kind: 'tokens', rotated: true, tokens: { refreshToken: 'rt-new', expiresAt: NOW + 3_600_000 } });
  });
  it('keeps the old refresh token when the server sends none', () => {
    const { refresh_token: _rt, ...noRefresh } = TOKENS;
    expect(processRefreshResponse(json(200, noRefresh), 'rt-old', NOW)).toMatchObject({ kind: 'tokens', rotated: false, tokens: { refreshToken: 'rt-old' } });
  });
  it.each([400, 401, 403])('%i invalid_grant means the pairing is gone', (status) => {
    expect(processRefreshResponse(json(status, { error: 'invalid_grant', error_description: 'reuse detected' }), 'rt', NOW))
      .toMatchObject({ kind: 'invalid_grant', error: { error: 'invalid_grant', error_description: 'reuse detected', status } });
  });
  it('a 5xx is transient and may have been processed: the token may be consumed', () => {
    expect(processRefreshResponse(html(502), 'rt', NOW)).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: true });
  });
  it('salvages a rotated refresh token from an otherwise malformed answer', () => {
    const result = processRefreshResponse(json(200, { ...TOKENS, expires_in: -1 }), 'rt-old', NOW);
    expect(result).toMatchObject({ kind: 'fatal', salvagedRefreshToken: 'rt-new', error: { field: 'expires_in' } });
  });
  it('invalid_client is fatal, not a lost pairing', () => {
    expect(processRefreshResponse(json(401, { error: 'invalid_client' }), 'rt', NOW).kind).toBe('fatal');
  });
});

describe('device authorization response (RFC 8628 §3.2)', () => {
  const RFC_EXAMPLE = {
    device_code: 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS',
    user_code: 'WDJB-MJHT',
    verification_uri: 'https://example.com/device',
    verification_uri_complete: 'https://example.com/device?user_code=WDJB-MJHT',
    expires_in: 1800,
    interval: 5,
  };

  it('accepts the RFC example', () => {
    expect(processDeviceAuthorizationResponse(json(200, RFC_EXAMPLE), NOW)).toEqual({
      deviceCode: RFC_EXAMPLE.device_code,
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://example.com/device',
      verificationUriComplete: 'https://example.com/device?user_code=WDJB-MJHT',
      expiresIn: 1800,
      expiresAt: NOW + 1_800_000,
      interval: 5,
      extra: {},
    });
  });

  it.each([
    ['no interval → 5 s', { interval: undefined }, { interval: 5 }],
    ['interval null → 5 s', { interval: null }, { interval: 5 }],
    ['interval 0 → 1 s floor', { interval: 0 }, { interval: 1 }],
    ['numbers as strings', { expires_in: '900', interval: '7' }, { expiresIn: 900, interval: 7 }],
    ["Google's verification_url", { verification_uri: undefined, verification_url: 'https://www.google.com/device' }, { verificationUri: 'https://www.google.com/device' }],
    ["Microsoft's message", { message: 'To sign in, open https://microsoft.com/devicelogin' }, { message: expect.stringContaining('devicelogin') }],
    ['extra members kept aside', { version: '1.0.0' }, { extra: { version: '1.0.0' } }],
    ['loopback http', { verification_uri: 'http://127.0.0.1:8080/device' }, { verificationUri: 'http://127.0.0.1:8080/device' }],
  ])('tolerates %s', (_name, change, expected) => {
    expect(processDeviceAuthorizationResponse(json(200, { ...RFC_EXAMPLE, ...change }), NOW)).toMatchObject(expected);
  });

  it.each([undefined, '', null])('tolerates verification_uri_complete = %j (left out)', (value) => {
    const result = processDeviceAuthorizationResponse(json(200, { ...RFC_EXAMPLE, verification_uri_complete: value }), NOW);
    expect('verificationUriComplete' in result).toBe(false);
  });

  const WRONG: [string, unknown][] = [
    ['device_code', undefined], ['device_code', 42], ['device_code', ''], ['device_code', 'x'.repeat(5000)], ['device_code', ['a']],
    ['user_code', undefined], ['user_code', 123456], ['user_code', 'A'.repeat(10_240)], ['user_code', 'AB\nCD'], ['user_code', null],
    ['verification_uri', undefined], ['verification_uri', 'javascript:alert(1)'], ['verification_uri', 'data:text/html,hi'],
    ['verification_uri', 'http://evil.example/device'], ['verification_uri', '/device'], ['verification_uri', 7],
    ['verification_uri_complete', 'javascript:alert(1)'], ['verification_uri_complete', {}],
    ['expires_in', undefined], ['expires_in', -5], ['expires_in', 0], ['expires_in', 1e9], ['expires_in', 1.5],
    ['expires_in', 'soon'], ['expires_in', '-5'], ['expires_in', true], ['expires_in', Number.NaN],
    ['interval', -1], ['interval', 86_400], ['interval', '5s'], ['interval', {}],
    ['message', 12],
  ];
  const label = (v: unknown) => (typeof v === 'string' && v.length > 40 ? `${v.length} characters` : JSON.stringify(v) ?? String(v));
  it.each(WRONG.map(([f, v]) => [f, label(v), v] as const))('rejects %s = %s with a ProtocolError naming it', (field, _label, value) => {
    const body: Record<string, unknown> = { ...RFC_EXAMPLE, [field]: value };
    if (value === undefined) delete body[field];
    expect(() => processDeviceAuthorizationResponse(json(200, body), NOW)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL', field }));
  });

  it('never quotes the device code in an error', () => {
    try {
      processDeviceAuthorizationResponse(json(200, { ...RFC_EXAMPLE, device_code: 'secret\u0001code' }), NOW);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });

  it.each([
    [json(400, { error: 'invalid_client' }), 'ERR_OAUTH'],
    [json(400, { error: 'invalid_scope', error_description: 'offline_access' }), 'ERR_OAUTH'],
    [json(503, {}, { 'retry-after': '10' }), 'ERR_NETWORK'],
    [html(404), 'ERR_PROTOCOL'],
    [json(200, 'device_code=abc'), 'ERR_PROTOCOL'],
  ])('error answers throw typed errors (%#)', (response, code) => {
    expect(() => processDeviceAuthorizationResponse(response, NOW)).toThrow(expect.objectContaining({ code }));
  });
});

describe('device authorization request (RFC 8628 §3.1)', () => {
  const endpoints = { deviceAuthorizationEndpoint: 'https://idp.example/device' };
  it('sends client_id, scope, audience and extra parameters', () => {
    const req = buildDeviceAuthorizationRequest(endpoints, { clientId: 'c', authMethod: 'none' }, {
      scope: ['openid', 'offline_access'], audience: 'https://api.example', extraParams: { resource: 'urn:x' },
    });
    expect(req).toEqual({
      method: 'POST', url: endpoints.deviceAuthorizationEndpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      form: { resource: 'urn:x', scope: 'openid offline_access', audience: 'https://api.example', client_id: 'c' },
    });
  });
  it('omits an empty scope', () => {
    expect(buildDeviceAuthorizationRequest(endpoints, { clientId: 'c', authMethod: 'none' }, { scope: '' }).form).toEqual({ client_id: 'c' });
  });
  it.each(['client_id', 'client_secret', 'scope', 'grant_type'])('refuses %s in extra parameters', (key) => {
    expect(() => buildDeviceAuthorizationRequest(endpoints, { clientId: 'c', authMethod: 'none' }, { extraParams: { [key]: 'x' } }))
      .toThrow(expect.objectContaining({ code: 'ERR_CONFIG', key }));
  });
});

describe('client authentication (RFC 6749 §2.3.1)', () => {
  it('Basic: form-encodes id and secret before base64, and sends no client_id in the body', () => {
    const req = authenticatedPost('https://idp.example/token', { clientId: 'a b:c', clientSecret: 'p@ss w/rd+%', authMethod: 'client_secret_basic' }, { x: '1' });
    expect(req.form).toEqual({ x: '1' });
    expect(Buffer.from(req.headers.authorization!.slice(6), 'base64').toString()).toBe('a+b%3Ac:p%40ss+w%2Frd%2B%25');
  });
  it('post: id and secret in the body, no Authorization header', () => {
    const req = authenticatedPost('https://idp.example/token', { clientId: 'c', clientSecret: 's', authMethod: 'client_secret_post' }, {});
    expect(req.form).toEqual({ client_id: 'c', client_secret: 's' });
    expect(req.headers.authorization).toBeUndefined();
  });
});

describe('body parsing', () => {
  const b = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['application/json', '{"a":1}', { kind: 'json', value: { a: 1 } }],
    ['application/json; charset=utf-8', '{"a":1}', { kind: 'json', value: { a: 1 } }],
    ['application/problem+json', '{"a":1}', { kind: 'json', value: { a: 1 } }],
    ['application/x-www-form-urlencoded', 'a=1&b=x%20y', { kind: 'form', value: { a: '1', b: 'x y' } }],
    ['text/plain', 'access_token=abc&token_type=bearer', { kind: 'form', value: { access_token: 'abc', token_type: 'bearer' } }],
    [undefined, '{"a":1}', { kind: 'json', value: { a: 1 } }],
    ['application/json', '', { kind: 'empty' }],
    ['application/json', '{"a":', { kind: 'unparseable', reason: 'malformed or truncated JSON' }],
    ['text/html', '<html>502</html>', { kind: 'unparseable', reason: 'an HTML page' }],
    [undefined, '<!DOCTYPE html><html>', { kind: 'unparseable', reason: 'an HTML page' }],
    ['application/jwt', 'eyJ.eyJ.sig', { kind: 'unparseable' }],
  ])('%s %j', (type, text, expected) => {
    expect(parseBody(type, b(text))).toMatchObject(expected);
  });
  it('rejects bytes that are not UTF-8', () => {
    expect(parseBody('application/json', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ kind: 'unparseable', reason: 'not UTF-8 text' });
  });
});

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [new Date(NOW + 45_000).toUTCString(), 45_000],
    [new Date(NOW - 45_000).toUTCString(), 0],
    ['99999999', 3_600_000],
    ['soon', undefined],
    ['-3', undefined],
  ])('%s → %s ms', (value, ms) => {
    expect(retryAfterMs(value, NOW)).toBe(ms);
  });
});

describe('backoffDelay: full jitter', () => {
  const policy = { baseMs: 1000, capMs: 60_000 };
  it.each([
    [0, 0.5, 500],
    [1, 0.5, 1000],
    [3, 0.999, 7992],
    [10, 0.5, 30_000],
    [2000, 0.5, 30_000],
    [4, 0, 0],
  ])('attempt %i, random %f → %i ms', (attempt, r, ms) => {
    expect(backoffDelay(attempt, { ...policy, random: () => r })).toBe(ms);
  });
  it('stays within [0, cap]', () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const d = backoffDelay(attempt, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(60_000);
    }
  });
  it('rejects a negative or fractional attempt', () => {
    expect(() => backoffDelay(-1, policy)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, policy)).toThrow(RangeError);
  });
});

describe('discovery URLs (OIDC Discovery §4.1, RFC 8414 §3.1)', () => {
  it.each([
    ['https://idp.example', ['https://idp.example/.well-known/openid-configuration', 'https://idp.example/.well-known/oauth-authorization-server']],
    ['https://idp.example/', ['https://idp.example/.well-known/openid-configuration', 'https://idp.example/.well-known/oauth-authorization-server']],
    ['https://idp.example/realms/core', [
      'https://idp.example/realms/core/.well-known/openid-configuration',
      'https://idp.example/.well-known/oauth-authorization-server/realms/core',
      'https://idp.example/realms/core/.well-known/oauth-authorization-server',
    ]],
  ])('%s', (issuer, urls) => {
    expect(discoveryUrls(issuer)).toEqual(urls);
  });
  it('refuses an issuer with a query', () => {
    expect(() => discoveryUrls('https://idp.example/?tenant=1')).toThrow(expect.objectContaining({ code: 'ERR_CONFIG', key: 'issuer' }));
  });
});

describe('whether a failed request may have been processed', () => {
  const err = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra }) as unknown as RequestError;
  it.each([
    ['ECONNREFUSED', err('ECONNREFUSED'), false],
    ['ENOTFOUND', err('ENOTFOUND'), false],
    ['EAI_AGAIN', err('EAI_AGAIN'), false],
    ['connect timeout', err('ETIMEDOUT', { event: 'connect', timings: {} }), false],
    ['send timeout', err('ETIMEDOUT', { event: 'send', timings: {} }), false],
    ['response timeout', err('ETIMEDOUT', { event: 'response', timings: { upload: 1 } }), true],
    ['request timeout after upload', err('ETIMEDOUT', { event: 'request', timings: { upload: 1 } }), true],
    ['request timeout before upload', err('ETIMEDOUT', { event: 'request', timings: {} }), false],
    ['reset after upload', err('ECONNRESET', { timings: { upload: 1 } }), true],
    ['reset before upload', err('ECONNRESET', { timings: {} }), false],
    ['unknown, no timings', err('EWHATEVER'), true],
  ])('%s → %s', (_name, error, processed) => {
    const mapped = toNetworkError(error, 'POST', 'https://idp.example/token');
    expect(mapped).toMatchObject({ code: 'ERR_NETWORK', requestMayHaveBeenProcessed: processed });
  });
});
