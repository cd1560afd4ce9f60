/**
 * Hostile and broken servers: every misbehaviour gives a typed error (a result for polls and
 * refreshes, a thrown AgentError for the other steps) within the configured timeout.
 */
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, discover, pollDeviceToken, refreshTokens, requestDeviceAuthorization } from '../../src/oauth/index.js';
import type { ClientCredentials } from '../../src/oauth/index.js';
import { refusedUrl, startRawServer } from '../support/provider-servers.js';
import type { RawServer } from '../support/provider-servers.js';

/** Short, so hanging servers cost little; the assertions allow scheduling slack on 2 cores. */
const TIMEOUT_MS = 400;
const SLACK_MS = 1000;
const MAX_BYTES = 64 * 1024;
const http = createHttpClient({ timeoutMs: TIMEOUT_MS, maxResponseBytes: MAX_BYTES });
const client: ClientCredentials = { clientId: 'device', authMethod: 'none' };

let server: RawServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const reply = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): Handler => (req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(status, { 'content-type': type, ...headers }).end(body));
};
const HTML = '<!DOCTYPE html><html><body><h1>Bad Gateway</h1></body></html>';

interface HostileCase {
  name: string;
  handler: Handler;
  kind: 'transient' | 'fatal';
  code: 'ERR_NETWORK' | 'ERR_PROTOCOL' | 'ERR_OAUTH';
  field?: string;
  processed?: boolean;
}

const CASES: HostileCase[] = [
  { name: 'malformed JSON', handler: reply(200, 'application/json', '{"device_code": "abc", '), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'body' },
  { name: 'an HTML page with 200', handler: reply(200, 'text/html', HTML), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'body' },
  { name: 'an HTML 404 page', handler: reply(404, 'text/html', HTML), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'status' },
  { name: 'an HTML 502 page from a proxy', handler: reply(502, 'text/html', HTML), kind: 'transient', code: 'ERR_NETWORK', processed: true },
  { name: 'JSON truncated within its Content-Length', handler: reply(200, 'application/json', '{"access_token":"ab'), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'body' },
  {
    name: 'a body cut short of its Content-Length',
    handler: (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"access_token":"ab');
        setTimeout(() => res.socket?.destroy(), 20);
      });
    },
    kind: 'transient',
    code: 'ERR_NETWORK',
    processed: true,
  },
  { name: 'a gzip body nobody asked for', handler: reply(200, 'application/json', gzipSync('{"a":1}'), { 'content-encoding': 'gzip' }), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'body' },
  { name: 'bytes that are not UTF-8', handler: reply(200, 'application/json', Buffer.from([0x7b, 0xff, 0x7d])), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'body' },
  { name: 'a JSON array', handler: reply(200, 'application/json', '[1,2,3]'), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'body' },
  { name: 'an answer of wrong types', handler: reply(200, 'application/json', '{"access_token":{"a":1},"device_code":7,"token_type":[]}'), kind: 'fatal', code: 'ERR_PROTOCOL' },
  { name: 'an error member that is an object', handler: reply(400, 'application/json', '{"error":{"message":"nope"}}'), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'error' },
  { name: 'a redirect', handler: reply(302, 'text/plain', '', { location: 'http://127.0.0.1:1/elsewhere' }), kind: 'fatal', code: 'ERR_PROTOCOL', field: 'status' },
  { name: '429 with Retry-After', handler: reply(429, 'text/plain', 'slow', { 'retry-after': '7' }), kind: 'transient', code: 'ERR_NETWORK', processed: false },
  { name: 'invalid_client', handler: reply(401, 'application/json', '{"error":"invalid_client"}'), kind: 'fatal', code: 'ERR_OAUTH' },
  {
    name: 'a connection reset after the request arrived',
    handler: (req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    },
    kind: 'transient',
    code: 'ERR_NETWORK',
    processed: true,
  },
  { name: 'a server that never answers', handler: () => {}, kind: 'transient', code: 'ERR_NETWORK', processed: true },
  {
    name: 'headers, then a body that never ends',
    handler: (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"access_token":');
      });
    },
    kind: 'transient',
    code: 'ERR_NETWORK',
    processed: true,
  },
];

