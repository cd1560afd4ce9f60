/**
 * DPoP from a device whose clock is wrong (issue #19, "a Pi booting with a wrong clock"): a Pi has no
 * real-time clock and boots with the time fake-hwclock saved, or 1970, until NTP syncs. The provider
 * checks each proof's `iat` against its own clock (RFC 9449 §11.1; oidc-provider: 300 s either way),
 * so the agent stamps `iat` by the provider's clock, learned from the `Date` of its answers.
 *
 * In this process against the embedded provider (oidc-provider) with the device's clock injected, and
 * against loopback servers for the retry rule; the built daemon under libfaketime is in
 * test/crash/dpop-clock.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { validateConfig } from '../../src/config/index.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { DpopNonces, pollDeviceToken, ServerClocks } from '../../src/oauth/index.js';
import { DpopKeyFile } from '../../src/store/dpop-key.js';
import { startRawServer } from '../support/provider-servers.js';
import { recordingHttp } from '../support/recording-http.js';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const tempDir = () => mkdtempSync(join(tmpdir(), 'pa-dpop-clock-'));

/** The seconds between a proof's `iat` and the real time. */
const iatSkew = (proof: string | undefined) => Math.abs((decodeJwt(proof ?? '').iat ?? 0) - Date.now() / 1000);

let idp: EmbeddedIdp;
beforeAll(async () => {
  idp = await startEmbeddedIdp({ interval: 1, ttl: { accessToken: 60 } });
});
afterAll(async () => {
  await idp?.close();
});

/** An IdP client whose device's wall clock is off by `skewMs`; `explicit`: endpoints configured, no discovery; `noDate`: answers lose their Date. */
function deviceClient(dir: string, skewMs: number | (() => number), options: { explicit?: boolean; logs?: string[]; noDate?: boolean } = {}) {
  const recorded = recordingHttp();
  const http = {
    log: recorded.log,
    async send(request: Parameters<typeof recorded.send>[0]) {
      const response = await recorded.send(request);
      if (options.noDate) delete response.headers.date;
      return response;
    },
  };
  const endpoints = options.explicit
    ? { device_authorization_endpoint: `${idp.issuer}/device/auth`, token_endpoint: `${idp.issuer}/token` }
    : { issuer: idp.issuer };
  const config = validateConfig({
    file: { ...endpoints, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: dir, dpop: true },
    path: join(dir, 'c.json'),
    env: {},
  });
  const logs = options.logs ?? [];
  const client = createIdpClient(config, {
    log: (event, fields) => void logs.push(`${event} ${JSON.stringify(fields ?? {})}`),
    http,
    dpopKeys: new DpopKeyFile(dir),
    now: () => Date.now() + (typeof skewMs === 'number' ? skewMs : skewMs()),
  });
  return { client, http, logs };
}

