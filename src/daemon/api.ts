/**
 * The daemon's local HTTP API on Unix sockets (issue #7). No TCP listener.
 * - the token socket (0660, for the device's apps): `GET /token`, `GET /status` (with `?wait=STATE`
 *   and `timeout_ms=N`: answered once the agent is in STATE, or after N ms — `pairing-agent wait`),
 *   `POST /dpop-proof` (a DPoP proof for the current access token, issue #19);
 * - the control socket (0600 in the state directory, for `pairing-agent` commands): also
 *   `POST /press`, `POST /long-press`, `POST /logout`, `GET /screen.png` (simulated device), `GET /screen` (the
 *   text on the panel's current page, issue #16).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Agent } from '../agent/agent.js';
import type { Logger } from '../log-events.js';
import type { Clock } from '../agent/clock.js';
import type { State } from '../pairing/state.js';
import { isStateName, statusOf, type Status } from './status.js';
import { decideToken, type TokenAsk } from '../agent/decide-token.js';
import { tokenHttp } from './token-policy.js';
import type { DpopKey } from '../oauth/dpop.js';
import { proofReply, readJsonBody } from './dpop-proof.js';
import { closeServer, listenUnix } from './unix-server.js';

export interface ApiOptions {
  agent: Agent;
  clock: Clock;
  log: Logger;
  /** How long `GET /token` waits for a refresh before answering 503. */
  refreshWaitMs: number;
  /** How long `POST /logout` waits for the revocation (two requests) and the wipe before answering 504. */
  logoutWaitMs: number;
  /** The simulated panel as PNG, when the HAL is simulated. */
  screenPng?: () => Buffer;
  /** Presses the simulated button; undefined when there is none. */
  press?: (long: boolean) => void;
  /** The pairing's DPoP key (issue #19), for `POST /dpop-proof`; never sent anywhere. */
  dpopKey?: () => Promise<DpopKey | undefined>;
  /** Ms for a proof's `iat` (the server's clock, where known: issue #19). @default the agent's clock */
  proofTime?: (htu: string) => number;
  /** The token socket's path, for `GET /status` (issue #13); set once it is known. */
  socket?: string;
}

type Reply = { status: number; body: unknown; type?: string; allow?: string };

/**
 * The methods each path answers, and whether only the control socket serves it: a known path asked
 * with another method gets 405 and `Allow` (RFC 9110 §15.5.6; issue #15: `POST /token`).
 */
const METHODS: Record<string, { allow: string; controlOnly: boolean }> = {
  '/status': { allow: 'GET', controlOnly: false },
  '/token': { allow: 'GET', controlOnly: false },
  '/dpop-proof': { allow: 'POST', controlOnly: false },
  '/press': { allow: 'POST', controlOnly: true },
  '/long-press': { allow: 'POST', controlOnly: true },
  '/logout': { allow: 'POST', controlOnly: true },
  '/screen.png': { allow: 'GET', controlOnly: true },
};

const json = (status: number, body: unknown): Reply => ({ status, body });

/**
 * The longest a `GET /status?wait=` is held open (issue #17). A caller waiting longer asks again; the
 * bound keeps a forgotten client from holding a connection for ever.
 */
export const STATUS_WAIT_MAX_MS = 60_000;

/** `GET /status`, or with `wait=STATE&timeout_ms=N` the status once the agent is in STATE (or after N ms). */
async function statusReply(url: URL, o: ApiOptions): Promise<Reply> {
  const { agent } = o;
  const wait = url.searchParams.get('wait');
  if (wait === null) return json(200, liveStatus(agent.state, o));
  const timeoutMs = Number(url.searchParams.get('timeout_ms') ?? STATUS_WAIT_MAX_MS);
  if (!isStateName(wait) || !Number.isSafeInteger(timeoutMs) || timeoutMs < 0) return json(400, { error: 'invalid_request' });
  // The state that matched, not whatever came after it by the time this line runs.
  const reached = await agent.waitFor((s) => s.name === wait, Math.min(timeoutMs, STATUS_WAIT_MAX_MS));
  return json(200, liveStatus(reached ?? agent.state, o));
}

/** The status as the running daemon tells it: with the token socket it serves (issue #13). */
const liveStatus = (state: State, o: ApiOptions): Status => ({ ...statusOf(state, true, o.agent.readOnlyStateDir), ...(o.socket === undefined ? {} : { socket: o.socket }) });

/** `GET /token`'s answer: the decision (a refresh first when one is due) as HTTP. */
export async function tokenReply(o: TokenAsk): Promise<Reply> {
  return tokenHttp(await decideToken(o));
}

async function route(req: IncomingMessage, control: boolean, o: ApiOptions): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://agent');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const known = Object.hasOwn(METHODS, path) ? METHODS[path] : undefined;
  if (known !== undefined && (control || !known.controlOnly) && method !== known.allow) {
    return { status: 405, body: { error: 'method_not_allowed' }, allow: known.allow };
  }
  if (method === 'GET' && path === '/status') return statusReply(url, o);
  if (method === 'GET' && path === '/token') return tokenReply(o);
  if (method === 'POST' && path === '/dpop-proof') {
    return proofReply(await readJsonBody(req), { token: () => tokenReply(o), key: o.dpopKey ?? (async () => undefined), now: o.proofTime ?? (() => o.clock.now()) });
  }
  if (!control) return json(404, { error: 'not_found' });
  if (method === 'POST' && (path === '/press' || path === '/long-press')) {
    if (o.press === undefined) return json(409, { error: 'no_simulated_button' });
    o.press(path === '/long-press');
    return json(202, { state: o.agent.state.name });
  }
  if (method === 'POST' && path === '/logout') {
    // The state machine decides which states a logout applies to (issue #14).
    await o.agent.dispatch({ type: 'logout' });
    const done = await o.agent.waitFor((s) => s.name !== 'unpairing', o.logoutWaitMs);
    return json(done === undefined ? 504 : 200, liveStatus(o.agent.state, o));
  }
  if (method === 'GET' && path === '/screen') {
    const shown = o.agent.shown;
    return shown === undefined ? json(503, { error: 'no_frame_yet' }) : json(200, shown);
  }
  if (method === 'GET' && path === '/screen.png') {
    if (o.screenPng === undefined) return json(409, { error: 'no_simulated_display' });
    return { status: 200, body: o.screenPng(), type: 'image/png' };
  }
  return json(404, { error: 'not_found' });
}

function handler(control: boolean, o: ApiOptions) {
  return (req: IncomingMessage, res: ServerResponse) => {
    route(req, control, o).then(
      (reply) => {
        const body = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(`${JSON.stringify(reply.body)}\n`);
        res.writeHead(reply.status, {
          'content-type': reply.type ?? 'application/json',
          'content-length': body.length,
          'cache-control': 'no-store',
          ...(reply.allow === undefined ? {} : { allow: reply.allow }),
        });
        res.end(body);
      },
      (error: unknown) => {
        o.log('api_failed', { path: req.url, error: (error as Error).message });
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"server_error"}\n');
      },
    );
  };
}

/** Serves the API on a Unix socket (`unix-server.ts`: mode at bind time, connection limits). */
export function listenApi(path: string, mode: number, control: boolean, o: ApiOptions): Promise<Server> {
  return listenUnix(path, mode, handler(control, o));
}

export { closeServer };
