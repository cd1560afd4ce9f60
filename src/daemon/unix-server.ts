/**
 * An HTTP server on a Unix socket that nobody else on the device can redirect or starve (issue #13).
 *
 * - The socket gets its mode at bind time (through the umask), not from a chmod by path afterwards,
 *   which would follow a link swapped in between. Only a socket is ever replaced: a file of any other
 *   kind at the path is refused, and a socket another live process answers on is left alone.
 * - A misbehaving app cannot hold the others off: at most MAX_CONNECTIONS at once, the oldest idle
 *   one making room for a new one; headers must arrive within HEADERS_TIMEOUT_MS; an idle keep-alive
 *   connection is closed after IDLE_TIMEOUT_MS. A request being answered (a `GET /token` waiting for
 *   a refresh) is never cut.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { AgentError } from '../errors.js';

/**
 * Connections served at once. A device runs a handful of apps; each fd and buffer costs memory on a
 * 512 MB Pi (3,000 idle connections grew the daemon by 33 MB; 1,100 exhausted its descriptors).
 */
export const MAX_CONNECTIONS = 64;
/** A local client sends its few header bytes at once; a slow one is a stuck or hostile one. */
export const HEADERS_TIMEOUT_MS = 5_000;
/** How long a finished keep-alive connection may sit idle. */
export const IDLE_TIMEOUT_MS = 5_000;
/** How often Node checks the header timeout (its default, 30 s, would let a slow client sit 35 s). */
const CHECK_INTERVAL_MS = 1_000;

/** Whether a live process accepts connections on the socket at `path` (a live holder) or not (a leftover). */
export function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Removes a dead daemon's socket at `path`; refuses anything else there. */
async function clearPath(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AgentError('ERR_SOCKET', `cannot use ${path} for a socket (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!stat.isSocket()) {
    throw new AgentError('ERR_SOCKET', `${path} exists and is not a socket: remove it, or set socket_path to another path`);
  }
  if (await answers(path)) {
    throw new AgentError('ERR_SOCKET', `${path}: another process already serves on this socket (another pairing-agent?): stop it, or set socket_path to another path`);
  }
  unlinkSync(path); // unlink(2) removes a link itself, never its target
}

/** Caps connections: a new one evicts the oldest idle one, or is dropped when all are busy. */
function limitConnections(server: Server, max: number): void {
  const open = new Map<Socket, { busy: number }>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      const idle = [...open].find(([, s]) => s.busy === 0)?.[0];
      if (idle === undefined) {
        socket.destroy();
        return;
      }
      idle.destroy();
      open.delete(idle);
    }
    open.set(socket, { busy: 0 });
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req, res) => {
    const entry = open.get(req.socket);
    if (entry === undefined) return;
    entry.busy++;
    res.once('close', () => entry.busy--);
  });
}

/**
 * Serves `handler` on a Unix socket at `path` with `mode` (0600 or 0660).
 * @throws AgentError ERR_SOCKET, one line, when the path cannot be used
 */
export async function listenUnix(path: string, mode: number, handler: RequestListener): Promise<Server> {
  await clearPath(path);
  // node:http on first use (process.getBuiltinModule), not imported: the commands without a daemon
  // (`token`, `logout`…) load the daemon's bundle, which sets up the API module and this one as it loads,
  // and they never serve HTTP (issue #18).
  const server = process.getBuiltinModule('node:http').createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: HEADERS_TIMEOUT_MS * 2, keepAliveTimeout: IDLE_TIMEOUT_MS, connectionsCheckingInterval: CHECK_INTERVAL_MS }, handler);
  limitConnections(server, MAX_CONNECTIONS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new AgentError('ERR_SOCKET', `cannot listen on ${path} (${error.code ?? error.message}): check that its directory exists and is writable by the agent's user`)),
    );
    // bind(2) runs synchronously inside listen(): the umask gives the socket its mode from the start.
    const umask = process.umask(0o777 & ~mode);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(umask);
    }
  });
  const stat = lstatSync(path);
  if (!stat.isSocket() || (stat.mode & 0o777) !== mode) {
    server.close();
    throw new AgentError('ERR_SOCKET', `${path}: the socket was replaced or has mode ${(stat.mode & 0o777).toString(8)} instead of ${mode.toString(8)}`);
  }
  return server;
}

export async function closeServer(server: Server, path: string): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
