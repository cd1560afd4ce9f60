/**
 * Heap figures for the soak (issue #9): the heap after a full collection, and what the fake provider itself
 * keeps per rotation, so a soak's heap growth can be split into the fake's share and the agents'.
 */
import { request as httpRequest } from 'node:http';
import { startProviderServer } from '../support/provider-servers.js';
import { createGrants, soakProfile } from './provider.js';

/** Heap in use after a full collection (when `--expose-gc` gave us `gc`), in bytes. */
export function settledHeap(): { bytes: number; collected: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return { bytes: process.memoryUsage().heapUsed, collected: gc !== undefined };
}

/**
 * What the fake provider itself keeps per rotation, in bytes (it forgets no token: every rotated
 * refresh token and every access token stays in its tables), so a soak's heap growth can be split
 * into the fake's share and the rest: `n` rotations of one grant straight against a fresh fake.
 */
export async function fakeBytesPerRotation(n: number): Promise<number> {
  const idp = await startProviderServer(soakProfile());
  try {
    idp.intercept(() => {
      idp.requests.length = 0; // as observe() does
      return undefined;
    });
    const { token } = idp.profile.paths;
    const clientId = idp.profile.client.clientId;
    let [rt] = await createGrants(idp, 1);
    const url = new URL(`${idp.origin}${token}`);
    const post = (form: Record<string, string>) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>));
        });
        req.on('error', reject);
        req.end(new URLSearchParams(form).toString());
      });
    const rotate = async (times: number) => {
      for (let i = 0; i < times; i++) {
        rt = (await post({ grant_type: 'refresh_token', refresh_token: rt!, client_id: clientId })).refresh_token;
      }
    };
    await rotate(100); // warm up sockets, JIT and fetch's pools
    const before = settledHeap().bytes;
    await rotate(n);
    const after = settledHeap().bytes;
    return (after - before) / n;
  } finally {
    await idp.close();
  }
}
