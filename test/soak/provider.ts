/**
 * The provider side of the soak (issue #9): the fake provider's profiles (rotation with reuse detection;
 * Keycloak's refresh idle window), what reaches it, and grants made through its own HTTP API.
 */
import { PROFILES } from '../support/provider-servers.js';
import type { FakeProvider, ProviderProfile, RecordedRequest } from '../support/provider-servers.js';
import { SECOND, T0 } from './time.js';

/**
 * RFC 8628's example provider with 5-minute access tokens, a 1 s poll interval, and strict rotation
 * with reuse detection (a rotated token presented again revokes the whole grant, as Auth0 does).
 */
export function soakProfile(accessTokenLifetime = 300): ProviderProfile {
  return { ...PROFILES.rfc8628, name: 'RFC 8628 + rotation + reuse detection', accessTokenLifetime, interval: 1, rotateRefreshTokens: true, reuseDetection: true };
}

/**
 * Seed 001's Keycloak realm as the field meets it (issue #12): access tokens for 24 h, but the refresh
 * token dies after 30 idle minutes (`refresh_expires_in` 1800, SSO Session Idle enforced on virtual
 * time), with strict rotation and reuse detection on top.
 */
export function keycloakSoakProfile(): ProviderProfile {
  const keycloak = PROFILES.keycloak;
  return {
    ...keycloak,
    name: 'Keycloak-style: 24 h access tokens, 30 min refresh idle window',
    defaultScope: 'offline_access',
    interval: 1,
    accessTokenLifetime: 24 * 3600,
    tokenExtras: { ...keycloak.tokenExtras, refresh_expires_in: 1800 },
    refreshIdleTimeout: 1800,
    rotateRefreshTokens: true,
    reuseDetection: true,
  };
}

export interface IdpObservations {
  /** Refresh requests that reached the provider. */
  refreshes: number;
  /** …of which presented a refresh token that was not active: already rotated (reuse) or unknown. */
  reuse: number;
  polls: number;
  deviceAuthorizations: number;
  /** Requests that reached the provider, per virtual second since `T0`. */
  perSecond: Map<number, number>;
}

/**
 * Watches every request that reaches the fake through its `intercept()` (which sees a request before
 * the fake acts on it) and always lets the fake answer. The fake's own request log is emptied as it
 * goes, so a long soak's heap figures are about the agents, not about the log.
 */
export function observe(idp: FakeProvider, vt: { now(): number }): IdpObservations {
  const seen: IdpObservations = { refreshes: 0, reuse: 0, polls: 0, deviceAuthorizations: 0, perSecond: new Map() };
  const { token, deviceAuthorization } = idp.profile.paths;
  idp.intercept((req: RecordedRequest) => {
    const second = Math.floor((vt.now() - T0) / SECOND);
    seen.perSecond.set(second, (seen.perSecond.get(second) ?? 0) + 1);
    if (req.path === token && req.form.grant_type === 'refresh_token') {
      seen.refreshes++;
      if (!idp.isRefreshTokenActive(req.form.refresh_token ?? '')) seen.reuse++;
    } else if (req.path === token) seen.polls++;
    else if (req.path === deviceAuthorization) seen.deviceAuthorizations++;
    idp.requests.length = 0;
    return undefined;
  });
  return seen;
}

/** POSTs a form (no agent), for setting up grants; throws unless the answer is 200. */
export async function postForm(origin: string, path: string, form: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await res.json()) as Record<string, string>;
  if (res.status !== 200) throw new Error(`fake ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Real grants at the fake, one per device, through its own HTTP API: device authorization,
 * `approve()`, device-code token request. Returns the refresh tokens.
 */
export async function createGrants(idp: FakeProvider, n: number): Promise<string[]> {
  const { paths, client, defaultScope } = idp.profile;
  const tokens: string[] = new Array<string>(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const code = await postForm(idp.origin, paths.deviceAuthorization, { client_id: client.clientId, scope: defaultScope });
      idp.approve(code.user_code!, `device-${i}`);
      const issued = await postForm(idp.origin, paths.token, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: code.device_code!, client_id: client.clientId });
      tokens[i] = issued.refresh_token!;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}
