/**
 * A fault gate: a loopback HTTP proxy between one agent and the fake identity provider that injects
 * faults on a seeded fraction of the requests it sees, and watches the agent's timing as the server
 * would (issue #9 soak).
 *
 * Faults are decided and answered HERE, before the fake sees the request, so none of them consumes a
 * refresh token or a device code: the fake's state is what it was, exactly as with the fake's own
 * `intercept()` (which answers instead of the fake). The gate is needed besides `intercept()` because
 * two of the faults cannot be a canned answer: a connection reset (the socket destroyed after the
 * request was read) and a hang (no answer until the client's timeout gives up). One gate per agent
 * also tells the agents apart for the timing checks.
 *
 * The one exception is `lost_answer`: forwarded, processed by the fake, then the socket is destroyed
 * instead of relaying the answer. Under strict rotation no client survives that; it is used only in
 * the separately labelled lost-answer run, never in the zero-loss soak.
 *
 * Timing checks (virtual time; it stands still during I/O, so a request and its answer share an instant):
 * - polls: each poll for a device code comes at least `interval` after the previous poll's answer
 *   (or the device authorization), `interval` grown by 5 s on each `slow_down` (RFC 8628 §3.5), and
 *   not before a 429/503 `Retry-After` ran out;
 * - refreshes and device authorizations: not before a `Retry-After` they were given ran out.
 */
