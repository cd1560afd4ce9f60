/**
 * An OpenID Provider in this process, for the demo (`npm start`) and for every test: oidc-provider
 * (certified, spec-complete) on a loopback HTTP port, configured for the OAuth 2.0 Device
 * Authorization Grant (RFC 8628) with refresh-token rotation, revocation (RFC 7009),
 * introspection (RFC 7662) and userinfo (OIDC Core §5.3).
 */

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { isLoopbackHost } from '../../src/net/url-policy.js';

import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { KoaContextLike, Provider } from 'oidc-provider';

import { SCOPE_CLAIMS, SUPPORTED_SCOPES, findAccount } from './accounts.js';
import { approveDeviceCode, denyDeviceCode } from './device-decisions.js';
import { createMemoryAdapter } from './memory-adapter.js';
import * as pages from './pages.js';

export interface EmbeddedIdpOptions {
  host?: string;                 // default '127.0.0.1'
  port?: number;                 // default 0 = random free port
  /** Lifetimes in seconds; defaults: accessToken 3600, refreshToken 14 days, deviceCode 600, idToken 3600. */
  ttl?: { accessToken?: number; refreshToken?: number; deviceCode?: number; idToken?: number };
  /** `interval` (seconds) added to device authorization responses (oidc-provider omits it). Default 5. Set null to omit it. */
  interval?: number | null;
  /** Enable the browser pages (devInteractions) for the demo. Default true. */
  devInteractions?: boolean;
  /**
   * DPoP server nonces (RFC 9449 §8): `offered` sends a `DPoP-Nonce` with answers to requests that
   * carry a proof; `required` also refuses proofs without a current one (`use_dpop_nonce`). Default:
   * no nonces (oidc-provider's default). DPoP itself is always on, as in oidc-provider.
   */
  dpopNonces?: 'offered' | 'required';
  /**
   * Refresh token rotation. `always` (default): every refresh rotates. `rfc9700`: oidc-provider's own
   * default policy — public clients' refresh tokens rotate unless they are sender-constrained (DPoP),
   * as RFC 9700 §4.14.2 allows (issue #19).
   */
  refreshTokenRotation?: 'always' | 'rfc9700';
}

