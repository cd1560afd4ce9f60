/**
 * `startTestProvider` (issue #17): the embedded OpenID Provider (oidc-provider on loopback, the one this
 * project's own tests use), for teams that want to try the simulated device before wiring their own
 * provider. oidc-provider is an optional peer dependency: it is loaded here, on first use, and only here.
 */
export interface TestProviderOptions {
  /**
   * Lifetimes in seconds. @default { accessToken: 3600, refreshToken: 1209600, deviceCode: 600 }
   * (Spelled out rather than taken from the embedded provider's options: the shipped .d.ts files may
   * refer to dist/src only, scripts/bundle-testing.mjs.)
   */
  ttl?: { accessToken?: number; refreshToken?: number; deviceCode?: number; idToken?: number };
  /** The poll interval (seconds) it asks for. @default 1 (tests need not wait the RFC's 5 s) */
  interval?: number;
}

export interface TestProvider {
  /** `http://127.0.0.1:PORT`: loopback only, plain HTTP allowed there. */
  readonly issuer: string;
  /** The public client the device uses (no secret). */
  readonly clientId: string;
  /** What `startSimulatedDevice({ config })` needs to pair with this provider, refresh tokens included. */
  readonly deviceConfig: { issuer: string; client_id: string; scope: string };
  /**
   * Approves a pending user code as `account` (any name; "alice" and "bob" have display names), as a
   * person would after signing in. Rejects when the code is unknown or expired.
   */
  approve(userCode: string, account?: string): Promise<void>;
  /** Denies a pending user code: the device's next poll gets `access_denied`. */
  deny(userCode: string): Promise<void>;
  /** What a resource server learns about a token (RFC 7662 introspection). */
  introspect(token: string): Promise<{ active: boolean; sub?: string; [claim: string]: unknown }>;
  close(): Promise<void>;
}

/** A short poll interval: the test provider answers at once, so a test waits one second per poll, not five. */
const TEST_INTERVAL_S = 1;

export async function startTestProvider(options: TestProviderOptions = {}): Promise<TestProvider> {
  const { startEmbeddedIdp } = await import('../idp/embedded.js');
  let idp;
  try {
    idp = await startEmbeddedIdp({ ...(options.ttl === undefined ? {} : { ttl: options.ttl }), interval: options.interval ?? TEST_INTERVAL_S });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes("'oidc-provider'")) {
      throw new Error('startTestProvider needs oidc-provider, an optional peer dependency of pairing-agent: npm install --save-dev oidc-provider@^9', { cause: error });
    }
    throw error;
  }
  return {
    issuer: idp.issuer,
    clientId: idp.publicClientId,
    deviceConfig: { issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid profile email offline_access' },
    approve: (userCode, account = 'alice') => idp.approve(userCode, account),
    deny: (userCode) => idp.deny(userCode),
    introspect: (token) => idp.introspect(token),
    close: () => idp.close(),
  };
}
