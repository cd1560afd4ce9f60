/**
 * Talks to a running daemon over its Unix socket (the CLI's preferred path: one writer, issue #4).
 *
 * One HTTP/1.0 request written on a plain `node:net` socket, not `node:http`: the commands that only
 * ask the daemon start on a Pi's budget, where loading the HTTP client (its agent, parser and, for the
 * server name, the IPv6 address regex) cost a tenth of bare node's start-up (issue #18). HTTP/1.0
 * makes the daemon's `node:http` server answer without chunking and close the connection: the reply
 * is everything up to the end of the stream.
 */
import { statSync } from 'node:fs';
import { AgentError } from '../errors.js';

export interface ApiReply {
  status: number;
  body: Buffer;
  json(): unknown;
}

/** undefined when no daemon listens there (no socket, or a stale one). `body` is sent as JSON. */
export async function callDaemon(socketPath: string, method: 'GET' | 'POST', path: string, timeoutMs: number, body?: unknown): Promise<ApiReply | undefined> {
  // No socket file, no daemon: said without node:net, whose load (with the streams under it) was a few
  // per cent of `status`'s start-up on a Pi's budget when no daemon runs (issue #18). Anything else
  // (EACCES, a stale socket) is for connect to tell.
  let present = true;
  try {
    present = statSync(socketPath, { throwIfNoEntry: false }) !== undefined;
  } catch {
    // EACCES and the like: connect says what it is.
  }
  if (!present) return undefined;
  const { createConnection } = await import('node:net');
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers = payload === '' ? 'Content-Length: 0' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}`;
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`the daemon did not answer within ${timeoutMs} ms`)));
    // write, not end: node's server drops a request whose client half-closes (httpAllowHalfOpen).
    socket.on('connect', () => socket.write(`${method} ${path} HTTP/1.0\r\nHost: localhost\r\n${headers}\r\n\r\n${payload}`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      try {
        resolve(parseReply(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else if (error.code === 'EACCES') {
        // Issue #13: one line saying what to do, not a stack trace.
        reject(new AgentError('ERR_DAEMON', `cannot reach the pairing-agent daemon at ${socketPath} (permission denied): run this as the agent's user or root (e.g. sudo -u pairing-agent pairing-agent …)`));
      } else reject(error);
    });
  });
}

/** Status line, headers, body (RFC 9112 §2.1); the body ends at Content-Length or at the close. */
export function parseReply(raw: Buffer): ApiReply {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, headEnd === -1 ? raw.length : headEnd).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (headEnd === -1 || status === null) throw new Error('the daemon sent a garbled answer');
  let body = raw.subarray(headEnd + 4);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length !== null) {
    if (body.length < Number(length[1])) throw new Error('the daemon closed the connection mid-answer');
    body = body.subarray(0, Number(length[1]));
  }
  return { status: Number(status[1]), body, json: () => JSON.parse(body.toString('utf8')) as unknown };
}
