/**
 * The built daemon with DPoP on a device whose clock is wrong (issue #19, "a Pi booting with a wrong
 * clock"): libfaketime moves its wall clock (FAKETIME, the monotonic clock untouched) two days back, as
 * fake-hwclock leaves a Pi after a weekend off without NTP, or a year ahead. The embedded provider
 * (oidc-provider, in this process, on the real clock) refuses a proof whose `iat` is more than 300 s
 * off its own clock (RFC 9449 §11.1); the daemon stamps `iat` by the provider's clock from the `Date`
 * of its answers, pairs, refreshes, and hands apps proofs their API accepts.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/daemon/client.js';
import type { Status } from '../../src/daemon/status.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { startResourceServer, type ResourceServer } from '../support/dpop-resource-server.js';
import { eventually, pairBySimPress, simConfig, startDaemon, stopDaemon } from '../support/cli.js';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
let idp: EmbeddedIdp;
let api: ResourceServer;

describe.skipIf(!existsSync(FAKETIME))('the built daemon with dpop: true under libfaketime (issue #19)', () => {
  beforeAll(async () => {
    // 12 s access tokens: a refresh soon after the pairing (never sooner than 10 s after it, issue #12).
    idp = await startEmbeddedIdp({ ttl: { accessToken: 12 }, interval: 1 });
    // An app's API, which refuses a proof whose `iat` is more than 60 s off its clock.
    api = await startResourceServer({ introspect: (t) => idp.introspect(t) });
  });
  afterAll(async () => {
    await api?.close();
    await idp?.close();
  });

  for (const [skew, days] of [['-2d', -2], ['+365d', 365]] as const) {
    it(`its clock ${skew}: pairs with DPoP-bound tokens and refreshes with them; an app's API accepts its proofs; the offset is logged once`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pa-dpop-clock-'));
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify(simConfig(idp, dir, { dpop: true, http_timeout_ms: 5000 })));
      const status = async (): Promise<Status | undefined> => {
        const reply = await callDaemon(join(dir, 'state', 'control.sock'), 'GET', '/status', 3000).catch(() => undefined);
        return reply?.status === 200 ? (reply.json() as Status) : undefined;
      };
      const daemon = await startDaemon(config, { LD_PRELOAD: FAKETIME, FAKETIME: skew, FAKETIME_DONT_FAKE_MONOTONIC: '1' });
      try {
        await pairBySimPress(config, status, (code) => idp.approve(code, 'pi'), 20_000);
        const token = async () => (await callDaemon(join(dir, 'agent.sock'), 'GET', '/token', 15_000))?.json() as { access_token: string; token_type: string };
        const first = await token();
        expect(first.token_type).toBe('DPoP');
        const bound = await idp.introspect(first.access_token);
        expect(bound).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: expect.any(String) } });

        // The refresh, with a proof from the same key: a new access token, still bound.
        await eventually(async () => (/event=refreshed/.test(daemon.log()) ? true : undefined), 40_000, 'a refresh');
        const second = await token();
        expect(second.access_token).not.toBe(first.access_token);
        expect(await idp.introspect(second.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: bound.cnf });

        // Said once per provider, in seconds (the provider is ahead when the device is behind).
        const told = daemon.log().match(/event=provider_clock_offset[^\n]*/g) ?? [];
        expect(told).toHaveLength(1);
        const seconds = Number(/seconds=(-?\d+)/.exec(told[0] ?? '')?.[1]);
        expect(Math.abs(seconds + days * 86_400)).toBeLessThan(30);
        expect(daemon.log()).not.toContain(second.access_token);
        expect(daemon.log()).not.toMatch(/invalid_dpop_proof/);

        // An app calls its API (a server the daemon never talked to) with a proof from POST /dpop-proof:
        // stamped by the provider's clock, the best guess of the time the daemon has, and accepted.
        const url = `${api.url}/photos`;
        const reply = (await callDaemon(join(dir, 'agent.sock'), 'POST', '/dpop-proof', 15_000, { htm: 'GET', htu: url }))?.json() as { dpop: string; access_token: string };
        const called = await fetch(url, { headers: { authorization: `DPoP ${reply.access_token}`, dpop: reply.dpop } });
        expect({ status: called.status, refusals: api.refusals }).toEqual({ status: 200, refusals: [] });

      } finally {
        await stopDaemon(daemon);
      }
    }, 90_000);
  }
});
