/**
 * Where the endpoints come from: discovery from the issuer (cached on disk for offline boots),
 * overridden by explicit endpoints, or explicit endpoints alone when no issuer is configured.
 */
import { NetworkError, ProtocolError } from '../errors.js';
import { discover, mergeEndpoints } from './discovery.js';
import type { ProviderMetadata } from './discovery.js';
import type { HttpClient } from './http.js';
import type { Endpoints, Logger } from './types.js';

export interface ResolveEndpointsOptions {
  /** The configured issuer; without it there is no discovery. @example "https://id.wgtwo.com" */
  issuer?: string;
  /** Configured endpoints: they override discovered ones, or replace discovery without an issuer. */
  explicit?: Partial<Endpoints>;
  /** The last good discovery result, for offline boots (the file in the state directory: `store/discovery-cache.ts`). */
  cache?: DiscoveryCache;
  logger?: Logger;
  now?: () => number;
}

/** The last good discovery result, kept for boots without network; the disk is the caller's business. */
export interface DiscoveryCache {
  /** Where it is kept, for the log. @example "/var/lib/pairing-agent/discovery.json" */
  readonly path: string;
  /** The cached metadata for `issuer`, or undefined (none, another issuer's, unreadable as a cache). */
  read(issuer: string): Promise<{ fetchedAt: number; metadata: ProviderMetadata } | undefined>;
  write(metadata: ProviderMetadata, now: number): Promise<void>;
}

export interface ResolvedEndpoints {
  endpoints: Endpoints;
  /** `cache` means discovery failed on the network and the last good result was used. */
  source: 'discovery' | 'cache' | 'configuration';
}

function isComplete(explicit: Partial<Endpoints> | undefined): boolean {
  return explicit?.deviceAuthorizationEndpoint !== undefined && explicit.tokenEndpoint !== undefined;
}

/**
 * Resolves the endpoints. A network failure falls back to the cache, then to complete explicit
 * endpoints; an issuer mismatch never falls back (RFC 8414 §3.3).
 * @throws NetworkError (no network, no cache), ProtocolError, ConfigError
 * @see RFC 8414 §3, OpenID Connect Discovery 1.0 §4
 */
export async function resolveEndpoints(http: HttpClient, options: ResolveEndpointsOptions): Promise<ResolvedEndpoints> {
  const { issuer, explicit, cache } = options;
  const log = options.logger ?? (() => {});
  if (issuer === undefined) return { endpoints: mergeEndpoints(undefined, explicit), source: 'configuration' };

  let metadata: ProviderMetadata;
  try {
    metadata = await discover(http, issuer);
  } catch (error) {
    if (error instanceof NetworkError) {
      const cached = await cache?.read(issuer).catch(() => undefined);
      if (cached !== undefined) {
        log('oauth.discovery.cached', { issuer, reason: error.reason, fetched_at: new Date(cached.fetchedAt).toISOString() });
        return { endpoints: mergeEndpoints(cached.metadata, explicit), source: 'cache' };
      }
    }
    const fallback = error instanceof NetworkError || (error instanceof ProtocolError && error.field === 'discovery');
    if (fallback && isComplete(explicit)) {
      log('oauth.discovery.skipped', { issuer, reason: error.message });
      return { endpoints: mergeEndpoints({ issuer }, explicit), source: 'configuration' };
    }
    throw error;
  }
  if (cache !== undefined) {
    try {
      // Unchanged metadata is not written again: every start of the daemon and every one-shot
      // command discovers, and each write is a temp file, a rename and two fsyncs on an SD card
      // (issue #18). `fetchedAt` then says since when the provider has published this document.
      const cached = await cache.read(issuer).catch(() => undefined);
      if (cached !== undefined && JSON.stringify(cached.metadata) === JSON.stringify(metadata)) {
        return { endpoints: mergeEndpoints(metadata, explicit), source: 'discovery' };
      }
      await cache.write(metadata, (options.now ?? Date.now)());
    } catch (error) {
      // Only a cache: the agent works without it, it just cannot boot offline.
      log('oauth.discovery.cache_write_failed', { path: cache.path, reason: (error as Error).message });
    }
  }
  return { endpoints: mergeEndpoints(metadata, explicit), source: 'discovery' };
}
