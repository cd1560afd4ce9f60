/**
 * The identity provider for the agent's shell: the OAuth client core (`src/oauth`) bound to one
 * configuration. Endpoints are resolved on first use and again after a failure, so an agent that
 * boots without a network still starts (a pairing resumes offline; issue #4).
 */
import type { Config } from '../config/types.js';
import { AgentError, NetworkError, ProtocolError } from '../errors.js';
import type { ClientCredentials, DiscoveryCache, DpopContext, DpopKey, Endpoints, HttpClient, TokenSet } from '../oauth/index.js';
import {
  createHttpClient,
  DPOP_ALG,
  DpopNonces,
  createIdTokenValidator,
  displayIdentity,
  fetchUserInfo,
  pollDeviceToken,
  refreshTokens,
  requestDeviceAuthorization,
  resolveEndpoints,
  revokeTokens,
  ServerClocks,
} from '../oauth/index.js';
import { rejectUnverifiable, type IdTokenValidator } from '../oauth/id-token.js';
import type { DeviceAuthorizationResult, Identity, RevokeOutcome } from '../pairing/state.js';
import { failureOutcome, pollOutcome, refreshOutcome } from './outcomes.js';
import { DpopKeyFile } from '../store/dpop-key.js';
import type { IdpClient } from './types.js';
import type { Logger, OAuthLogEvent } from '../log-events.js';

export interface IdpClientOptions {
  log: Logger;
  /** Where discovery is cached for offline boots (`store/discovery-cache.ts`'s file). */
  cache?: DiscoveryCache;
  /** For tests: an HTTP client with other limits. */
  http?: HttpClient;
  /**
   * The agent's version, sent as `User-Agent: pairing-agent/<version>`; the composition roots pass
   * `packageVersion()` (passed in, so the adapter imports nothing from the CLI: issue #14 item 1).
   * @default "unknown"
   */
  version?: string;
  /**
   * The pairing's DPoP key (issue #19), shared with the state store that deletes it on a wipe.
   * @default the key file in `config.state_dir`
   */
  dpopKeys?: DpopKeyFile;
  /** For tests: the device's wall clock, which DPoP proofs' `iat` starts from. @default Date.now */
  now?: () => number;
}

export function credentialsOf(config: Config): ClientCredentials {
  const { client_id: clientId, client_secret: clientSecret, token_endpoint_auth_method: authMethod } = config;
  if (authMethod === 'none' || clientSecret === undefined) return { clientId, authMethod: 'none' };
  return { clientId, authMethod, clientSecret };
}

function explicitEndpoints(config: Config): Partial<Endpoints> {
  const pairs: [keyof Endpoints, string | undefined][] = [
    ['deviceAuthorizationEndpoint', config.device_authorization_endpoint],
    ['tokenEndpoint', config.token_endpoint],
    ['revocationEndpoint', config.revocation_endpoint],
    ['userinfoEndpoint', config.userinfo_endpoint],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined));
}

/** The IdP client, and the servers' clocks it learned for an app's proofs (`POST /dpop-proof`). */
export interface IdpClientWithClocks extends IdpClient {
  /**
   * Ms to stamp a DPoP proof to `url` with: that server's clock as its answers' `Date` told it, the
   * provider's for a server not heard from, else `localMs` (RFC 9449 §11.1, issue #19).
   */
  serverTime(url: string, localMs: number): number;
}

