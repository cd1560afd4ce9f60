/**
 * DPoP (RFC 9449, issue #19): proofs, the key on disk, and the agent against the embedded provider
 * (oidc-provider, DPoP on as by default) — tokens bound to the agent's key (`cnf.jkt`), refresh with
 * rotation, server nonces, the downgrade refused, and unpairing deleting the key.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { Agent } from '../../src/agent/agent.js';
import { systemClock } from '../../src/agent/clock.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { validateConfig } from '../../src/config/index.js';
import { readStatusFile } from '../../src/daemon/read-status.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { createDpopProof, createHttpClient, DpopNonces, htuOf, pollDeviceToken } from '../../src/oauth/index.js';
import { DPOP_KEY_FILE, DpopKeyFile } from '../../src/store/dpop-key.js';
import { withDpopKey } from '../../src/store/dpop-state-store.js';
import { FileStateStore } from '../../src/store/file-store.js';
import { pairWithButton, startAgentOnIdp, watchedIdp, type AgentOnIdp } from '../support/agent-on-idp.js';
import { startRawServer } from '../support/provider-servers.js';
import { recordingHttp } from '../support/recording-http.js';

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('DPoP proofs (RFC 9449 §4)', () => {
  it('carry typ, the public key, htm, htu without query and fragment, iat, a fresh jti, and ath', async () => {
    const key = await new DpopKeyFile(tempDir('pa-dpop-')).create();
    const claims = { htm: 'GET', htu: 'https://api.example/x?secret=1#frag', iat: 1_800_000_000, accessToken: 'at-123' };
    const [a, b] = [await createDpopProof(key, claims), await createDpopProof(key, { ...claims, nonce: 'n-1' })];
    const header = decodeProtectedHeader(a);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    expect(header.jwk).not.toHaveProperty('d');
    const { payload } = await jwtVerify(a, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(1_800_000_000_000) });
    expect(payload).toMatchObject({ htm: 'GET', htu: 'https://api.example/x', iat: 1_800_000_000 });
    expect(payload.ath).toBe(createHash('sha256').update('at-123').digest('base64url'));
    expect(payload).not.toHaveProperty('nonce');
    expect(decodeJwt(b)).toMatchObject({ nonce: 'n-1' });
    expect(decodeJwt(b).jti).not.toBe(payload.jti);
    expect(await calculateJwkThumbprint(header.jwk!)).toBe(key.thumbprint);
    expect(htuOf('http://127.0.0.1:8080/token?x=1')).toBe('http://127.0.0.1:8080/token');
  });
});

describe('the DPoP key file', () => {
  it('is 0600, reloads as the same key, is replaced by create and gone after delete', async () => {
    const dir = tempDir('pa-dpop-');
    writeFileSync(join(dir, `${DPOP_KEY_FILE}.tmp-deadbeef0000`), 'half a key from a crash');
    const file = DpopKeyFile.open(dir);
    // Opening the key store removes what a crash left of a write.
    expect(existsSync(join(dir, `${DPOP_KEY_FILE}.tmp-deadbeef0000`))).toBe(false);
    expect(await file.load()).toBeUndefined();
    const key = await file.create();
    expect(statSync(join(dir, DPOP_KEY_FILE)).mode & 0o777).toBe(0o600);
    // A restart (a new reader) uses the same key.
    expect((await new DpopKeyFile(dir).load())?.thumbprint).toBe(key.thumbprint);
    const next = await file.create();
    expect(next.thumbprint).not.toBe(key.thumbprint);
    await file.delete();
    expect(existsSync(join(dir, DPOP_KEY_FILE))).toBe(false);
    expect(await new DpopKeyFile(dir).load()).toBeUndefined();
  });

  it('sweeps temp files once, when opened: a key write or delete lists no directory', async () => {
    const dir = tempDir('pa-dpop-');
    const file = DpopKeyFile.open(dir);
    // Named as a crashed write's would be, but made after the sweep: only the next opening removes it.
    const late = join(dir, `${DPOP_KEY_FILE}.tmp-0123456789ab`);
    writeFileSync(late, 'made after the store was opened');
    await file.create();
    await file.delete();
    expect(readdirSync(dir).sort()).toEqual([`${DPOP_KEY_FILE}.tmp-0123456789ab`]);
    DpopKeyFile.open(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a damaged key file is an error that does not quote the file', async () => {
    const dir = tempDir('pa-dpop-');
    writeFileSync(join(dir, DPOP_KEY_FILE), '{"version":1,"alg":"ES256","jwk":{"kty":"EC","d":"SECRETSECRET"}}');
    await expect(new DpopKeyFile(dir).load()).rejects.toThrow(/not a DPoP key file/);
    await expect(new DpopKeyFile(dir).load()).rejects.not.toThrow(/SECRET/);
  });
});

describe('the agent with dpop: true, against the embedded provider', () => {
  // 3 s access tokens: a refresh about 2 s after each pairing or refresh.
  const provider = watchedIdp();

  /** An agent with `dpop: true`: createAgent keeps its key in `dir`, shared by the IdP client and the store. */
  const startAgent = (dir: string) => startAgentOnIdp(provider.idp, { dir, file: { scope: 'openid profile offline_access', dpop: true } });
  const pair = (started: AgentOnIdp) => pairWithButton(started, provider.idp);

  const thumbprintOnDisk = async (dir: string) => (await new DpopKeyFile(dir).load())?.thumbprint;

  it('pairs with DPoP-bound tokens, refreshes with rotation still bound, and unpairing revokes and deletes the key', async () => {
    const dir = tempDir('pa-dpop-agent-');
    const started = await startAgent(dir);
    const { agent, logs } = started;
    const paired = await pair(started);
    const jkt = await thumbprintOnDisk(dir);
    expect(jkt).toBeDefined();
    expect(statSync(join(dir, DPOP_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(paired.tokens.tokenType).toBe('DPoP');
    // Bound: the provider's introspection names the key's thumbprint (RFC 9449 §6.2).
    expect(await provider.idp.introspect(paired.tokens.accessToken)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
    // The provider's metadata advertises DPoP, and the log says so.
    expect(logs.some((l) => l.startsWith('dpop_supported ') && l.includes('ES256'))).toBe(true);
    // userinfo was asked with a proof (the token is bound): who paired is known.
    await agent.waitFor((s) => s.name === 'paired' && s.identity.who !== undefined, 10_000);

    // Refresh with rotation: a new refresh token, a new access token, both still bound to the key.
    const refreshed = await agent.waitFor((s) => s.name === 'paired' && s.tokens.refreshToken !== paired.tokens.refreshToken, 10_000);
    if (refreshed?.name !== 'paired' || refreshed.tokens.refreshToken === undefined) throw new Error('no refresh');
    expect(refreshed.tokens.tokenType).toBe('DPoP');
    expect(await provider.idp.introspect(refreshed.tokens.accessToken)).toMatchObject({ active: true, cnf: { jkt } });
    expect(await provider.idp.introspect(refreshed.tokens.refreshToken)).toMatchObject({ active: true, cnf: { jkt } });
    // The refresh token alone, without a proof from the key, is refused: a copy of it is worthless.
    const stolen = await fetch(`${provider.idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: provider.idp.publicClientId, grant_type: 'refresh_token', refresh_token: refreshed.tokens.refreshToken }),
    });
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });
    // Nothing secret in the log: no token, no private key.
    const d = (JSON.parse(readFileSync(join(dir, DPOP_KEY_FILE), 'utf8')) as { jwk: { d: string } }).jwk.d;
    for (const line of logs) {
      expect(line).not.toContain(d);
      expect(line).not.toContain(refreshed.tokens.accessToken);
    }

    // Unpairing: revoked at the provider (revocation takes DPoP-bound tokens), key deleted.
    const current = agent.state;
    if (current.name !== 'paired' && current.name !== 'refreshing') throw new Error(`state ${current.name}`);
    await agent.dispatch({ type: 'long_press' });
    expect(await agent.waitFor((s) => s.name === 'unpaired', 10_000)).toMatchObject({ name: 'unpaired', notice: 'unpaired' });
    expect(await provider.idp.introspect(current.tokens.refreshToken ?? '')).toMatchObject({ active: false });
    expect(existsSync(join(dir, DPOP_KEY_FILE))).toBe(false);

    // A new pairing gets a new key.
    const again = await pair(started);
    const jkt2 = await thumbprintOnDisk(dir);
    expect(jkt2).toBeDefined();
    expect(jkt2).not.toBe(jkt);
    expect(await provider.idp.introspect(again.tokens.accessToken)).toMatchObject({ active: true, cnf: { jkt: jkt2 } });
    await agent.stop(5_000);
    expect(provider.grantErrors.filter((e) => !/invalid_grant/.test(e) && !/failed jkt/.test(e))).toEqual([]);
  }, 40_000);

  it('a restart uses the same key; a lost key file is a lost pairing, said clearly', async () => {
    const dir = tempDir('pa-dpop-agent-');
    const first = await startAgent(dir);
    const paired = await pair(first);
    const jkt = await thumbprintOnDisk(dir);
    await first.agent.stop(5_000);

    const second = await startAgent(dir);
    expect(second.agent.state.name).toBe('paired');
    // The refresh after the restart proves possession of the same key (scheduled refreshes are at
    // least 10 s apart, issue #12).
    const refreshed = await second.agent.waitFor((s) => s.name === 'paired' && s.tokens.accessToken !== paired.tokens.accessToken, 20_000);
    if (refreshed?.name !== 'paired') throw new Error('no refresh after restart');
    expect(await provider.idp.introspect(refreshed.tokens.accessToken)).toMatchObject({ active: true, cnf: { jkt } });
    await second.agent.stop(5_000);

    // The key file is lost (an SD card restored from a backup without it, say).
    await new DpopKeyFile(dir).delete();
    // `status` without a daemon already says so.
    expect(readStatusFile({ state_dir: dir })).toMatchObject({ state: 'unpaired', reason: 'pairing_lost' });
    const third = await startAgent(dir);
    expect(third.agent.state).toMatchObject({ name: 'unpaired', notice: 'pairing_lost' });
    expect(third.logs.find((l) => l.startsWith('dpop_key_lost '))).toMatch(/DPoP key file is missing.*pairing is lost, pair again/);
    // Written down: the tokens it cannot use are gone from disk too.
    expect(FileStateStore.open(dir).state).toMatchObject({ name: 'unpaired', notice: 'pairing_lost' });
    await third.agent.stop();
  }, 40_000);

  it('server nonces: a use_dpop_nonce answer is retried once with the nonce, and the latest nonce is reused', async () => {
    const nonceIdp = await startEmbeddedIdp({ interval: 1, dpopNonces: 'required' });
    try {
      const dir = tempDir('pa-dpop-nonce-');
      const http = recordingHttp();
      const config = validateConfig({
        file: { issuer: nonceIdp.issuer, client_id: nonceIdp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: dir, dpop: true },
        path: join(dir, 'c.json'),
        env: {},
      });
      const keys = new DpopKeyFile(dir);
      const idpClient = createIdpClient(config, { log: () => {}, http, dpopKeys: keys });
      const code = await idpClient.requestCode();
      if (code.kind !== 'ok') throw new Error(code.kind);
      const toToken = () => http.log.filter((e) => e.request.url.endsWith('/token'));
      // First poll: no nonce known → use_dpop_nonce with a DPoP-Nonce → one retry carrying it.
      expect((await idpClient.poll(code.authorization.deviceCode, 1)).result.kind).toBe('pending');
      const [refused, retried] = toToken();
      expect(toToken()).toHaveLength(2);
      expect(refused?.response.status).toBe(400);
      expect(refused?.response.body).toMatchObject({ value: { error: 'use_dpop_nonce' } });
      const nonce = refused?.response.headers['dpop-nonce'];
      expect(decodeJwt(refused?.request.headers.dpop ?? '')).not.toHaveProperty('nonce');
      expect(decodeJwt(retried?.request.headers.dpop ?? '')).toMatchObject({ nonce });
      // Later polls reuse the latest nonce: one request each, no retry.
      await new Promise((r) => setTimeout(r, 1100));
      await nonceIdp.approve(code.authorization.userCode);
      const done = await idpClient.poll(code.authorization.deviceCode, 1);
      expect(done.result).toMatchObject({ kind: 'tokens', tokens: { tokenType: 'DPoP' } });
      expect(toToken()).toHaveLength(3);
      expect(decodeJwt(toToken()[2]?.request.headers.dpop ?? '').nonce).toBe(toToken()[1]?.response.headers['dpop-nonce'] ?? nonce);
      // And the refresh too.
      const tokens = (done.result as { tokens: { refreshToken: string } }).tokens;
      const refreshed = await idpClient.refresh(tokens.refreshToken);
      expect(refreshed).toMatchObject({ kind: 'tokens', tokens: { tokenType: 'DPoP' } });
      expect(toToken()).toHaveLength(4);
      expect(toToken()[3]?.response.status).toBe(200);
    } finally {
      await nonceIdp.close();
    }
  }, 20_000);
});

describe('DPoP against loopback servers', () => {
  it('a server that keeps asking for a new nonce gets one retry, then the poll waits (transient)', async () => {
    let n = 0;
    const server = await startRawServer((_req, res) => {
      n++;
      res.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': `nonce-${n}` });
      res.end(JSON.stringify({ error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' }));
    });
    try {
      const key = await new DpopKeyFile(tempDir('pa-dpop-')).create();
      const http = recordingHttp();
      const result = await pollDeviceToken(http, { tokenEndpoint: `${server.url}/token` }, { clientId: 'c', authMethod: 'none' }, { deviceCode: 'dc', interval: 5 }, Date.now, { key, nonces: new DpopNonces() });
      expect(http.log).toHaveLength(2);
      expect(decodeJwt(http.log[1]?.request.headers.dpop ?? '')).toMatchObject({ nonce: 'nonce-1' });
      // Not a refusal of the pairing: the state machine waits a full interval (and backs off) before the next poll.
      expect(result).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: false });
    } finally {
      await server.close();
    }
  });

  it('a Bearer answer to a request with a proof is refused as a downgrade', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt' }));
    });
    try {
      const key = await new DpopKeyFile(tempDir('pa-dpop-')).create();
      const result = await pollDeviceToken(createHttpClient(), { tokenEndpoint: `${server.url}/token` }, { clientId: 'c', authMethod: 'none' }, { deviceCode: 'dc', interval: 5 }, Date.now, { key, nonces: new DpopNonces() });
      expect(result).toMatchObject({ kind: 'fatal', error: { field: 'dpop', message: expect.stringMatching(/DPoP downgrade refused.*"Bearer"/) } });
      // Without DPoP the same answer is fine.
      expect(await pollDeviceToken(createHttpClient(), { tokenEndpoint: `${server.url}/token` }, { clientId: 'c', authMethod: 'none' }, { deviceCode: 'dc', interval: 5 })).toMatchObject({ kind: 'tokens' });
    } finally {
      await server.close();
    }
  });

  it('the agent refuses a downgraded pairing: the flow ends failed, with the reason, and keeps no token', async () => {
    // A provider that ignores DPoP: device authorization, then Bearer tokens to a poll with a proof.
    const server = await startRawServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/device') {
        res.end(JSON.stringify({ device_code: 'dc-1', user_code: 'WDJB-MJHT', verification_uri: 'http://127.0.0.1/device', expires_in: 300, interval: 1 }));
      } else {
        res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt' }));
      }
    });
    try {
      const dir = tempDir('pa-dpop-down-');
      const config = validateConfig({
        file: { client_id: 'c', device_authorization_endpoint: `${server.url}/device`, token_endpoint: `${server.url}/token`, hal: 'sim', state_dir: dir, dpop: true },
        path: join(dir, 'c.json'),
        env: {},
      });
      const logs: string[] = [];
      const hal = createSimHal(config);
      const keys = new DpopKeyFile(dir);
      const log = (event: string, fields?: Record<string, unknown>) => void logs.push(`${event} ${JSON.stringify(fields ?? {})}`);
      const agent = new Agent({ store: withDpopKey(FileStateStore.open(dir).store, keys, log), idp: createIdpClient(config, { log, dpopKeys: keys }), hal, clock: systemClock(), log, autoPair: false });
      await agent.start();
      hal.button.press();
      const failed = await agent.waitFor((s) => s.name === 'failed', 10_000);
      expect(failed).toMatchObject({ name: 'failed', reason: expect.stringMatching(/^DPoP downgrade refused: .*token_type "Bearer"/) });
      expect(JSON.stringify(FileStateStore.open(dir).state)).not.toContain('"at"');
      await agent.stop();
    } finally {
      await server.close();
    }
  });
});

