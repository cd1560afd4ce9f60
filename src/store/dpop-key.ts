/**
 * The agent's DPoP key pair on disk (RFC 9449, issue #19): `dpop-key.json`, 0600, in the 0700 state
 * directory, beside the tokens it protects. One key per pairing: created when a pairing starts,
 * deleted when the pairing is wiped.
 *
 * Written by the state's own writer (`private-files.ts`: temp file, 0600, O_EXCL, O_NOFOLLOW → fsync →
 * rename → fsync of the directory), so the key is on disk before the first proof made with it, and a
 * power cut leaves either no key or the whole key, never half of one (fsync(2); Pillai et al., OSDI 2014).
 */
import { join } from 'node:path';
import type { CryptoKey, JWK } from 'jose';
import { AgentError } from '../errors.js';
import { DPOP_ALG, dpopKeyOf } from '../oauth/dpop.js';
import type { DpopKey } from '../oauth/dpop.js';
import { readSmallFile, removeFile, removeTempFiles, replaceFile } from './private-files.js';

export const DPOP_KEY_FILE = 'dpop-key.json';
const FILE_MODE = 0o600;
const FORMAT_VERSION = 1;
/** Temp files of a write a crash interrupted, this version's names and older ones (`.tmp-` + 12 hex). */
const TEMP_PREFIX = `${DPOP_KEY_FILE}.tmp-`;
/** A P-256 JWK is a few hundred bytes. */
const MAX_KEY_BYTES = 64 * 1024;

/**
 * The key of the current pairing, cached after the first read. Every method that changes the file
 * leaves it durable before it returns.
 */
export class DpopKeyFile {
  readonly path: string;
  /** undefined: not read yet; null: read, there is none. */
  #cached: DpopKey | null | undefined;

  /** The key file of `stateDir`, as it is (`open` also sweeps what a crash left). */
  constructor(stateDir: string) {
    this.path = join(stateDir, DPOP_KEY_FILE);
  }

  /**
   * The key store of `stateDir`, swept of the temp files a crash left of a write: once here, not on
   * every write (each lists the directory, on an SD card; issue #18). Never a key in use: each write
   * makes its own temp file, under the state lock.
   */
  static open(stateDir: string): DpopKeyFile {
    try {
      removeTempFiles(stateDir, (name) => name.startsWith(TEMP_PREFIX));
    } catch {
      // No directory yet, or a read-only one: a leftover is removed at the next opening, and the write
      // or delete that meets the problem says what it is.
    }
    return new DpopKeyFile(stateDir);
  }

  /**
   * The key on disk, or undefined when there is none.
   * @throws AgentError ERR_STATE when the file exists but cannot be read or is not a key
   */
  async load(): Promise<DpopKey | undefined> {
    if (this.#cached !== undefined) return this.#cached ?? undefined;
    let file: ReturnType<typeof readSmallFile>;
    try {
      // Never through a link, never a huge file (issue #13).
      file = readSmallFile(this.path, MAX_KEY_BYTES);
    } catch (error) {
      throw new AgentError('ERR_STATE', `${this.path}: cannot read the DPoP key (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (file.kind === 'missing') {
      this.#cached = null;
      return undefined;
    }
    const text = file.kind === 'text' ? file.text : '';
    const key = await parseKey(text).catch(() => undefined);
    // Never quote the file: it holds the private key.
    if (key === undefined) throw new AgentError('ERR_STATE', `${this.path}: not a DPoP key file (the pairing that used it cannot be used without it)`);
    this.#cached = key;
    return key;
  }

  /** A new key for a new pairing, replacing any old one; on disk (durably) when this returns. */
  async create(): Promise<DpopKey> {
    // jose on first use: a device without DPoP never loads it (issue #18, start-up on a Pi's budget).
    const { exportJWK, generateKeyPair } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair(DPOP_ALG, { extractable: true });
    const jwk = await exportJWK(privateKey);
    replaceFile(this.path, `${JSON.stringify({ version: FORMAT_VERSION, alg: DPOP_ALG, jwk })}\n`, FILE_MODE);
    // The private key is used through a non-extractable copy from here on.
    const key = await dpopKeyOf(await importPrivate(jwk), publicKey);
    this.#cached = key;
    return key;
  }

  /** Forgets the key (unpairing, pairing lost); durable when this returns. */
  async delete(): Promise<void> {
    this.#cached = null;
    try {
      removeFile(this.path);
    } catch (error) {
      throw new AgentError('ERR_STATE', `${this.path}: cannot delete the DPoP key (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
}

async function importPrivate(jwk: JWK): Promise<CryptoKey> {
  const { importJWK } = await import('jose');
  return (await importJWK({ ...jwk, alg: DPOP_ALG }, DPOP_ALG, { extractable: false })) as CryptoKey;
}

async function parseKey(text: string): Promise<DpopKey | undefined> {
  const doc = JSON.parse(text) as { version?: unknown; alg?: unknown; jwk?: JWK };
  const jwk = doc.jwk;
  if (doc.version !== FORMAT_VERSION || doc.alg !== DPOP_ALG || typeof jwk !== 'object' || jwk === null) return undefined;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') return undefined;
  const { d: _private, ...publicJwk } = jwk;
  const { importJWK } = await import('jose');
  const publicKey = (await importJWK({ ...publicJwk, alg: DPOP_ALG }, DPOP_ALG)) as CryptoKey;
  return dpopKeyOf(await importPrivate(jwk), publicKey);
}
