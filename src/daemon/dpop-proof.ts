/**
 * `POST /dpop-proof` (issue #19): apps on the device present the agent's DPoP-bound access token to
 * their APIs, but never hold the key. They send `{ "htm": "GET", "htu": "https://api.example/x" }`
 * (and a resource server's `nonce`, when it asked for one: RFC 9449 §9) and get a proof signed by the
 * agent's key, its `ath` bound to the access token returned beside it (RFC 9449 §7).
 */
import type { IncomingMessage } from 'node:http';
import { endpointUrlProblem } from '../net/url-policy.js';
import { createDpopProof } from '../oauth/dpop.js';
import type { DpopKey } from '../oauth/dpop.js';

/** A request body is a few hundred bytes; more is not a proof request. */
export const MAX_PROOF_REQUEST_BYTES = 8 * 1024;
/** RFC 9110 §9.1: a method is a token; no real method is longer. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
/** RFC 9449 §8.1: `nonce = 1*NQCHAR`. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$/;
const MAX_URL = 4096;

type Reply = { status: number; body: unknown };

export interface ProofRequest {
  htm: string;
  htu: string;
  nonce?: string;
}

/** The request's fields, or the one-line reason it is not a proof request. Pure. */
export function parseProofRequest(input: unknown): ProofRequest | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the body must be a JSON object like {"htm":"GET","htu":"https://api.example/x"}';
  const { htm, htu, nonce, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `unknown member ${JSON.stringify(unknown[0])} (known: htm, htu, nonce)`;
  if (typeof htm !== 'string' || !METHOD.test(htm)) return '"htm" must be the HTTP method of the request, e.g. "GET"';
  if (typeof htu !== 'string' || htu.length > MAX_URL) return '"htu" must be the URL of the request';
  // The same rule as for the provider: a proof for plain HTTP only to loopback (RFC 9449 §11.1 assumes TLS).
  const problem = endpointUrlProblem(htu);
  if (problem !== undefined) return `"htu" ${problem}`;
  if (nonce !== undefined && (typeof nonce !== 'string' || !NONCE.test(nonce))) return '"nonce" must be the DPoP-Nonce the resource server sent';
  return { htm, htu, ...(nonce === undefined ? {} : { nonce }) };
}

/** Reads a small JSON body; undefined when it is too large or not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_PROOF_REQUEST_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export interface ProofReplyOptions {
  /** The token API's answer (refreshing first if the token is about to expire). */
  token: () => Promise<Reply>;
  /** The pairing's key, undefined when it has none. */
  key: () => Promise<DpopKey | undefined>;
  /** Ms for the `iat` of a proof for `htu`: by that server's clock where the agent knows it (issue #19). */
  now: (htu: string) => number;
}

/**
 * The proof and the access token it is bound to, or why there is none: 400 for a bad request, the
 * token API's own answer when there is no valid token, 409 when the pairing is not a DPoP one.
 */
export async function proofReply(body: unknown, o: ProofReplyOptions): Promise<Reply> {
  const request = parseProofRequest(body);
  if (typeof request === 'string') return { status: 400, body: { error: 'invalid_request', reason: request } };
  const token = await o.token();
  if (token.status !== 200) return token;
  const answer = token.body as { access_token: string; token_type: string };
  if (answer.token_type !== 'DPoP') {
    return { status: 409, body: { error: 'not_dpop', reason: `this pairing's access token is a ${answer.token_type} token; set "dpop": true and pair again for DPoP` } };
  }
  const key = await o.key();
  if (key === undefined) return { status: 409, body: { error: 'dpop_key_lost', reason: 'the DPoP key file is missing: the pairing is lost, pair again' } };
  const proof = await createDpopProof(key, {
    htm: request.htm,
    htu: request.htu,
    iat: Math.floor(o.now(request.htu) / 1000),
    accessToken: answer.access_token,
    ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
  });
  return { status: 200, body: { dpop: proof, ...answer } };
}