export interface EmbeddedIdp {
  readonly issuer: string;          // e.g. 'http://127.0.0.1:41234' (no trailing slash)
  readonly publicClientId: string;  // 'pairing-agent' — token_endpoint_auth_method none
  /**
   * 'pairing-agent-confidential'. Registered as client_secret_basic; oidc-provider accepts a
   * registered client_secret_basic client authenticating with client_secret_post and vice versa
   * (lib/shared/client_auth.js), so this one client serves both methods (RFC 6749 §2.3.1).
   */
  readonly confidentialClient: { client_id: string; client_secret: string };
  /** Approve a pending device code as `subject` (default 'alice'), granting the requested scopes. Throws if the user code is unknown/expired. */
  approve(userCode: string, subject?: string): Promise<void>;
  /** Deny: the next poll gets `access_denied`. */
  deny(userCode: string): Promise<void>;
  /**
   * Asks the provider's own introspection endpoint (RFC 7662) about a token, as the confidential client:
   * what a resource server would see. For tests and for teams checking their agents in CI.
   */
  introspect(token: string): Promise<{ active: boolean; sub?: string; [claim: string]: unknown }>;
  close(): Promise<void>;
  /** The underlying oidc-provider instance, for tests that need more. */
  readonly provider: unknown;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PUBLIC_CLIENT_ID = 'pairing-agent';
const CONFIDENTIAL_CLIENT_ID = 'pairing-agent-confidential';
/** ES256: small keys, generated in about a millisecond per start. */
const SIGNING_ALG = 'ES256';

const DEFAULT_TTL = {
  accessToken: 3600,
  refreshToken: 14 * 24 * 3600,
  deviceCode: 600,
  idToken: 3600,
};
/** RFC 8628 §3.2: clients MUST use 5 seconds when `interval` is absent. */
const DEFAULT_INTERVAL = 5;

type OidcProviderModule = typeof import('oidc-provider');

// One import for the process. oidc-provider prints notices on import and construction; this module leaves
// them alone (it runs in users' processes through pairing-agent/testing), our own processes drop them
// with quiet.ts (issue #14 item 2).
let providerModule: Promise<OidcProviderModule> | undefined;
function loadOidcProvider(): Promise<OidcProviderModule> {
  providerModule ??= import('oidc-provider');
  return providerModule;
}

export async function startEmbeddedIdp(options: EmbeddedIdpOptions = {}): Promise<EmbeddedIdp> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    // No real authentication happens here (anyone can sign in as anyone), so never off-host.
    throw new RangeError(`embedded IdP: host must be a loopback address, got ${JSON.stringify(host)}`);
  }
  const ttl = resolveTtl(options.ttl);
  const interval = options.interval === undefined ? DEFAULT_INTERVAL : options.interval;
  if (interval !== null && !(Number.isSafeInteger(interval) && interval > 0)) {
    throw new RangeError(`embedded IdP: interval must be a positive integer or null, got ${interval}`);
  }

  const { default: ProviderClass, errors } = await loadOidcProvider();
  const jwks = { keys: [await signingKey()] };

  // Listen first so the issuer carries the real port; requests arriving before the provider
  // exists (none should: the issuer is not known to anyone yet) get 503.
  let handler: RequestListener | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (handler) {
      handler(req, res);
    } else {
      res.statusCode = 503;
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error('embedded IdP: server has no TCP address');
  }
  const issuer = `http://${isIP(host) === 6 ? `[${host}]` : host}:${address.port}`;
  const confidentialClient = {
    client_id: CONFIDENTIAL_CLIENT_ID,
    client_secret: randomBytes(24).toString('base64url'),
  };

  let provider: Provider;
  try {
    provider = new ProviderClass(issuer, configuration({
      ttl,
      jwks,
      devInteractions: options.devInteractions ?? true,
      clientSecret: confidentialClient.client_secret,
      errors,
      ...(options.dpopNonces === undefined ? {} : { dpopNonces: options.dpopNonces }),
      rotation: options.refreshTokenRotation ?? 'always',
    }));
  } catch (error) {
    server.close();
    throw error;
  }

  if (interval !== null) provider.use(addInterval(interval));
  handler = provider.callback();

  let closing: Promise<void> | undefined;
  return {
    issuer,
    publicClientId: PUBLIC_CLIENT_ID,
    confidentialClient,
    provider,
    approve: (userCode, subject = 'alice') => approveDeviceCode(provider, userCode, subject),
    deny: (userCode) => denyDeviceCode(provider, userCode),
    async introspect(token) {
      const credentials = Buffer.from(`${confidentialClient.client_id}:${confidentialClient.client_secret}`).toString('base64');
      const ask = () =>
        fetch(`${issuer}/token/introspection`, {
          method: 'POST',
          headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token }),
        });
      // fetch pools connections; one the server closed for idleness just as it was reused (Node's
      // 5 s keep-alive timeout against a test that waited about that long, on a busy machine) fails
      // with a reset before the request reached the provider. Introspection changes nothing: ask again.
      const res = await ask().catch((error: unknown) => {
        if (!isStaleConnection(error)) throw error;
        return ask();
      });
      if (!res.ok) throw new Error(`embedded IdP: introspection answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      return (await res.json()) as { active: boolean; sub?: string };
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch pools them) would otherwise hold close() open for seconds.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}


function resolveTtl(ttl: EmbeddedIdpOptions['ttl'] = {}): typeof DEFAULT_TTL {
  const resolved = { ...DEFAULT_TTL };
  for (const key of Object.keys(DEFAULT_TTL) as (keyof typeof DEFAULT_TTL)[]) {
    const value = ttl[key];
    if (value === undefined) continue;
    // oidc-provider stores `exp` in whole seconds and would reject anything else at issue time.
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new RangeError(`embedded IdP: ttl.${key} must be a positive integer (seconds), got ${value}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

async function signingKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SIGNING_ALG, use: 'sig' };
}

/**
 * RFC 8628 §3.2 makes `interval` optional (default 5 s) and oidc-provider 9 leaves it out, so a
 * post-middleware adds it to successful device authorization responses. The body is still an
 * object here (Koa serializes it after the middleware chain unwinds), so nothing else changes:
 * `verification_uri_complete` and the rest pass through untouched.
 */
function addInterval(interval: number) {
  return async (ctx: KoaContextLike, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'device_authorization' || ctx.status !== 200) return;
    const body = ctx.body;
    if (typeof body === 'object' && body !== null && 'device_code' in body) {
      (body as Record<string, unknown>).interval = interval;
    }
  };
}