async function pairAndRefresh(skewMs: number) {
  const dir = tempDir();
  const { client, http, logs } = deviceClient(dir, skewMs);
  const code = await client.requestCode();
  if (code.kind !== 'ok') throw new Error(`requestCode: ${JSON.stringify(code)}`);
  await idp.approve(code.authorization.userCode, 'pi');
  const polled = await client.poll(code.authorization.deviceCode, 1);
  expect(polled.result).toMatchObject({ kind: 'tokens', tokens: { tokenType: 'DPoP' } });
  const tokens = (polled.result as { tokens: { refreshToken: string; accessToken: string } }).tokens;
  const jkt = (await new DpopKeyFile(dir).load())?.thumbprint;
  expect(await idp.introspect(tokens.accessToken)).toMatchObject({ active: true, cnf: { jkt } });
  const refreshed = await client.refresh(tokens.refreshToken);
  expect(refreshed).toMatchObject({ kind: 'tokens', tokens: { tokenType: 'DPoP' } });
  expect(await idp.introspect((refreshed as { tokens: { accessToken: string } }).tokens.accessToken)).toMatchObject({ active: true, cnf: { jkt } });
  // userinfo with the bound token: a resource request's proof (with `ath`) is accepted too.
  expect(await client.identity((refreshed as { tokens: { accessToken: string } }).tokens.accessToken)).toMatchObject({ subject: 'pi' });
  // Discovery told the provider's time before the first proof: no proof was refused, each stamped by
  // the provider's clock (within a few seconds of the real time), none by the device's.
  const proofs = http.log.filter((e) => e.request.headers.dpop !== undefined);
  expect(proofs.map((e) => e.response.status)).toEqual([200, 200, 200]);
  for (const e of proofs) expect(iatSkew(e.request.headers.dpop)).toBeLessThan(10);
  // Said once, with the offset in seconds, and nothing secret.
  const told = logs.filter((l) => l.startsWith('provider_clock_offset '));
  expect(told).toHaveLength(1);
  expect(JSON.parse(told[0]!.slice('provider_clock_offset '.length))).toMatchObject({ origin: idp.issuer, seconds: expect.closeTo(-skewMs / 1000, -1) });
  for (const line of logs) expect(line).not.toContain(tokens.refreshToken);
}

describe('a device clock that is wrong, against the embedded provider', () => {
  it('two days behind (fake-hwclock after a weekend off): pairs with DPoP-bound tokens, refreshes, calls userinfo', async () => {
    await pairAndRefresh(-2 * DAY);
  }, 20_000);

  it('a year ahead: the same', async () => {
    await pairAndRefresh(YEAR);
  }, 20_000);

  it('NTP sets the device clock right while paired: the next proofs neither leap two days ahead nor get refused, and the log says 0', async () => {
    let skew = -2 * DAY;
    const { client, http, logs } = deviceClient(tempDir(), () => skew);
    const code = await client.requestCode();
    if (code.kind !== 'ok') throw new Error(code.kind);
    await idp.approve(code.authorization.userCode, 'pi');
    const polled = await client.poll(code.authorization.deviceCode, 1);
    if (polled.result.kind !== 'tokens' || polled.result.tokens.refreshToken === undefined) throw new Error(polled.result.kind);
    skew = 0; // the clock steps two days forward
    expect(await client.refresh(polled.result.tokens.refreshToken)).toMatchObject({ kind: 'tokens', tokens: { tokenType: 'DPoP' } });
    const proofs = http.log.filter((e) => e.request.headers.dpop !== undefined);
    expect(proofs.map((e) => e.response.status)).toEqual([200, 200]);
    for (const e of proofs) expect(iatSkew(e.request.headers.dpop)).toBeLessThan(10);
    expect(logs.filter((l) => l.startsWith('provider_clock_offset ')).map((l) => JSON.parse(l.slice(22)).seconds)).toEqual([expect.closeTo(172_800, -1), 0]);
  }, 20_000);

  it('the first proof after a boot, with no answer before it (endpoints configured, no discovery): refused once, retried once with the provider’s time', async () => {
    const dir = tempDir();
    // Paired earlier (with the right clock)…
    const { client: before } = deviceClient(dir, 0, { explicit: true });
    const code = await before.requestCode();
    if (code.kind !== 'ok') throw new Error(code.kind);
    await idp.approve(code.authorization.userCode, 'pi');
    const polled = await before.poll(code.authorization.deviceCode, 1);
    if (polled.result.kind !== 'tokens' || polled.result.tokens.refreshToken === undefined) throw new Error(polled.result.kind);
    // …then a boot two days behind: the refresh is its first request to the provider.
    const { client, http, logs } = deviceClient(dir, -2 * DAY, { explicit: true });
    const refreshed = await client.refresh(polled.result.tokens.refreshToken);
    expect(refreshed).toMatchObject({ kind: 'tokens', tokens: { tokenType: 'DPoP' } });
    const [refused, retried, ...more] = http.log;
    expect(more).toEqual([]);
    expect(refused?.response).toMatchObject({ status: 400, body: { value: { error: 'invalid_dpop_proof' } } });
    expect(iatSkew(refused?.request.headers.dpop)).toBeGreaterThan(DAY / 1000);
    expect(retried?.response.status).toBe(200);
    expect(iatSkew(retried?.request.headers.dpop)).toBeLessThan(10);
    expect(logs.filter((l) => l.startsWith('provider_clock_offset '))).toHaveLength(1);
  }, 20_000);
});

