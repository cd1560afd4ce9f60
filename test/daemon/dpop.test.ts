/**
 * DPoP through the built daemon (issue #19): apps get `token_type: "DPoP"` from the token API and
 * proofs from `POST /dpop-proof` on agent.sock (or `pairing-agent dpop-proof`), and a loopback
 * resource server that verifies proofs (test/support/dpop-resource-server.ts) accepts the token with a
 * proof and refuses it without one. Unpairing revokes the bound tokens and deletes the key.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/daemon/client.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { DPOP_KEY_FILE, DpopKeyFile } from '../../src/store/dpop-key.js';
import { startResourceServer, type ResourceServer } from '../support/dpop-resource-server.js';
import { pairBySimPress, runCli, withDaemon } from '../support/cli.js';

let idp: EmbeddedIdp;
let api: ResourceServer;
let nonceApi: ResourceServer;
const dir = mkdtempSync(join(tmpdir(), 'pa-dpop-e2e-'));
const stateDir = join(dir, 'state');
const agentSock = join(dir, 'agent.sock');
const config = join(dir, 'config.json');

type Json = Record<string, unknown>;
const proofFrom = async (body: unknown) => {
  const reply = await callDaemon(agentSock, 'POST', '/dpop-proof', 15_000, body);
  if (reply === undefined) throw new Error('no daemon on agent.sock');
  return { status: reply.status, body: reply.json() as Json };
};

beforeAll(async () => {
  // 30 s access tokens: no refresh in the middle of the resource requests.
  idp = await startEmbeddedIdp({ ttl: { accessToken: 30 }, interval: 1 });
  api = await startResourceServer({ introspect: (t) => idp.introspect(t) });
  nonceApi = await startResourceServer({ introspect: (t) => idp.introspect(t), nonce: 'rs-nonce-7' });
  writeFileSync(
    config,
    JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid profile offline_access', hal: 'sim', state_dir: stateDir, socket_path: agentSock, dpop: true }),
  );
});
afterAll(async () => {
  await Promise.all([api.close(), nonceApi.close(), idp.close()]);
});

describe('DPoP through the daemon', () => {
  it('serves DPoP tokens and proofs a resource server accepts; without a proof the token is refused', async () => {
    await withDaemon(config, async (daemon) => {
      // No pairing yet: no proof either.
      expect(await proofFrom({ htm: 'GET', htu: `${api.url}/photos` })).toMatchObject({ status: 409, body: { error: 'not_paired' } });
      const readStatus = async () => (await callDaemon(agentSock, 'GET', '/status', 5000))?.json() as Json | undefined;
      await pairBySimPress(config, readStatus, (code) => idp.approve(code, 'erin'));
      expect(daemon.log()).toMatch(/event=dpop_supported /);

      // The token API says what the token is.
      const token = (await callDaemon(agentSock, 'GET', '/token', 15_000))?.json() as Json;
      expect(token.token_type).toBe('DPoP');
      const jkt = (await new DpopKeyFile(stateDir).load())?.thumbprint;
      expect(await idp.introspect(String(token.access_token))).toMatchObject({ active: true, cnf: { jkt } });
      // Status never shows the key (nor the token).
      const status = JSON.stringify((await callDaemon(agentSock, 'GET', '/status', 5000))?.json());
      const keyFile = JSON.parse(readFileSync(join(stateDir, DPOP_KEY_FILE), 'utf8')) as { jwk: { d: string; x: string } };
      for (const secret of [keyFile.jwk.d, keyFile.jwk.x, String(token.access_token)]) expect(status).not.toContain(secret);
      expect(daemon.log()).not.toContain(keyFile.jwk.d);

      // A proof from agent.sock, with the access token it is bound to: the resource server accepts it.
      const url = `${api.url}/photos?album=1`;
      const proof = await proofFrom({ htm: 'GET', htu: url });
      expect(proof.status).toBe(200);
      expect(proof.body).toMatchObject({ token_type: 'DPoP', access_token: token.access_token });
      expect(decodeJwt(String(proof.body.dpop))).toMatchObject({ htm: 'GET', htu: `${api.url}/photos` });
      const ok = await fetch(url, { headers: { authorization: `DPoP ${String(proof.body.access_token)}`, dpop: String(proof.body.dpop) } });
      expect(ok.status).toBe(200);
      // The same token without a proof, or as a Bearer token, or with the proof replayed: refused.
      expect((await fetch(url, { headers: { authorization: `DPoP ${String(token.access_token)}` } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${String(token.access_token)}` } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `DPoP ${String(token.access_token)}`, dpop: String(proof.body.dpop) } })).status).toBe(401);
      // Nor does the provider take it without a proof (its userinfo is a resource too).
      expect((await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${String(token.access_token)}` } })).status).toBe(401);
      expect(api.refusals).toEqual(['no DPoP proof', 'no DPoP access token', 'jti missing or replayed']);

      // The CLI prints one too, for a POST this time.
      const cli = await runCli(['--config', config, 'dpop-proof', '--method', 'POST', '--url', `${api.url}/upload`]);
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      const posted = await fetch(`${api.url}/upload`, { method: 'POST', headers: { authorization: `DPoP ${String(token.access_token)}`, dpop: cli.stdout.trim() } });
      expect(posted.status).toBe(200);

      // A resource server that demands a nonce (RFC 9449 §9): the app passes it on and gets through.
      const first = await proofFrom({ htm: 'GET', htu: `${nonceApi.url}/x` });
      const refused = await fetch(`${nonceApi.url}/x`, { headers: { authorization: `DPoP ${String(first.body.access_token)}`, dpop: String(first.body.dpop) } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/use_dpop_nonce/);
      const nonce = String(refused.headers.get('dpop-nonce'));
      const second = await proofFrom({ htm: 'GET', htu: `${nonceApi.url}/x`, nonce });
      expect((await fetch(`${nonceApi.url}/x`, { headers: { authorization: `DPoP ${String(second.body.access_token)}`, dpop: String(second.body.dpop) } })).status).toBe(200);

      // Bad requests get one clear line.
      expect(await proofFrom({ htm: 'GET', htu: 'http://api.example/x' })).toMatchObject({ status: 400, body: { reason: expect.stringMatching(/^"htu" .*HTTPS/i) } });
      expect(await proofFrom({ htm: 'GET' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const usage = await runCli(['--config', config, 'dpop-proof', '--method', 'GET']);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/^pairing-agent dpop-proof: needs --method M and --url URL/);
      const badUrl = await runCli(['--config', config, 'dpop-proof', '--method', 'GET', '--url', 'http://api.example/x']);
      expect(badUrl.status).toBe(2);
      expect(badUrl.stderr).toMatch(/^pairing-agent dpop-proof: "htu" .*\n$/);
      expect((await runCli(['--config', config, 'dpop-proof', '--help'])).stdout).toMatch(/--nonce N /);

      // Unpairing revokes the DPoP-bound tokens and deletes the key.
      expect(statSync(join(stateDir, DPOP_KEY_FILE)).mode & 0o777).toBe(0o600);
      const logout = await runCli(['--config', config, 'logout']);
      expect(logout.stdout).toBe('unpaired\n');
      expect(await idp.introspect(String(token.access_token))).toMatchObject({ active: false });
      expect(existsSync(join(stateDir, DPOP_KEY_FILE))).toBe(false);
      expect(await proofFrom({ htm: 'GET', htu: `${api.url}/photos` })).toMatchObject({ status: 409, body: { error: 'not_paired' } });
    });
  }, 60_000);
});
