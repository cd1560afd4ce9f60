// Minimal typings for the parts of oidc-provider 9 that src/idp uses. The package ships no
// declarations and @types/oidc-provider is not a dependency; everything else stays `unknown`.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The part of a Koa context that the embedded IdP reads or writes. */
  export interface KoaContextLike {
    method: string;
    path: string;
    status: number;
    body: unknown;
    type: string;
    host: string;
    /** Set by oidc-provider on requests that matched one of its routes. */
    readonly oidc?: { readonly route?: string };
  }

  export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>;

  export interface Grant {
    readonly jti?: string;
    addOIDCScope(scope: string): void;
    getOIDCScopeFiltered(filter: Set<string>): string;
    save(): Promise<string>;
  }

  export interface DeviceCode {
    readonly jti: string;
    readonly clientId: string;
    readonly isExpired: boolean;
    /** The device authorization request's parameters (RFC 8628 §3.1). */
    params?: Record<string, unknown>;
    accountId?: string;
    grantId?: string;
    authTime?: number;
    acr?: string;
    amr?: string[];
    scope?: string;
    error?: string;
    errorDescription?: string;
    inFlight?: boolean;
    save(): Promise<string>;
  }

  export interface Client {
    readonly clientId: string;
    readonly clientName?: string;
  }

  export class Provider {
    constructor(issuer: string, configuration?: object);
    readonly issuer: string;
    readonly DeviceCode: {
      findByUserCode(userCode: string, options?: { ignoreExpiration?: boolean }): Promise<DeviceCode | undefined>;
    };
    readonly Grant: new (init: { accountId: string; clientId: string }) => Grant;
    readonly Client: { find(clientId: string): Promise<Client | undefined> };
    use(middleware: KoaMiddleware): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => unknown;
    urlFor(name: string, options?: object): string;
  }

  /** oidc-provider's OAuth error classes (lib/helpers/errors.js); rendered as `{ error, error_description }`. */
  export const errors: {
    InvalidRequest: new (description?: string) => Error;
  };

  export default Provider;
}
