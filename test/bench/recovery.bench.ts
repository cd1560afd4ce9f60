/**
 * Recovery after an identity-provider outage (issue #12 item 5), in real time: a paired agent whose
 * access token expires as the outage starts, an app asking for a token once a second through the
 * token API, and a 6 s outage of the token endpoint in one of eight shapes. Figures: requests that
 * reached the provider during the outage (goal: at most 4), and how long after the provider's return
 * the app first got a working token (goal: 5 s; hung requests: the HTTP timeout + 5 s).
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { Agent } from '../../src/agent/agent.js';
import { systemClock } from '../../src/agent/clock.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { memoryStore } from '../../dev/agent/memory-store.js';
import { validateConfig } from '../../src/config/index.js';
import { tokenReply } from '../../src/daemon/api.js';
import { agentWaitMs } from '../../src/daemon/waits.js';
import type { State } from '../../src/pairing/state.js';
import { PROFILES, startProviderServer, type FakeProvider } from '../support/provider-servers.js';
import { printTable, type FigureRow } from '../support/markdown-table.js';

const OUTAGE_MS = 6_000;
/** Short, so a hung request costs little; the goal for hangs is this + 5 s. */
const HTTP_TIMEOUT_MS = 2_000;
const APP_EVERY_MS = 1_000;

type Fault = '500' | '503' | '429 Retry-After: 2' | 'garbage JSON' | 'HTML 200' | 'connection reset' | '64 MB body' | 'hung request';
const FAULTS: Fault[] = ['500', '503', '429 Retry-After: 2', 'garbage JSON', 'HTML 200', 'connection reset', '64 MB body', 'hung request'];

/** A loopback proxy in front of the fake provider that answers every token request with `fault` while it is set. */
async function outageProxy(target: string, tokenPath: string) {
  let fault: Fault | undefined;
  let faulted = 0;
  const answer = (fault: Fault, req: IncomingMessage, res: ServerResponse): void => {
    const html = { 'content-type': 'text/html' };
    switch (fault) {
      case '500': return void res.writeHead(500, html).end('<h1>Internal Server Error</h1>');
      case '503': return void res.writeHead(503, html).end('<h1>Service Unavailable</h1>');
      case '429 Retry-After: 2': return void res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '2' }).end('slow down');
      case 'garbage JSON': return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token": "at", "tok');
      case 'HTML 200': return void res.writeHead(200, html).end('<html>Sign in to the Wi-Fi</html>');
      case 'connection reset': return void req.socket.destroy();
      case '64 MB body': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < 1024 && res.write(chunk)) sent++;
          if (sent < 1024) res.once('drain', pump);
          else res.end();
        };
        res.on('error', () => {});
        return pump();
      }
      case 'hung request': return; // never answers: the client's timeout ends it
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault !== undefined && req.url === tokenPath) {
        faulted++;
        return answer(fault, req, res);
      }
      const out = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (f: Fault | undefined) => {
      fault = f;
      faulted = 0;
    },
    faulted: () => faulted,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let idp: FakeProvider;
beforeAll(async () => {
  idp = await startProviderServer({ ...PROFILES.rfc8628, accessTokenLifetime: 3600 });
});
afterAll(async () => {
  await idp.close();
});

async function pairedTokens(): Promise<{ access_token: string; refresh_token: string }> {
  const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  const clientId = idp.profile.client.clientId;
  const da = (await (await fetch(idp.endpoints.deviceAuthorizationEndpoint, form({ client_id: clientId }))).json()) as { device_code: string; user_code: string };
  idp.approve(da.user_code);
  const t = await fetch(idp.endpoints.tokenEndpoint, form({ client_id: clientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.device_code }));
  return (await t.json()) as { access_token: string; refresh_token: string };
}

/** One outage: returns requests during it and ms from the provider's return to the app's first working token. */
async function outage(fault: Fault): Promise<{ requests: number; recoveryMs: number }> {
  const proxy = await outageProxy(idp.origin, idp.profile.paths.token);
  const dir = mkdtempSync(join(tmpdir(), 'pa-recovery-'));
  const config = validateConfig({
    file: {
      device_authorization_endpoint: `${proxy.origin}${idp.profile.paths.deviceAuthorization}`,
      token_endpoint: `${proxy.origin}${idp.profile.paths.token}`,
      client_id: idp.profile.client.clientId,
      http_timeout_ms: HTTP_TIMEOUT_MS,
      hal: 'sim',
      state_dir: dir,
    },
    path: join(dir, 'c.json'),
    env: {},
  });
  const t = await pairedTokens();
  const clock = systemClock();
  const now = clock.now();
  // The scheduled refresh falls into the outage, and the token expires a second into it.
  const paired: State = {
    name: 'paired',
    tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: now - 3_599_000, accessExpiresAt: now + 1000, refreshToken: t.refresh_token },
    identity: {},
    failures: 0,
    refreshAt: now + 200,
  };
  const agent = new Agent({ store: memoryStore(paired), idp: createIdpClient(config, { log: () => {} }), hal: createSimHal(config), clock, log: () => {}, autoPair: false });
  proxy.set(fault);
  await agent.start();
  const healAt = Date.now() + OUTAGE_MS;
  let requests = -1;
  const healer = setTimeout(() => {
    requests = proxy.faulted();
    proxy.set(undefined);
  }, OUTAGE_MS);
  let recoveryMs = Number.POSITIVE_INFINITY;
  try {
    // The app: one ask a second (the next one a second after the previous answer at the latest).
    while (Date.now() < healAt + 30_000) {
      const asked = Date.now();
      const reply = await tokenReply({ agent, clock, refreshWaitMs: agentWaitMs(config) });
      const body = reply.body as { access_token?: string };
      if (reply.status === 200 && body.access_token !== t.access_token && Date.now() >= healAt) {
        recoveryMs = Date.now() - healAt;
        break;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, APP_EVERY_MS - (Date.now() - asked))));
    }
  } finally {
    clearTimeout(healer);
    await agent.stop();
    await proxy.close();
  }
  return { requests, recoveryMs };
}

const rows: FigureRow[] = [];

it.each(FAULTS)('a 6 s outage (%s): bounded requests, fast recovery', async (fault) => {
  const { requests, recoveryMs } = await outage(fault);
  const goalMs = fault === 'hung request' ? HTTP_TIMEOUT_MS + 5_000 : 5_000;
  rows.push({ figure: `${fault}: requests during the 6 s outage`, value: requests, baseline: 4 });
  rows.push({ figure: `${fault}: s from the provider's return to a working token`, value: Math.round(recoveryMs / 100) / 10, baseline: goalMs / 1000 });
  expect(requests).toBeLessThanOrEqual(4);
  expect(recoveryMs).toBeLessThanOrEqual(goalMs);
}, 60_000);

afterAll(() => {
  printTable('Recovery after a 6 s outage (issue #12)', 'baseline: the goals: 4 requests, 5 s (hung requests: the 2 s HTTP timeout + 5 s)', rows);
});