function configuration(input: {
  ttl: typeof DEFAULT_TTL;
  jwks: { keys: Record<string, unknown>[] };
  devInteractions: boolean;
  clientSecret: string;
  errors: OidcProviderModule['errors'];
  dpopNonces?: 'offered' | 'required';
  rotation: 'always' | 'rfc9700';
}): object {
  const { ttl } = input;
  const clientBase = {
    grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    id_token_signed_response_alg: SIGNING_ALG,
  };

  return {
    // Per-instance storage; keeps expired device codes so late polls get `expired_token`.
    adapter: createMemoryAdapter(),
    clients: [
      { ...clientBase, client_id: PUBLIC_CLIENT_ID, client_name: 'Pairing Agent', token_endpoint_auth_method: 'none' },
      {
        ...clientBase,
        client_id: CONFIDENTIAL_CLIENT_ID,
        client_name: 'Pairing Agent (confidential)',
        client_secret: input.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: input.jwks,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount,
    scopes: [...SUPPORTED_SCOPES],
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    // oidc-provider's default of 15 s would keep accepting an access token at userinfo and
    // introspection for 15 s past `exp`; one process, one clock: expire exactly.
    clockTolerance: 0,
    // Refresh tokens only with offline_access (OIDC Core §11); oidc-provider 9's default says the
    // same, spelled out here because the agent relies on it.
    issueRefreshToken: async (
      _ctx: unknown,
      client: { grantTypeAllowed(type: string): boolean },
      source: { scopes: Set<string> },
    ) => client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access'),
    // Always rotate (RFC 9700 §4.14.2), even for clients that send no DPoP proof; reuse of a
    // rotated token is rejected with invalid_grant and revokes the whole grant. `rfc9700` leaves
    // oidc-provider's default: DPoP-bound refresh tokens of public clients are not rotated.
    ...(input.rotation === 'always' ? { rotateRefreshToken: true } : {}),
    // Numbers rather than functions: each refreshed token gets the full refreshToken lifetime.
    ttl: {
      AccessToken: ttl.accessToken,
      RefreshToken: ttl.refreshToken,
      DeviceCode: ttl.deviceCode,
      IdToken: ttl.idToken,
      // The grant bounds everything issued under it, so it must outlive the tokens.
      Grant: Math.max(ttl.refreshToken, ttl.accessToken, ttl.deviceCode, 14 * 24 * 3600),
      Session: 14 * 24 * 3600,
      Interaction: 3600,
      AuthorizationCode: 60,
    },
    // No browser-based clients: no CORS.
    clientBasedCORS: () => false,
    renderError: pages.renderError,
    features: {
      deviceFlow: {
        enabled: true,
        userCodeInputSource: pages.userCodeInputSource,
        userCodeConfirmSource: pages.userCodeConfirmSource,
        successSource: pages.successSource,
      },
      revocation: { enabled: true, allowedPolicy: revocationPolicy(input.errors) },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      userinfo: { enabled: true },
      devInteractions: { enabled: input.devInteractions },
      rpInitiatedLogout: { enabled: false },
      dPoP: {
        enabled: true,
        // ServerChallenge wants a 32-byte secret; nonces are derived from it and the time.
        ...(input.dpopNonces === undefined ? {} : { nonceSecret: randomBytes(32) }),
        requireNonce: () => input.dpopNonces === 'required',
      },
    },
  };
}

interface PolicyClient {
  clientId: string;
  clientAuthMethod: string;
}

/**
 * oidc-provider's default introspection policy (copied to drop its "you SHOULD change" notice):
 * a public client may only introspect its own tokens; an authenticated client any token
 * (RFC 7662 §2.1 leaves this to the server).
 */
async function introspectionAllowed(_ctx: unknown, client: PolicyClient, token: { clientId?: string }): Promise<boolean> {
  return !(client.clientAuthMethod === 'none' && token.clientId !== client.clientId);
}

/**
 * oidc-provider's default revocation policy: a client may revoke only its own tokens (RFC 7009
 * §2.1). Someone else's token: a confidential client is refused with invalid_request; a public
 * one (which cannot prove who it is) gets 200 and nothing happens.
 */
function revocationPolicy(errors: OidcProviderModule['errors']) {
  return async (_ctx: unknown, client: PolicyClient, token: { clientId?: string }): Promise<boolean> => {
    if (token.clientId === client.clientId) return true;
    if (client.clientAuthMethod === 'none') return false;
    throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
  };
}

/** A pooled keep-alive connection that the server had already closed (undici reports it as the cause). */
function isStaleConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET';
}