describe('a provider whose answers carry no Date (a proxy that drops it), with the device two days behind', () => {
  it('the refused refresh keeps the pairing: "try later" (the proof was refused, not the grant), never a refusal that loses it', async () => {
    const dir = tempDir();
    const { client: before } = deviceClient(dir, 0);
    const code = await before.requestCode();
    if (code.kind !== 'ok') throw new Error(code.kind);
    await idp.approve(code.authorization.userCode, 'pi');
    const polled = await before.poll(code.authorization.deviceCode, 1);
    if (polled.result.kind !== 'tokens' || polled.result.tokens.refreshToken === undefined) throw new Error(polled.result.kind);
    const { client, http } = deviceClient(dir, -2 * DAY, { noDate: true });
    // As before the provider's clock could be learned: one request, its proof refused for its iat…
    expect(await client.refresh(polled.result.tokens.refreshToken)).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: false, reason: expect.stringMatching(/invalid_dpop_proof|iat/) });
    expect(http.log.filter((e) => e.request.url.endsWith('/token')).map((e) => e.response.status)).toEqual([400]);
    // …and the grant is untouched: the refresh token is still good for when the clock is right.
    expect(await idp.introspect(polled.result.tokens.refreshToken)).toMatchObject({ active: true });
  }, 20_000);
});

describe('the retry rule, against loopback servers', () => {
  const refuse = (date: string | undefined) =>
    startRawServer((_req, res) => {
      if (date === undefined) res.sendDate = false;
      res.writeHead(400, { 'content-type': 'application/json', ...(date === undefined ? {} : { date }) });
      res.end(JSON.stringify({ error: 'invalid_dpop_proof', error_description: 'DPoP proof iat is not recent enough' }));
    });
  const pollOnce = async (url: string, skewMs: number) => {
    const key = await new DpopKeyFile(tempDir()).create();
    const http = recordingHttp();
    const result = await pollDeviceToken(http, { tokenEndpoint: `${url}/token` }, { clientId: 'c', authMethod: 'none' }, { deviceCode: 'dc', interval: 5 }, Date.now, {
      key,
      nonces: new DpopNonces(),
      clocks: new ServerClocks(),
      now: () => Date.now() + skewMs,
    });
    return { result, http };
  };

  it('a server that keeps refusing the proof gets one retry with its time, never a second', async () => {
    const server = await refuse(new Date().toUTCString());
    try {
      const { result, http } = await pollOnce(server.url, -2 * DAY);
      expect(http.log).toHaveLength(2);
      expect(iatSkew(http.log[1]?.request.headers.dpop)).toBeLessThan(10);
      // Then "try later" (the grant was not looked at), as for a server that keeps asking for a nonce.
      expect(result).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: false });
    } finally {
      await server.close();
    }
  });

  it('no retry when the Date is absent (as before), absurd, or agrees with the device’s clock (the refusal is about something else)', async () => {
    for (const date of [undefined, 'Thu, 01 Jan 1970 00:00:00 GMT', 'not a date', new Date().toUTCString()]) {
      const server = await refuse(date);
      try {
        const { http } = await pollOnce(server.url, date === undefined || date.startsWith('Thu') || date === 'not a date' ? -2 * DAY : 0);
        expect(http.log, String(date)).toHaveLength(1);
        expect(http.log[0]?.response.headers.date).toBe(date);
      } finally {
        await server.close();
      }
    }
  });
});
