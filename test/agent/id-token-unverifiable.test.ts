/**
 * Issue #12 item 7: ID tokens the agent cannot verify do not cost the pairing. Against a loopback
 * provider answering as Glewlwyd 2.7.5 does (`jwt-type: sha`: HS256 ID tokens, no asymmetric keys):
 * a confidential client verifies HMAC tokens with its secret (OIDC Core §10.1); a token it has no key
 * for is unchecked (it came from the token endpoint over TLS, §3.1.3.7 (6)) and who paired comes from
 * userinfo. A token that must be refused (another audience, a bad signature with a published key) ends
 * the flow as `failed` with the reason on screen, and the tokens that came with it are revoked (RFC 7009).
 * Either way the spent device code is never polled again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { Agent } from '../../src/agent/agent.js';
import { systemClock } from '../../src/agent/clock.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { memoryStore } from '../../dev/agent/memory-store.js';
import { screenFor } from '../../src/agent/view.js';
import { validateConfig } from '../../src/config/index.js';
import type { State } from '../../src/pairing/state.js';
import { DEVICE_CODE_GRANT_TYPE } from '../../src/oauth/index.js';
import { startEmbeddedIdp } from '../../dev/idp/embedded.js';
import { startAgentOnIdp } from '../support/agent-on-idp.js';
import { eventually } from '../support/cli.js';
import { PROFILES, startProviderServer, startRawServer, type ProviderProfile } from '../support/provider-servers.js';

const glewlwydConfidential: ProviderProfile = { ...PROFILES.glewlwyd, client: { clientId: 'device', clientSecret: 'device-secret' }, idTokenHmacKey: 'client_secret' };

/** Pairs a device with `profile` through the agent; returns where the flow ended and what the provider saw. */
async function pairWith(profile: ProviderProfile) {
  const idp = await startProviderServer({ ...profile, interval: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'pa-idtoken-'));
  const { clientSecret } = profile.client;
  const config = validateConfig({
    file: {
      issuer: idp.issuer,
      client_id: profile.client.clientId,
      ...(clientSecret === undefined ? {} : { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
      scope: profile.defaultScope,
      hal: 'sim',
      state_dir: dir,
    },
    path: join(dir, 'c.json'),
    env: {},
  });
  const hal = createSimHal(config);
  const events: string[] = [];
  const agent = new Agent({
    store: memoryStore(),
    idp: createIdpClient(config, { log: (e) => void events.push(e) }),
    hal,
    clock: systemClock(),
    log: (e) => void events.push(e),
    autoPair: false,
  });
  const polls = () => idp.requests.filter((r) => r.form.grant_type === DEVICE_CODE_GRANT_TYPE).length;
  try {
    await agent.start();
    hal.button.press();
    const awaiting = await agent.waitFor((s) => s.name === 'awaiting_user', 10_000);
    if (awaiting?.name !== 'awaiting_user') throw new Error('no code');
    const before = polls();
    idp.approve(awaiting.code.userCode, 'dana');
    const ended = await agent.waitFor((s) => !['awaiting_user', 'requesting_code'].includes(s.name), 15_000);
    if (ended?.name === 'paired') await agent.waitFor((s) => s.name === 'paired' && s.identity.who !== undefined, 5_000);
    // Two more poll intervals: a spent code polled again would show here.
    await new Promise((r) => setTimeout(r, 2500));
    const state: State = agent.state;
    return { state, pollsAfterApproval: polls() - before, userinfoCalls: idp.requests.filter((r) => r.path === profile.paths.userinfo).length, events };
  } finally {
    await agent.stop();
    await idp.close();
  }
}

describe('ID tokens the agent cannot verify do not cost the pairing (Glewlwyd 2.7.5)', () => {
  it('a public client pairs with an HS256 ID token it has no key for, and learns who paired from userinfo', async () => {
    const { state, pollsAfterApproval, userinfoCalls, events } = await pairWith(PROFILES.glewlwyd);
    expect(state).toMatchObject({ name: 'paired', identity: { who: 'Dana Scully' } });
    expect(pollsAfterApproval).toBe(1);
    expect(userinfoCalls).toBe(1);
    expect(events).toContain('id_token_unchecked');
  }, 30_000);

  it('a confidential client verifies an HS256 ID token with its secret (OIDC Core §10.1) and needs no userinfo', async () => {
    const { state, pollsAfterApproval, userinfoCalls, events } = await pairWith(glewlwydConfidential);
    expect(state).toMatchObject({ name: 'paired', identity: { subject: 'dana', who: 'Dana Scully' } });
    expect(pollsAfterApproval).toBe(1);
    expect(userinfoCalls).toBe(0);
    expect(events).not.toContain('id_token_unchecked');
  }, 30_000);

  it('a confidential client keeps the pairing when the provider keys its HMAC with a secret of its own', async () => {
    const { state, pollsAfterApproval } = await pairWith({ ...glewlwydConfidential, idTokenHmacKey: 'the-providers-own-key' });
    expect(state).toMatchObject({ name: 'paired', identity: { who: 'Dana Scully' } });
    expect(pollsAfterApproval).toBe(1);
  }, 30_000);
});

describe('ID tokens that must be refused end the flow as failed, with the reason on screen', () => {
  it.each<[string, ProviderProfile, RegExp]>([
    ['another audience (HS256, verified with the secret)', { ...glewlwydConfidential, idTokenAudience: 'someone-else' }, /aud/],
    ['another audience, in a token this client cannot verify', { ...PROFILES.glewlwyd, idTokenAudience: 'someone-else' }, /aud/],
    ['a bad signature with a published key (ES256)', { ...PROFILES.hydra, idTokenForged: true }, /signature/],
  ])('%s', async (_name, profile, reason) => {
    const { state, pollsAfterApproval } = await pairWith(profile);
    expect(state).toMatchObject({ name: 'failed', reason: expect.stringMatching(reason) });
    expect(screenFor(state, Date.now(), true)).toMatchObject({ kind: 'error', reason: expect.stringMatching(reason) });
    expect(pollsAfterApproval).toBe(1);
  }, 30_000);
});

describe('the tokens that came with a refused ID token are revoked (RFC 7009), on the embedded IdP', () => {
  it('a bad signature: the flow ends failed at once, and the refresh and access tokens stop working at the provider', async () => {
    const idp = await startEmbeddedIdp({ interval: 1 });
    // The token endpoint behind a loopback relay that spoils the ID token's signature, as a tampering
    // middlebox would; the tokens beside it are the provider's own.
    const issued: { refreshToken?: string; accessToken?: string; activeWhenIssued?: boolean } = {};
    const relay = await startRawServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const answer = await fetch(`${idp.issuer}/token`, { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) });
          const body = (await answer.json()) as Record<string, unknown>;
          if (typeof body.id_token === 'string') {
            issued.refreshToken = body.refresh_token as string;
            issued.accessToken = body.access_token as string;
            issued.activeWhenIssued = (await idp.introspect(issued.refreshToken)).active;
            const [header, payload, signature] = body.id_token.split('.');
            body.id_token = `${header}.${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
          }
          res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
        })();
      });
    });
    const { agent, hal, logs } = await startAgentOnIdp(idp, { file: { token_endpoint: `${relay.url}/token` } });
    try {
      // The code is approved as soon as it is shown.
      let approved = false;
      agent.on('state', (s) => {
        if (s.name !== 'awaiting_user' || approved) return;
        approved = true;
        void idp.approve(s.code.userCode, 'dana');
      });
      hal.button.press();
      expect(await agent.waitFor((s) => s.name === 'failed', 15_000)).toMatchObject({ name: 'failed', reason: expect.stringMatching(/signature/) });
      expect(issued.activeWhenIssued).toBe(true);
      // One attempt, after the failed state: its outcome is logged.
      await eventually(async () => (logs.some((line) => line.startsWith('rejected_tokens_revoked ')) ? true : undefined), 10_000, 'the revocation');
      expect((await idp.introspect(issued.refreshToken!)).active).toBe(false);
      expect((await idp.introspect(issued.accessToken!)).active).toBe(false);
      expect(logs.join('\n')).not.toContain(issued.refreshToken!);
    } finally {
      await agent.stop();
      await relay.close();
      await idp.close();
    }
  }, 30_000);
});
