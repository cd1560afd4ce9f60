/**
 * Endpoint discovery from the issuer: OpenID Connect Discovery 1.0 §4, falling back to RFC 8414 §3.
 * The discovered `issuer` must equal the configured one (RFC 8414 §3.3: mix-up defence).
 */
import { ConfigError, ProtocolError } from '../errors.js';
import { membersOf, optionalUrl, requiredString } from './fields.js';
import type { Members } from './fields.js';
import type { HttpClient } from './http.js';
import { assertSuccess } from './response.js';
import type { Endpoints, HttpResponse } from './types.js';

/** What a discovery document tells us; endpoints may still be missing (explicit ones fill them in). */
export type ProviderMetadata = Partial<Endpoints> & { issuer: string };

const MAX_URL = 2048;

/**
 * The discovery document URLs to try, in order:
 * 1. OIDC, path appended: `issuer + '/.well-known/openid-configuration'` (Keycloak, Auth0, Hydra);
 * 2. RFC 8414, inserted: `https://host/.well-known/oauth-authorization-server/path`;
 * 3. RFC 8414's suffix appended to the path, as some servers publish it.
 * @throws ConfigError for an issuer with a query or fragment (RFC 8414 §2)
 * @see OpenID Connect Discovery 1.0 §4.1, RFC 8414 §3.1, §5
 */
export function discoveryUrls(issuer: string): string[] {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError('is not a valid absolute URL', 'configuration', 'issuer');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError('must not contain a ?query or #fragment (RFC 8414 §2)', 'configuration', 'issuer');
  }
  // "any terminating '/' MUST be removed before inserting '/.well-known/'" (RFC 8414 §3.1)
  const path = url.pathname.replace(/\/+$/, '');
  const urls = [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/oauth-authorization-server`,
  ];
  return [...new Set(urls)];
}

function stringList(m: Members, name: string, status: number): string[] | undefined {
  const value = m[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && v.length <= 64)) {
    throw new ProtocolError(name, `response body "${name}" must be a list of strings`, status);
  }
  return value;
}

/**
 * Checks a discovery document: `issuer` equal to the configured one, endpoint URLs HTTPS
 * (HTTP only on loopback).
 * @throws ProtocolError naming the member; OAuthError / NetworkError for error answers
 * @see RFC 8414 §3.2, §3.3; OpenID Connect Discovery 1.0 §4.3
 */
export function processDiscoveryResponse(response: HttpResponse, expectedIssuer: string): ProviderMetadata {
  assertSuccess(response);
  const m = membersOf(response);
  const s = response.status;
  const issuer = requiredString(m, 'issuer', { maxLength: MAX_URL, printable: true }, s);
  if (issuer !== expectedIssuer) {
    const hint = issuer.replace(/\/$/, '') === expectedIssuer.replace(/\/$/, '') ? ' (they differ in the trailing "/": configure the issuer exactly as the provider names it)' : '';
    throw new ProtocolError('issuer', `discovered issuer ${JSON.stringify(issuer)} is not the configured ${JSON.stringify(expectedIssuer)}${hint}`, s);
  }
  const found: Record<string, string | string[] | undefined> = {
    tokenEndpoint: optionalUrl(m, 'token_endpoint', MAX_URL, s),
    deviceAuthorizationEndpoint: optionalUrl(m, 'device_authorization_endpoint', MAX_URL, s),
    revocationEndpoint: optionalUrl(m, 'revocation_endpoint', MAX_URL, s),
    userinfoEndpoint: optionalUrl(m, 'userinfo_endpoint', MAX_URL, s),
    jwksUri: optionalUrl(m, 'jwks_uri', MAX_URL, s),
    idTokenSigningAlgs: stringList(m, 'id_token_signing_alg_values_supported', s),
    dpopSigningAlgs: stringList(m, 'dpop_signing_alg_values_supported', s),
  };
  const present = Object.entries(found).filter(([, v]) => v !== undefined);
  return { issuer, ...(Object.fromEntries(present) as Partial<Endpoints>) };
}

/** A 2xx that is not a JSON object (an SPA's index.html), or a 4xx: nothing published here. */
function isAbsent(response: HttpResponse): boolean {
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) return true;
  return response.status >= 200 && response.status < 300 && response.body.kind !== 'json';
}

/**
 * Fetches the provider's metadata, trying each of {@link discoveryUrls} until one answers.
 * A network failure stops the search (the next URL is on the same host); so does an issuer mismatch.
 * @throws NetworkError, ProtocolError, ConfigError
 * @see RFC 8414 §3, OpenID Connect Discovery 1.0 §4
 */
export async function discover(http: HttpClient, issuer: string): Promise<ProviderMetadata> {
  const tried: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    const response = await http.send({ method: 'GET', url, headers: {}, followRedirects: true });
    if (isAbsent(response)) {
      tried.push(`${url} (HTTP ${response.status})`);
      continue;
    }
    return processDiscoveryResponse(response, issuer);
  }
  throw new ProtocolError('discovery', `no discovery document for ${issuer}: tried ${tried.join(', ')}`);
}

/**
 * Explicit endpoints override discovered ones; the result must have the two the grant needs.
 * @throws ProtocolError naming the missing endpoint and the config key that would supply it
 */
export function mergeEndpoints(discovered: Partial<Endpoints> | undefined, explicit: Partial<Endpoints> = {}): Endpoints {
  const merged: Partial<Endpoints> = { ...discovered };
  for (const [key, value] of Object.entries(explicit) as [keyof Endpoints, Endpoints[keyof Endpoints]][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  for (const [key, configKey] of [
    ['deviceAuthorizationEndpoint', 'device_authorization_endpoint'],
    ['tokenEndpoint', 'token_endpoint'],
  ] as const) {
    if (merged[key] === undefined) {
      throw new ProtocolError(configKey, `the provider publishes no ${configKey}; set "${configKey}" in the configuration`);
    }
  }
  return merged as Endpoints;
}
