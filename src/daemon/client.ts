/**
 * Talks to a running daemon over its Unix socket (the CLI's preferred path: one writer, issue #4).
 */
import { request } from 'node:http';

export interface ApiReply {
  status: number;
  body: Buffer;
  json(): unknown;
}

/** undefined when no daemon listens there (no socket, or a stale one). `body` is sent as JSON. */
export function callDaemon(socketPath: string, method: 'GET' | 'POST', path: string, timeoutMs: number, body?: unknown): Promise<ApiReply | undefined> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length };
    const req = request({ socketPath, method, path, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body.toString('utf8')) as unknown });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`the daemon did not answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else reject(error);
    });
    req.end(payload);
  });
}
