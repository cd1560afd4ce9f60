/**
 * DPoP proofs (RFC 9449), the pure half: build one proof JWT, read a server's nonce, and decide when a
 * request is worth repeating once with that nonce. The key lives elsewhere (`store/dpop-key.ts`); the
 * sending lives in `dpop-send.ts` (issue #19).
 */
// node:crypto is taken on first use (process.getBuiltinModule), not imported: loading it is a few percent
// of the daemon's way to its first frame on a Pi's budget, and only a proof needs it (issue #18).
import type { CryptoKey, JWK } from 'jose';
import { oauthErrorOf } from './fields.js';
import type { HttpResponse } from './types.js';

/** ES256: supported by every DPoP server we know (Keycloak, Auth0, Okta, oidc-provider), small keys. */
export const DPOP_ALG = 'ES256';
/** RFC 9449 §4.2: the `typ` header of a proof. */
export const DPOP_TYP = 'dpop+jwt';
/** RFC 9449 §8 and §9: the error that asks for a (new) nonce. */
export const USE_DPOP_NONCE = 'use_dpop_nonce';
/** RFC 9449 §5, §7.1: the error that refuses a proof. */
export const INVALID_DPOP_PROOF = 'invalid_dpop_proof';
/** Server nonces are opaque; anything longer than this is not a nonce we want to echo. */
const MAX_NONCE_LENGTH = 1024;
/** RFC 9449 §8.1: `nonce = 1*NQCHAR` (printable ASCII without `"` and `\`). */
const NQCHAR = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The agent's key pair, with what every proof needs precomputed. The private key never leaves it. */
export interface DpopKey {
  privateKey: CryptoKey;
  /** The public key as a JWK (`kty`, `crv`, `x`, `y` only): goes into each proof's header. */
  publicJwk: JWK;
  /** The key's JWK SHA-256 thumbprint (RFC 7638): what the server binds tokens to (`cnf.jkt`). */
  thumbprint: string;
}

/** What one proof says. @see RFC 9449 §4.2 */
export interface ProofClaims {
  /** The request's method, e.g. `POST`. */
  htm: string;
  /** The request's URL; its query and fragment are left out (RFC 9449 §4.2 `htu`). */
  htu: string;
  /** Seconds since the epoch. */
  iat: number;
  /** A fresh value per proof; {@link newJti} by default. */
  jti?: string;
  /** The latest nonce this server gave (RFC 9449 §8). */
  nonce?: string;
  /** The access token the request presents: its hash goes in as `ath` (RFC 9449 §4.2, §7). */
  accessToken?: string;
}

/** Builds the {@link DpopKey} for a key pair. */
export async function dpopKeyOf(privateKey: CryptoKey, publicKey: CryptoKey): Promise<DpopKey> {
  // jose on first use: a device without DPoP never loads it (issue #18, start-up on a Pi's budget).
  const { calculateJwkThumbprint, exportJWK } = await import('jose');
  const { kty, crv, x, y } = await exportJWK(publicKey);
  // An ES256 public key exports all four (RFC 7518 §6.2.1); only they go in the proof's header (RFC 9449 §4.2).
  if (kty === undefined || crv === undefined || x === undefined || y === undefined) throw new TypeError('a DPoP key must be an EC P-256 key pair');
  const publicJwk: JWK = { kty, crv, x, y };
  return { privateKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

/** `htu`: the URL without query and fragment. @see RFC 9449 §4.2 */
export function htuOf(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href;
}

/** `ath`: base64url(SHA-256(access token)). @see RFC 9449 §4.2 */
export function athOf(accessToken: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** 128 random bits: "a unique identifier … with sufficient entropy" (RFC 9449 §4.2, `jti`). */
export function newJti(): string {
  return process.getBuiltinModule('node:crypto').randomBytes(16).toString('base64url');
}

/**
 * Signs one proof. A proof is for one request: build a new one for every request, a retry included.
 * @see RFC 9449 §4.2, §4.3
 */
export async function createDpopProof(key: DpopKey, claims: ProofClaims): Promise<string> {
  const payload: Record<string, unknown> = { htm: claims.htm, htu: htuOf(claims.htu), jti: claims.jti ?? newJti() };
  if (claims.nonce !== undefined) payload.nonce = claims.nonce;
  if (claims.accessToken !== undefined) payload.ath = athOf(claims.accessToken);
  const { SignJWT } = await import('jose');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: DPOP_ALG, typ: DPOP_TYP, jwk: key.publicJwk })
    .setIssuedAt(claims.iat)
    .sign(key.privateKey);
}

/** The `DPoP-Nonce` header of an answer, when it carries a usable one. @see RFC 9449 §8.1 */
export function dpopNonceOf(response: Pick<HttpResponse, 'headers'>): string | undefined {
  const raw = response.headers['dpop-nonce'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.length > MAX_NONCE_LENGTH || !NQCHAR.test(value)) return undefined;
  return value;
}

/**
 * Whether the answer asks for a nonce: the authorization server's `use_dpop_nonce` error body
 * (RFC 9449 §8, HTTP 400) or a resource server's `WWW-Authenticate: DPoP error="use_dpop_nonce"`
 * (§9, HTTP 401).
 */
export function asksForNonce(response: HttpResponse): boolean {
  return isDpopError(response, USE_DPOP_NONCE);
}

/**
 * Whether the answer refuses the proof itself: `invalid_dpop_proof` in an error body (RFC 9449 §5) or a
 * resource server's `WWW-Authenticate: DPoP error="invalid_dpop_proof"` (§7.1). One reason is an `iat`
 * outside the server's window (§11.1): a device whose clock is wrong.
 */
export function refusesProof(response: HttpResponse): boolean {
  return isDpopError(response, INVALID_DPOP_PROOF);
}

function isDpopError(response: HttpResponse, code: string): boolean {
  const raw = response.headers['www-authenticate'];
  const challenge = Array.isArray(raw) ? raw.join(', ') : raw;
  if (challenge !== undefined && new RegExp(`\\bDPoP\\b[^]*\\berror="${code}"`, 'i').test(challenge)) return true;
  try {
    return oauthErrorOf(response)?.error === code;
  } catch {
    return false;
  }
}

/**
 * The latest nonce each server gave, by origin: "the client … uses the new nonce value in subsequent
 * requests" (RFC 9449 §8.2) until the server sends another. Kept in memory only: after a restart the
 * first request goes without one, and a server that needs one says so (one extra round trip).
 */
export class DpopNonces {
  readonly #byOrigin = new Map<string, string>();

  get(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }

  /** Keeps the nonce of an answer, if it has one; returns it. */
  remember(url: string, response: Pick<HttpResponse, 'headers'>): string | undefined {
    const nonce = dpopNonceOf(response);
    if (nonce !== undefined) this.#byOrigin.set(new URL(url).origin, nonce);
    return nonce;
  }
}
