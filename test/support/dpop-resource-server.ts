/**
 * A loopback resource server that accepts only DPoP-bound access tokens presented with a valid proof
 * (RFC 9449 §7): what an app's API behind the provider does. The proof is checked with jose; the token
 * is checked by asking the provider's introspection endpoint (RFC 7662), whose `cnf.jkt` must equal the
 * proof key's thumbprint (RFC 9449 §6.2). Stands in for a real API such as Keycloak-protected services.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify } from 'jose';

/** RFC 9449 §11.1: how far a proof's `iat` may be from the server's clock. */
const IAT_WINDOW_S = 60;

export interface ResourceServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Why each refused request was refused, in order. */
  readonly refusals: string[];
  close(): Promise<void>;
}

export interface ResourceServerOptions {
  /** The provider's introspection (RFC 7662), as `EmbeddedIdp.introspect`. */
  introspect(token: string): Promise<{ active: boolean; cnf?: { jkt?: string } }>;
  /** Demand a server nonce (RFC 9449 §9): proofs without this value get `use_dpop_nonce`. */
  nonce?: string;
}

function refuse(res: ServerResponse, refusals: string[], error: string, description: string, nonce?: string): void {
  refusals.push(description);
  res.writeHead(401, {
    'www-authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256"`,
    ...(nonce === undefined ? {} : { 'dpop-nonce': nonce }),
    'content-type': 'application/json',
  });
  res.end(JSON.stringify({ error }));
}

export async function startResourceServer(options: ResourceServerOptions): Promise<ResourceServer> {
  const refusals: string[] = [];
  const seenJti = new Set<string>();
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const authorization = req.headers.authorization ?? '';
    const proof = req.headers.dpop;
    const match = /^DPoP ([\x21-\x7e]+)$/.exec(authorization);
    if (match === null) return refuse(res, refusals, 'invalid_token', 'no DPoP access token');
    const token = match[1] ?? '';
    if (typeof proof !== 'string') return refuse(res, refusals, 'invalid_dpop_proof', 'no DPoP proof');
    let payload: Record<string, unknown>;
    let jwk: Parameters<typeof calculateJwkThumbprint>[0];
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk as typeof jwk;
    } catch (error) {
      return refuse(res, refusals, 'invalid_dpop_proof', `bad signature or header: ${(error as Error).message}`);
    }
    const htu = new URL(req.url ?? '/', origin);
    htu.search = '';
    if (payload.htm !== req.method) return refuse(res, refusals, 'invalid_dpop_proof', 'htm mismatch');
    if (payload.htu !== htu.href) return refuse(res, refusals, 'invalid_dpop_proof', `htu mismatch: ${String(payload.htu)}`);
    if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > IAT_WINDOW_S) return refuse(res, refusals, 'invalid_dpop_proof', 'iat out of window');
    if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return refuse(res, refusals, 'invalid_dpop_proof', 'jti missing or replayed');
    if (payload.ath !== createHash('sha256').update(token).digest('base64url')) return refuse(res, refusals, 'invalid_dpop_proof', 'ath mismatch');
    if (options.nonce !== undefined && payload.nonce !== options.nonce) return refuse(res, refusals, 'use_dpop_nonce', 'nonce required', options.nonce);
    seenJti.add(payload.jti);
    const introspection = await options.introspect(token);
    if (!introspection.active) return refuse(res, refusals, 'invalid_token', 'token not active');
    if (introspection.cnf?.jkt !== (await calculateJwkThumbprint(jwk))) return refuse(res, refusals, 'invalid_token', 'token not bound to the proof key');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, path: htu.pathname }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
