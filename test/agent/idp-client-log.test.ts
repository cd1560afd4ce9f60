/**
 * What the provider requests leave in the log (issue #14 item 5; field): each request as a debug line
 * (`oauth.http`: method, URL without its query, status, duration), each failure as one warning
 * (`oauth.http.error`) saying which request and how it failed, and never a secret — not the tokens,
 * the device code, the client secret, a DPoP proof or an Authorization header — through a whole
 * pairing, refresh and logout on the embedded IdP (the real oidc-provider). The log is read as the
 * agent passed it, before the formatter's last-defence redaction.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { createAgent } from '../../src/agent/create.js';
import { validateConfig } from '../../src/config/index.js';
import type { State } from '../../src/pairing/state.js';
import { pairWithButton, settle, startAgentOnIdp, watchedIdp } from '../support/agent-on-idp.js';
import { PROFILES, refusedUrl, startProviderServer, type FakeProvider } from '../support/provider-servers.js';
import { createVirtualTime } from '../support/virtual-time.js';

// An hour's access token: the refresh below is brought on by virtual time, not by a short lifetime.
const provider = watchedIdp({ interval: 1, ttl: { accessToken: 3600 } });

describe('a pairing, a refresh and a logout, logged (confidential client, DPoP)', () => {
  it('logs each request to the provider, and not one secret', async () => {
    const { idp } = provider;
    const time = createVirtualTime(Date.now());
    const { client_id, client_secret } = idp.confidentialClient;
    const started = await startAgentOnIdp(idp, {
      time,
      file: { client_id, client_secret, token_endpoint_auth_method: 'client_secret_basic', dpop: true, scope: 'openid profile offline_access' },
    });
    const { agent, logs } = started;
    const seen: State[] = [];
    agent.on('state', (state) => seen.push(state));
    try {
      const paired = await pairWithButton(started, idp);
      // The scheduled refresh, an hour's token later on the agent's clock.
      const refreshed = await settle(agent, (s) => s.name === 'paired' && s.tokens.refreshToken !== paired.tokens.refreshToken, 3_700_000, time);
      expect(refreshed).toBeDefined();
      await agent.dispatch({ type: 'logout' });
      expect(await settle(agent, (s) => s.name === 'unpaired', 10_000, time)).toEqual({ name: 'unpaired', notice: 'unpaired' });
    } finally {
      await agent.stop();
    }

    const secrets = new Set<string>([client_secret, Buffer.from(`${client_id}:${client_secret}`).toString('base64')]);
    for (const state of seen) {
      if (state.name === 'awaiting_user') secrets.add(state.code.deviceCode);
      if ('tokens' in state) for (const value of [state.tokens.accessToken, state.tokens.refreshToken, state.tokens.idToken]) if (value !== undefined) secrets.add(value);
    }
    // Two pairs of tokens, the device code, the client secret two ways.
    expect(secrets.size).toBeGreaterThanOrEqual(7);
    const text = logs.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
    // Nothing that looks like a JWT (an ID token, a DPoP proof) or a header value either.
    expect(text).not.toMatch(/eyJ[\w-]+\.|Basic |DPoP ey|Bearer /);

    // Each exchange is there: method, URL without a query, status, duration.
    const requests = logs.filter((line) => line.startsWith('oauth.http ')).map((line) => JSON.parse(line.slice('oauth.http '.length)) as Record<string, unknown>);
    for (const r of requests) expect(r).toMatchObject({ method: expect.stringMatching(/^(GET|POST)$/), url: expect.not.stringContaining('?'), status: expect.any(Number), ms: expect.any(Number) });
    const posted = (path: string) => requests.filter((r) => r.method === 'POST' && r.url === `${idp.issuer}${path}`).map((r) => r.status);
    expect(posted('/device/auth')).toEqual([200]);
    // The pairing's 200 (after any 400 authorization_pending), then the refresh's.
    expect(posted('/token').filter((status) => status === 200)).toHaveLength(2);
    // RFC 7009: the refresh token, then the access token.
    expect(posted('/token/revocation')).toEqual([200, 200]);
    expect(logs.filter((line) => line.startsWith('oauth.http.error'))).toEqual([]);
  }, 40_000);
});

describe('a request that fails', () => {
  let fake: FakeProvider;
  beforeAll(async () => {
    fake = await startProviderServer(PROFILES.rfc8628);
  });
  afterAll(async () => {
    await fake.close();
  });

  /** A press on an agent of `fake`; the log once the code request has failed. Virtual timers stand still: one attempt. */
  async function pressAndFail(file: Record<string, unknown> = {}): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'pa-httplog-'));
    const config = validateConfig({ file: { issuer: fake.issuer, client_id: fake.profile.client.clientId, hal: 'sim', state_dir: dir, ...file }, path: join(dir, 'c.json'), env: {} });
    const logs: string[] = [];
    const hal = createSimHal(config);
    const time = createVirtualTime(Date.now());
    const { agent } = createAgent(config, { hal, log: (event, fields) => logs.push(`${event} ${JSON.stringify(fields ?? {})}`), clock: time.clock(0), timers: time.timers });
    try {
      await agent.start();
      hal.button.press();
      expect(await agent.waitFor((s) => s.name === 'offline', 10_000)).toBeDefined();
      await agent.whenIdle();
    } finally {
      await agent.stop();
      await hal.close();
    }
    return logs;
  }

  const errors = (logs: string[]) => logs.filter((line) => line.startsWith('oauth.http.error ')).map((line) => JSON.parse(line.slice('oauth.http.error '.length)) as Record<string, unknown>);

  it('the provider answers 500: one oauth.http.error line, with the request and the status', async () => {
    fake.intercept((req) => (req.path === fake.profile.paths.deviceAuthorization ? { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Internal Server Error</h1>' } : undefined));
    try {
      const logs = await pressAndFail();
      expect(errors(logs)).toEqual([{ method: 'POST', url: fake.endpoints.deviceAuthorizationEndpoint, status: 500, bytes: expect.any(Number), ms: expect.any(Number), reason: 'HTTP 500' }]);
    } finally {
      fake.intercept(undefined);
    }
  });

  it('nothing listens: one oauth.http.error line saying the connection was refused', async () => {
    const refused = `${await refusedUrl()}/device_authorization`;
    const logs = await pressAndFail({ device_authorization_endpoint: refused });
    expect(errors(logs)).toEqual([{ method: 'POST', url: refused, reason: 'ECONNREFUSED', ms: expect.any(Number) }]);
  });
});
