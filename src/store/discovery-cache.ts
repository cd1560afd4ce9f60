/**
 * The last good discovery result on disk, so a device rebooted without network still knows its
 * endpoints. One small JSON file; the general state store is a separate module.
 *
 * Written and read by the state's own writer and reader (`store/private-files.ts`, issue #14 item 3):
 * atomic and durable (temp file, 0600 → fsync → rename → fsync of the directory), never through a
 * symbolic link (issue #13). A torn, oversized or foreign file (a link, a FIFO) reads as "no cache": it
 * is only a cache.
 */
import { AgentError } from '../errors.js';
import { endpointUrlProblem } from '../net/url-policy.js';
import type { ProviderMetadata } from '../oauth/discovery.js';
import type { DiscoveryCache } from '../oauth/endpoints.js';
import { readSmallFile, replaceFile } from './private-files.js';

/** The cache's name in the state directory. */
export const DISCOVERY_CACHE_FILE = 'discovery.json';
const FORMAT_VERSION = 1;
/** A discovery document is a few kB; anything bigger is not our cache. */
const MAX_CACHE_BYTES = 256 * 1024;
const URL_KEYS = ['tokenEndpoint', 'deviceAuthorizationEndpoint', 'revocationEndpoint', 'userinfoEndpoint', 'jwksUri'] as const;

export interface CachedDiscovery {
  /** When the metadata was fetched (ms since the epoch). */
  fetchedAt: number;
  metadata: ProviderMetadata;
}

function isMetadata(value: unknown, issuer: string): value is ProviderMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.issuer !== issuer) return false;
  for (const key of URL_KEYS) {
    const url = m[key];
    if (url !== undefined && (typeof url !== 'string' || endpointUrlProblem(url) !== undefined)) return false;
  }
  const isList = (algs: unknown) => algs === undefined || (Array.isArray(algs) && algs.every((a) => typeof a === 'string'));
  return isList(m.idTokenSigningAlgs) && isList(m.dpopSigningAlgs);
}

/**
 * The cached metadata for `issuer`, or undefined when there is none, it is for another issuer, or the
 * file is unreadable as a cache (corrupt, truncated, unknown version).
 * @throws AgentError ERR_STATE only when the file exists but cannot be read (permissions)
 */
export async function readDiscoveryCache(path: string, issuer: string): Promise<CachedDiscovery | undefined> {
  let file: ReturnType<typeof readSmallFile>;
  try {
    file = readSmallFile(path, MAX_CACHE_BYTES);
  } catch (error) {
    throw new AgentError('ERR_STATE', `cannot read the discovery cache ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (file.kind !== 'text') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(file.text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { version, fetchedAt, metadata } = data as Record<string, unknown>;
  if (version !== FORMAT_VERSION || typeof fetchedAt !== 'number' || !isMetadata(metadata, issuer)) return undefined;
  return { fetchedAt, metadata };
}

/**
 * Replaces the cache file atomically with `metadata`, mode 0600.
 * @throws AgentError ERR_STATE when the directory is not writable or the disk is full
 */
export async function writeDiscoveryCache(path: string, metadata: ProviderMetadata, now: number = Date.now()): Promise<void> {
  const text = `${JSON.stringify({ version: FORMAT_VERSION, fetchedAt: now, metadata }, null, 2)}\n`;
  try {
    replaceFile(path, text, 0o600);
  } catch (error) {
    throw new AgentError('ERR_STATE', `cannot write the discovery cache ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The cache file at `path`, as `resolveEndpoints` uses it (oauth/ itself touches no disk). */
export function fileDiscoveryCache(path: string): DiscoveryCache {
  return {
    path,
    read: (issuer) => readDiscoveryCache(path, issuer),
    write: (metadata, now) => writeDiscoveryCache(path, metadata, now),
  };
}