import { request as httpRequest, createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind =
  | 'http_500_html'
  | 'http_502_html'
  | 'http_503_retry_after'
  | 'http_429_retry_after'
  | 'garbage_html_200'
  | 'garbage_truncated_json'
  | 'garbage_empty_200'
  | 'reset_before_processing'
  | 'hang_past_timeout'
  | 'slow_down'
  | 'lost_answer';

export type Grant = 'device_authorization' | 'poll' | 'refresh';

export interface FaultPlan {
  /** Chance that one request to the device authorization or token endpoint gets a fault. */
  rate: number;
  /** Relative weights of the faults; `slow_down` applies to polls only, the rest to any grant. */
  weights: Partial<Record<FaultKind, number>>;
  /** Grants faults apply to (default: all three). */
  grants?: readonly Grant[];
}

export const NO_FAULTS: FaultPlan = { rate: 0, weights: {} };

export const FAULT_KINDS: readonly FaultKind[] = [
  'http_500_html',
  'http_502_html',
  'http_503_retry_after',
  'http_429_retry_after',
  'garbage_html_200',
  'garbage_truncated_json',
  'garbage_empty_200',
  'reset_before_processing',
  'hang_past_timeout',
  'slow_down',
  'lost_answer',
];

/** The zero-loss soak's mix: every fault a client can survive; no lost answers. */
export const SURVIVABLE_FAULTS: FaultPlan = {
  rate: 0.2,
  weights: {
    http_500_html: 1,
    http_502_html: 1,
    http_503_retry_after: 1,
    http_429_retry_after: 2,
    garbage_html_200: 1,
    garbage_truncated_json: 1,
    garbage_empty_200: 0.5,
    reset_before_processing: 1.5,
    hang_past_timeout: 0.5,
    slow_down: 1,
  },
};

export interface GateCounters {
  requests: Record<Grant, number>;
  faults: Partial<Record<FaultKind, number>>;
  forwarded: number;
  /** Polls sooner than allowed (interval, slow_down, Retry-After), and the smallest margin seen (ms). */
  earlyPolls: number;
  minPollMarginMs: number | undefined;
  /** Polls checked (for a code the gate saw issued). */
  pollsChecked: number;
  /** Refreshes or device authorizations sent before a Retry-After they were given ran out. */
  earlyRetries: number;
  retryAftersGiven: number;
  /** Forwarded requests whose client hung up before the fake's answer could be relayed (a real lost answer). */
  lostInTransit: number;
}

export interface FaultGate {
  /** `http://127.0.0.1:PORT`: use as the origin of the agent's endpoints. */
  readonly origin: string;
  readonly counters: GateCounters;
  close(): Promise<void>;
}

export interface FaultGateOptions {
  /** The fake provider's origin. */
  target: string;
  paths: { deviceAuthorization: string; token: string };
  plan: FaultPlan;
  /** Seeded randomness for fault decisions. */
  random: () => number;
  /** The virtual clock, for the timing checks. */
  now: () => number;
  /** How long a hang holds the request before dropping it (real ms; must exceed the client timeout). */
  hangMs: number;
}

const HTML = { 'content-type': 'text/html; charset=utf-8' };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function grantOf(path: string, form: URLSearchParams, paths: FaultGateOptions['paths']): Grant | undefined {
  if (path === paths.deviceAuthorization) return 'device_authorization';
  if (path !== paths.token) return undefined;
  const grant = form.get('grant_type');
  if (grant === 'refresh_token') return 'refresh';
  if (grant === 'urn:ietf:params:oauth:grant-type:device_code') return 'poll';
  return undefined;
}

/** All counters at zero. */
export function emptyCounters(): GateCounters {
  return {
    requests: { device_authorization: 0, poll: 0, refresh: 0 },
    faults: {},
    forwarded: 0,
    earlyPolls: 0,
    minPollMarginMs: undefined,
    pollsChecked: 0,
    earlyRetries: 0,
    retryAftersGiven: 0,
    lostInTransit: 0,
  };
}

export async function startFaultGate(o: FaultGateOptions): Promise<FaultGate> {
  const target = new URL(o.target);
  const counters = emptyCounters();
  /** Per device code: the poll interval in force (s) and when the next poll may come (virtual ms). */
  const codes = new Map<string, { interval: number; readyAt: number }>();
  /** Per grant: a Retry-After not yet run out (virtual ms). */
  const notBefore = new Map<Grant, number>();
  const hanging = new Set<ServerResponse>();

  const pickFault = (grant: Grant): FaultKind | undefined => {
    const grants = o.plan.grants ?? ['device_authorization', 'poll', 'refresh'];
    // Always draw, so one request's decision does not depend on the plan's other settings.
    const roll = o.random();
    const which = o.random();
    if (!grants.includes(grant) || roll >= o.plan.rate) return undefined;
    const kinds = (Object.entries(o.plan.weights) as [FaultKind, number][]).filter(([k, w]) => w > 0 && (k !== 'slow_down' || grant === 'poll'));
    const total = kinds.reduce((sum, [, w]) => sum + w, 0);
    let x = which * total;
    for (const [kind, w] of kinds) {
      if ((x -= w) < 0) return kind;
    }
    return undefined;
  };

  /** Records what the agent was told, for the timing checks. */
  const answered = (grant: Grant, deviceCode: string | undefined, status: number, retryAfterS: number | undefined, body: string | undefined, fault: FaultKind | undefined) => {
    const now = o.now();
    const retryMs = retryAfterS === undefined ? 0 : retryAfterS * 1000;
    if (retryAfterS !== undefined) counters.retryAftersGiven++;
    if (grant === 'device_authorization') {
      if (retryAfterS !== undefined) notBefore.set(grant, now + retryMs);
      if (status === 200 && fault === undefined && body !== undefined) {
        const issued = JSON.parse(body) as { device_code: string; interval?: number };
        const interval = issued.interval ?? 5;
        codes.set(issued.device_code, { interval, readyAt: now + interval * 1000 });
      }
      return;
    }
    if (grant === 'refresh') {
      if (retryAfterS !== undefined) notBefore.set(grant, now + retryMs);
      return;
    }
    const code = deviceCode === undefined ? undefined : codes.get(deviceCode);
    if (code === undefined || deviceCode === undefined) return;
    let error: string | undefined;
    try {
      error = fault === undefined && body !== undefined ? (JSON.parse(body) as { error?: string }).error : undefined;
    } catch {
      error = undefined;
    }
    if (fault === 'slow_down') code.interval += 5;
    if (fault === undefined && status === 200) {
      codes.delete(deviceCode); // tokens: the code is spent
      return;
    }
    if (error === 'expired_token' || error === 'access_denied' || error === 'invalid_grant') {
      codes.delete(deviceCode);
      return;
    }
    code.readyAt = now + Math.max(code.interval * 1000, retryMs);
  };

  const checkTiming = (grant: Grant, deviceCode: string | undefined) => {
    const now = o.now();
    if (grant === 'poll') {
      const code = deviceCode === undefined ? undefined : codes.get(deviceCode);
      if (code === undefined) return;
      counters.pollsChecked++;
      const margin = now - code.readyAt;
      counters.minPollMarginMs = Math.min(counters.minPollMarginMs ?? margin, margin);
      if (margin < 0) counters.earlyPolls++;
      return;
    }
    const until = notBefore.get(grant);
    if (until !== undefined) {
      if (now < until) counters.earlyRetries++;
      notBefore.delete(grant);
    }
  };

  const canned = (res: ServerResponse, status: number, headers: Record<string, string>, body: string) => {
    res.writeHead(status, { 'cache-control': 'no-store', ...headers }).end(body);
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...req.headers, host: target.host, connection: 'close' };
      const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
        readBody(res).then((b) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }), reject);
      });
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://gate').pathname;
      const form = new URLSearchParams(body.toString('utf8'));
      const grant = grantOf(path, form, o.paths);
      const deviceCode = grant === 'poll' ? (form.get('device_code') ?? undefined) : undefined;
      if (grant !== undefined) {
        counters.requests[grant]++;
        checkTiming(grant, deviceCode);
      }
      const fault = grant === undefined ? undefined : pickFault(grant);
      if (fault !== undefined) counters.faults[fault] = (counters.faults[fault] ?? 0) + 1;
      const g = grant!; // faults are only picked for known grants
      const retryAfter = () => 1 + Math.floor(o.random() * 60);
      switch (fault) {
        case 'http_500_html':
          answered(g, deviceCode, 500, undefined, undefined, fault);
          return canned(res, 500, HTML, '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>');
        case 'http_502_html':
          answered(g, deviceCode, 502, undefined, undefined, fault);
          return canned(res, 502, HTML, '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
        case 'http_503_retry_after': {
          const s = retryAfter();
          answered(g, deviceCode, 503, s, undefined, fault);
          return canned(res, 503, { ...HTML, 'retry-after': String(s) }, '<html><body><h1>503 Service Unavailable</h1>Maintenance.</body></html>');
        }
        case 'http_429_retry_after': {
          const s = retryAfter();
          answered(g, deviceCode, 429, s, undefined, fault);
          return canned(res, 429, { 'content-type': 'text/plain', 'retry-after': String(s) }, 'Too Many Requests');
        }
        case 'garbage_html_200':
          answered(g, deviceCode, 200, undefined, undefined, fault);
          return canned(res, 200, HTML, '<!doctype html><html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>');
        case 'garbage_truncated_json':
          answered(g, deviceCode, 200, undefined, undefined, fault);
          return canned(res, 200, { 'content-type': 'application/json' }, '{"access_token":"at_cut","token_type":"Bearer","expires_in":30');
        case 'garbage_empty_200':
          answered(g, deviceCode, 200, undefined, undefined, fault);
          return canned(res, 200, { 'content-type': 'application/json' }, '');
        case 'slow_down':
          answered(g, deviceCode, 400, undefined, undefined, fault);
          return canned(res, 400, { 'content-type': 'application/json' }, JSON.stringify({ error: 'slow_down', error_description: 'polling too fast' }));
        case 'reset_before_processing':
          // The request was read in full (so the client counts it as possibly processed), then the
          // connection is cut before anything reached the provider.
          answered(g, deviceCode, 0, undefined, undefined, fault);
          req.socket.destroy();
          return;
        case 'hang_past_timeout':
          // No answer until well after the client gave up; the request never reaches the provider.
          answered(g, deviceCode, 0, undefined, undefined, fault);
          hanging.add(res);
          setTimeout(() => {
            hanging.delete(res);
            req.socket.destroy();
          }, o.hangMs).unref();
          return;
        case 'lost_answer':
        case undefined: {
          counters.forwarded++;
          let clientGone = false;
          res.on('close', () => {
            if (!res.writableFinished) clientGone = true;
          });
          const answer = await forward(req, body);
          const text = answer.body.toString('utf8');
          const ra = answer.headers['retry-after'];
          if (grant !== undefined) answered(grant, deviceCode, answer.status, ra === undefined ? undefined : Number(ra), text, fault);
          if (fault === 'lost_answer') {
            req.socket.destroy();
            return;
          }
          if (clientGone || res.destroyed) {
            counters.lostInTransit++;
            return;
          }
          const { connection: _c, 'transfer-encoding': _t, 'content-length': _l, ...headers } = answer.headers;
          res.writeHead(answer.status, headers as OutgoingHttpHeaders).end(answer.body);
          return;
        }
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' }).end(`gate: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    counters,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
