/**
 * Issue #12 item 9: the pairing core speaks plain data. The adapter (`agent/idp-client.ts`) classifies
 * what a provider answers into outcomes that survive JSON unchanged (a class instance would not), with
 * a stable `code`; `src/pairing` imports no error classes; the ID-token clock rule reads a marked check,
 * never jose's message text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdpClient, isClockProblem } from '../../src/agent/idp-client.js';
import type { IdpClient } from '../../src/agent/types.js';
import { validateConfig } from '../../src/config/index.js';
import { ProtocolError } from '../../src/errors.js';
import { startProviderServer, PROFILES, type CannedResponse, type FakeProvider } from '../support/provider-servers.js';

let idp: FakeProvider;
let client: IdpClient;
beforeAll(async () => {
  idp = await startProviderServer(PROFILES.rfc8628);
  const config = validateConfig({ file: { issuer: idp.issuer, client_id: PROFILES.rfc8628.client.clientId, http_timeout_ms: 2000, hal: 'sim', state_dir: '/nonexistent' }, path: 'c.json', env: {} });
  client = createIdpClient(config, { log: () => {} });
});
afterAll(async () => {
  await idp.close();
});

const html = (status: number): CannedResponse => ({ status, headers: { 'content-type': 'text/html' }, body: '<html><body>Sign in to the Wi-Fi</body></html>' });

describe('poll and refresh outcomes are plain data with stable codes', () => {
  it.each<[string, CannedResponse, string, string | undefined]>([
    ['503 with Retry-After', { status: 503, headers: { 'retry-after': '3' }, body: 'down' }, 'transient', 'unavailable'],
    ['429', { status: 429, body: { error: 'slow' } }, 'transient', 'unavailable'],
    ['a captive portal HTML 200', html(200), 'malformed', 'malformed'],
    ['garbage JSON', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"access_token": ' }, 'malformed', 'malformed'],
    ['invalid_client', { status: 401, body: { error: 'invalid_client', error_description: 'unknown client' } }, 'refused', 'oauth_error'],
    ['access_denied', { status: 400, body: { error: 'access_denied' } }, 'denied', undefined],
    ['slow_down', { status: 400, body: { error: 'slow_down' } }, 'slow_down', undefined],
  ])('a poll answered with %s', async (_name, answer, kind, code) => {
    idp.intercept((req) => (req.path === PROFILES.rfc8628.paths.token ? answer : undefined));
    const { result } = await client.poll('dc', 5);
    idp.intercept(undefined);
    expect(result.kind).toBe(kind);
    if (code !== undefined) expect(result).toMatchObject({ code });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it.each<[string, CannedResponse, string, string | undefined]>([
    ['502 HTML from a proxy', html(502), 'transient', 'unavailable'],
    ['invalid_grant', { status: 400, body: { error: 'invalid_grant' } }, 'invalid_grant', undefined],
    ['a token answer without access_token but with a new refresh token', { status: 200, body: { token_type: 'Bearer', refresh_token: 'rt-new' } }, 'malformed', 'malformed'],
  ])('a refresh answered with %s', async (_name, answer, kind, code) => {
    idp.intercept((req) => (req.path === PROFILES.rfc8628.paths.token ? answer : undefined));
    const result = await client.refresh('rt-old');
    idp.intercept(undefined);
    expect(result.kind).toBe(kind);
    if (code !== undefined) expect(result).toMatchObject({ code });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('a provider that cannot be reached is a transient no_answer, as plain data', async () => {
    await idp.close();
    const result = await client.refresh('rt');
    expect(result).toMatchObject({ kind: 'transient', code: 'no_answer' });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    idp = await startProviderServer(PROFILES.rfc8628);
  });
});

describe('the pairing core', () => {
  const dir = new URL('../../src/pairing/', import.meta.url).pathname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const);

  it.each(sources)('%s imports no error classes and branches on no error codes', (_file, text) => {
    expect(text).not.toMatch(/from '\.\.\/errors\.js'/);
    expect(text).not.toMatch(/'ERR_[A-Z]+'/);
    // Only plain types and pure policies from the OAuth core.
    for (const [, path] of text.matchAll(/from '\.\.\/oauth\/([^']+)'/g)) expect(['types.js', 'backoff.js', 'poll-interval.js']).toContain(path);
    expect(text).not.toMatch(/\b(PollResult|RefreshResult)\b/);
  });
});

describe('an ID token refused for its times', () => {
  it('is told by the check the validator marked, not by the words of the message', () => {
    expect(isClockProblem(new ProtocolError('id_token', 'ID token rejected: whatever jose says', undefined, 'id_token_time'))).toBe(true);
    // A message that merely quotes jose's wording is not a clock problem.
    expect(isClockProblem(new ProtocolError('id_token', 'ID token rejected: ERR_JWT_EXPIRED: "exp" claim timestamp check failed'))).toBe(false);
  });
});