export function createIdpClient(config: Config, options: IdpClientOptions): IdpClientWithClocks {
  const { log } = options;
  // Each request is logged (a debug line), each failure with what went wrong (a warning): which provider
  // request failed, and how, is what a field operator looks for first.
  const logger = (event: OAuthLogEvent, fields: Record<string, unknown>) => log(event, fields as Record<string, string | number>);
  const now = options.now ?? Date.now;
  // The provider's clocks, by origin, from the `Date` of every answer (discovery and the device
  // authorization too: their answers come before the first proof): a Pi that booted with a wrong clock
  // still stamps proofs the provider accepts (RFC 9449 §11.1, issue #19).
  const clocks = new ServerClocks({ onOffset: (origin, seconds) => log('provider_clock_offset', { origin, seconds }) });
  const sender = options.http ?? createHttpClient({ timeoutMs: config.http_timeout_ms, logger, ...(options.version === undefined ? {} : { version: options.version }) });
  const http: HttpClient = {
    async send(request) {
      const response = await sender.send(request);
      clocks.observe(request.url, response, now());
      return response;
    },
  };
  const client = credentialsOf(config);
  let resolved: Promise<Endpoints> | undefined;
  let validator: IdTokenValidator | undefined;
  const keys = options.dpopKeys ?? new DpopKeyFile(config.state_dir);
  // The servers' latest DPoP nonces (RFC 9449 §8), for every request this client signs.
  const nonces = new DpopNonces();
  const dpopWith = (key: DpopKey | undefined): DpopContext | undefined => (key === undefined ? undefined : { key, nonces, clocks, now });

  const endpoints = (): Promise<Endpoints> => {
    resolved ??= resolveEndpoints(http, {
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      explicit: explicitEndpoints(config),
      ...(options.cache === undefined ? {} : { cache: options.cache }),
      logger,
    }).then(
      (r) => {
        log('endpoints_resolved', { source: r.source });
        logDpopSupport(r.endpoints);
        return r.endpoints;
      },
      (error: unknown) => {
        resolved = undefined; // try again next time
        throw error;
      },
    );
    return resolved;
  };

  /** Issue #19: say whether the provider advertises DPoP, and warn when it is configured but not advertised. */
  const logDpopSupport = (ep: Endpoints): void => {
    const algs = ep.dpopSigningAlgs;
    if (algs !== undefined) log('dpop_supported', { issuer: ep.issuer, algs: algs.join(' '), enabled: config.dpop });
    if (!config.dpop) return;
    if (algs === undefined) log('dpop_not_advertised', { issuer: ep.issuer, note: 'no dpop_signing_alg_values_supported; proofs are sent anyway, and Bearer tokens refused' });
    else if (!algs.includes(DPOP_ALG)) log('dpop_alg_not_advertised', { issuer: ep.issuer, alg: DPOP_ALG });
  };

  /**
   * The key for a device poll: the one made when this pairing started, or a new one if it is gone (no
   * token is bound to a key before the poll that brings them). Undefined without `dpop`.
   */
  const pollKey = async (): Promise<DpopKey | undefined> => {
    if (!config.dpop) return undefined;
    return (await keys.load().catch(() => undefined)) ?? keys.create();
  };

  /**
   * Revokes `tokens` (RFC 7009: the refresh token, then the access token); a failure is logged with its
   * reason (and `after`, when the revocation follows something other than an unpairing).
   */
  const revokeAndSay = async (tokens: { accessToken: string; refreshToken?: string }, after?: string): Promise<RevokeOutcome> => {
    const context = after === undefined ? {} : { after };
    try {
      const result = await revokeTokens(http, await endpoints(), client, tokens);
      if (result.kind === 'revoked') return { ok: true };
      const reason = result.kind === 'unsupported' ? 'the identity provider has no revocation endpoint' : result.error.message;
      log('revoke_failed', { result: result.kind, reason, ...context });
      return { ok: false, reason };
    } catch (error) {
      const reason = (error as Error).message;
      log('revoke_failed', { reason, ...context });
      return { ok: false, reason };
    }
  };

  /**
   * The tokens that came with a refused ID token stay valid at the provider until they expire (the
   * refresh token for days) unless revoked: revoke what is not kept (RFC 7009 §1; OIDC Core §3.1.3.7
   * says to refuse the token, not what to do with the rest). Best effort: one attempt, in the background,
   * so the failed state never waits for it; its outcome is logged.
   */
  const revokeRejected = (tokens: TokenSet): void => {
    const { accessToken, refreshToken } = tokens;
    void revokeAndSay({ accessToken, ...(refreshToken === undefined ? {} : { refreshToken }) }, 'id_token_rejected').then((outcome) => {
      if (outcome.ok) log('rejected_tokens_revoked', { after: 'id_token_rejected' });
    });
  };

  /** Who paired, from a validated ID token; undefined when it cannot be checked or says nothing useful. */
  const identityFromIdToken = async (idToken: string | undefined): Promise<Identity | undefined> => {
    if (idToken === undefined) return undefined;
    const ep = await endpoints();
    if (ep.issuer === undefined) return undefined; // nothing to compare "iss" with
    const secret = 'clientSecret' in client ? client.clientSecret : undefined;
    try {
      validator ??= createIdTokenValidator(http, { endpoints: ep, clientId: client.clientId, ...(secret === undefined ? {} : { clientSecret: secret }) });
    } catch {
      // No published keys and no secret, or only algorithms this client cannot verify (a public client
      // of a provider signing HS256): the token is unchecked, not forged (issue #12).
      return rejectUnverifiable(idToken, { issuer: ep.issuer, clientId: client.clientId }, 'no key this client can verify with');
    }
    const claims = await validator.validate(idToken);
    const text = (name: string) => (typeof claims[name] === 'string' && (claims[name] as string).length <= 256 ? (claims[name] as string) : undefined);
    const who = text('name') ?? text('email') ?? text('phone_number') ?? text('preferred_username');
    return withOtherNames({ subject: claims.sub, ...(who === undefined ? {} : { who }) }, [text('email'), text('preferred_username')]);
  };

  return {
    serverTime: (url, localMs) => clocks.now(url, localMs),

    async prepare() {
      await endpoints().catch(() => undefined);
    },

    get hasUserinfo() {
      // Known only after discovery; assume yes with an issuer (OIDC providers have one) or when configured.
      return config.userinfo_endpoint !== undefined || config.issuer !== undefined;
    },

    async requestCode(): Promise<DeviceAuthorizationResult> {
      try {
        // A new pairing gets a new key (issue #19), on disk before the first proof made with it; a
        // pairing without DPoP gets none, so no old key outlives its pairing.
        if (config.dpop) await keys.create();
        else await keys.delete();
      } catch (error) {
        return { kind: 'fatal', reason: `cannot create the DPoP key: ${(error as Error).message}` };
      }
      try {
        const authorization = await requestDeviceAuthorization(http, await endpoints(), client, {
          scope: config.scope,
          ...(config.audience === undefined ? {} : { audience: config.audience }),
          extraParams: config.extra_params,
        });
        return { kind: 'ok', authorization };
      } catch (error) {
        if (error instanceof NetworkError) {
          return { kind: 'transient', reason: error.message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
        }
        return { kind: 'fatal', reason: error instanceof AgentError ? error.message : String(error) };
      }
    },

    async poll(deviceCode, interval) {
      let ep: Endpoints;
      try {
        ep = await endpoints();
      } catch (error) {
        return { result: failureOutcome(error) };
      }
      let key: DpopKey | undefined;
      try {
        key = await pollKey();
      } catch (error) {
        return { result: failureOutcome(error) };
      }
      const result = pollOutcome(await pollDeviceToken(http, ep, client, { deviceCode, interval }, Date.now, dpopWith(key)));
      if (result.kind !== 'tokens') return { result };
      try {
        const identity = await identityFromIdToken(result.tokens.idToken);
        return identity === undefined ? { result } : { result, identity };
      } catch (error) {
        if (error instanceof NetworkError || isClockProblem(error) || isUnverifiable(error)) {
          // The keys could not be fetched, the token is "expired" or "not yet valid" by a local clock
          // that may be days off (a Pi without a real-time clock; issue #4: the server judges time), or
          // this client has no key for it (issue #12): keep the tokens (the device code is spent) and
          // learn who paired from userinfo instead.
          log('id_token_unchecked', { reason: (error as Error).message });
          return { result };
        }
        // A forged or foreign ID token: refuse the pairing (OIDC Core §3.1.3.7). The device code is
        // spent, so this ends the flow as `failed` with the reason; it is never polled again. The
        // tokens beside it are not kept, so they are revoked.
        revokeRejected(result.tokens);
        return { result: { kind: 'refused', code: 'id_token_rejected', reason: error instanceof Error ? error.message : String(error) } };
      }
    },

    async refresh(refreshToken) {
      let ep: Endpoints;
      try {
        ep = await endpoints();
      } catch (error) {
        return failureOutcome(error);
      }
      // The pairing's key, whatever `dpop` says now: tokens bound to it need its proofs (RFC 9449 §5),
      // and a pairing made without DPoP has none.
      let key: DpopKey | undefined;
      try {
        key = await keys.load();
      } catch (error) {
        return failureOutcome(error);
      }
      const dpop = dpopWith(key);
      return refreshOutcome(await refreshTokens(http, ep, client, refreshToken, dpop === undefined ? {} : { dpop }));
    },

    revoke: (tokens) => revokeAndSay(tokens),

    async identity(accessToken) {
      try {
        const dpop = dpopWith(await keys.load());
        const info = await fetchUserInfo(http, await endpoints(), accessToken, dpop === undefined ? {} : { dpop });
        return withOtherNames({ subject: info.sub, who: displayIdentity(info) }, [info.email, info.preferredUsername]);
      } catch (error) {
        log('userinfo_failed', { reason: (error as Error).message });
        return undefined;
      }
    },
  };
}

/**
 * An ID token refused only for its times (`exp`, `nbf`, `iat` against the local clock), as the
 * validator marks jose's checks; signature, issuer and audience failures are not this.
 */
export function isClockProblem(error: unknown): boolean {
  return error instanceof ProtocolError && error.check === 'id_token_time';
}

/**
 * Adds the names the screen can fall back to when `who` is in a script the panel cannot draw (issue #16):
 * the email, then the preferred username, each once and never `who` again.
 */
function withOtherNames(identity: Identity, names: readonly (string | undefined)[]): Identity {
  const otherNames = [...new Set(names.filter((name): name is string => name !== undefined && name !== '' && name !== identity.who))];
  return otherNames.length === 0 ? identity : { ...identity, otherNames };
}

/** An ID token this client has no key to verify with (see `oauth/id-token.ts`). */
function isUnverifiable(error: unknown): boolean {
  return error instanceof ProtocolError && error.check === 'id_token_unverifiable';
}