describe.each(CASES)('$name', (c) => {
  it(`poll → ${c.kind} ${c.code}, within the timeout`, async () => {
    server = await startRawServer(c.handler);
    const started = Date.now();
    const result = await pollDeviceToken(http, { tokenEndpoint: `${server.url}/token` }, client, { deviceCode: 'dc-secret', interval: 5 });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(result.kind).toBe(c.kind);
    if (result.kind !== 'transient' && result.kind !== 'fatal') throw new Error(result.kind);
    expect(result.error.code).toBe(c.code);
    if (c.field) expect(result.error).toMatchObject({ field: c.field });
    if (c.processed !== undefined) expect(result).toMatchObject({ requestMayHaveBeenProcessed: c.processed });
    expect(JSON.stringify(result) + result.error.message).not.toContain('dc-secret');
  });

  it(`device authorization → throws ${c.code}`, async () => {
    server = await startRawServer(c.handler);
    await expect(requestDeviceAuthorization(http, { deviceAuthorizationEndpoint: `${server.url}/device` }, client)).rejects.toMatchObject({ code: c.code });
  });
});

describe('oversized bodies', () => {
  /** Streams `total` bytes of JSON-ish padding with backpressure; reports how much got out. */
  function flood(total: number, withLength: boolean, sent: { bytes: number }): Handler {
    return (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(total) } : {}) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (sent.bytes < total && !res.destroyed) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    };
  }

  it.each([
    ['streamed without Content-Length', false],
    ['announced by Content-Length', true],
  ])('a 50 MB body %s is cut off at the cap, not downloaded', async (_name, withLength) => {
    const sent = { bytes: 0 };
    server = await startRawServer(flood(50 * 1024 * 1024, withLength, sent));
    const started = Date.now();
    const result = await pollDeviceToken(http, { tokenEndpoint: `${server.url}/token` }, client, { deviceCode: 'dc', interval: 5 });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(result).toMatchObject({ kind: 'fatal', error: { code: 'ERR_PROTOCOL', field: 'body', message: expect.stringContaining(`exceeds ${MAX_BYTES} bytes`) } });
    // Socket buffers hold a few MB at most; the client stopped reading long before 50 MB.
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.bytes).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('transport failures', () => {
  it('connection refused: transient, the request never reached the server', async () => {
    const url = await refusedUrl();
    const result = await refreshTokens(http, { tokenEndpoint: `${url}/token` }, client, 'rt-secret');
    expect(result).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: false, error: { code: 'ERR_NETWORK', reason: 'ECONNREFUSED' } });
  });

  it('a name that does not resolve: transient, never processed', async () => {
    const result = await refreshTokens(http, { tokenEndpoint: 'https://pairing-agent-test.invalid/token' }, client, 'rt-secret');
    expect(result).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: false, error: { code: 'ERR_NETWORK' } });
  });

  it('a refresh whose answer was lost says it may have been processed', async () => {
    server = await startRawServer(() => {});
    const result = await refreshTokens(http, { tokenEndpoint: `${server.url}/token` }, client, 'rt-secret');
    expect(result).toMatchObject({ kind: 'transient', requestMayHaveBeenProcessed: true, error: { reason: 'ETIMEDOUT' } });
    expect(JSON.stringify(result) + (result.kind === 'transient' ? result.error.message : '')).not.toContain('rt-secret');
  });

  it('a server speaking something other than HTTP: transient network error', async () => {
    const tcp = createTcpServer((socket) => socket.resume().end('SSH-2.0-OpenSSH_9.2\r\n'));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
      const result = await pollDeviceToken(http, { tokenEndpoint: `${url}/token` }, client, { deviceCode: 'dc', interval: 5 });
      expect(result).toMatchObject({ kind: 'transient', error: { code: 'ERR_NETWORK' } });
    } finally {
      await new Promise((r) => tcp.close(r));
    }
  });

  it('plain HTTP off loopback is refused before any request', async () => {
    const result = await pollDeviceToken(http, { tokenEndpoint: 'http://idp.example/token' }, client, { deviceCode: 'dc', interval: 5 });
    expect(result).toMatchObject({ kind: 'fatal', error: { code: 'ERR_PROTOCOL', field: 'url', message: expect.stringContaining('https://') } });
  });
});

describe('discovery against broken servers', () => {
  it('a redirect to plain HTTP off loopback is refused', async () => {
    server = await startRawServer(reply(302, 'text/plain', '', { location: 'http://evil.example/.well-known/openid-configuration' }));
    await expect(discover(http, server.url)).rejects.toMatchObject({ code: 'ERR_PROTOCOL', field: 'url' });
  });

  it('a server that never answers gives a NetworkError within the timeout', async () => {
    server = await startRawServer(() => {});
    const started = Date.now();
    await expect(discover(http, server.url)).rejects.toMatchObject({ code: 'ERR_NETWORK' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it('an endless redirect loop stops', async () => {
    server = await startRawServer(reply(307, 'text/plain', '', { location: '/again' }));
    await expect(discover(http, server.url)).rejects.toMatchObject({ code: 'ERR_PROTOCOL', message: expect.stringContaining('redirects') });
  });
});
