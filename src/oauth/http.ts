/**
 * The HTTP shell: one got instance per client, configured for talking to an identity provider.
 *
 * - Explicit timeouts per phase and overall: got has none by default (NOTES "got").
 * - No automatic retry, of POSTs above all: a blind retry of a refresh whose answer was lost is a
 *   refresh-token reuse (RFC 6819 §5.2.2.3). The pairing state machine decides when to retry.
 * - A cap on the response size, enforced while streaming (got has none: got#617), and no
 *   decompression, so a small gzip body cannot inflate past the cap.
 * - The URL policy (HTTPS, HTTP only to loopback) before every request and every redirect.
 * - No keep-alive: a reused socket the server closed fails with ECONNRESET after our request was
 *   written, which would mark a refresh "may have been processed" for nothing.
 *
 * got is ESM-only and slow to import, so it is loaded on the first request, not at CLI start.
 */
import type { Got, RequestError } from 'got';
import { NetworkError, ProtocolError } from '../errors.js';
import { endpointUrlProblem } from '../net/url-policy.js';
import { parseBody } from './body.js';
import type { HttpRequest, HttpResponse, Logger } from './types.js';

/** Phase timeouts in ms (got's `timeout` option, same names). */
export interface PhaseTimeouts {
  lookup: number;
  connect: number;
  secureConnect: number;
  send: number;
  response: number;
  /** The whole exchange, first byte to last. */
  request: number;
}

export interface HttpClientOptions {
  /**
   * Upper bound for one whole request in ms (the config's `http_timeout_ms`); phases default to it.
   * @default 10000
   */
  timeoutMs?: number;
  /** Per-phase overrides. @example { connect: 3000 } */
  timeouts?: Partial<PhaseTimeouts>;
  /**
   * Larger answers are cut off with a ProtocolError. OAuth answers are a few kB; a JWKS or a
   * discovery document rarely exceeds 20 kB.
   * @default 262144 (256 KiB)
   */
  maxResponseBytes?: number;
  /** Sent as `User-Agent: pairing-agent/<version>`. @default "unknown" */
  version?: string;
  /** Redirects followed for requests that allow them (discovery, JWKS). @default 3 */
  maxRedirects?: number;
  logger?: Logger;
}

/** Performs one request; throws NetworkError (transport) or ProtocolError (URL policy, size cap). */
export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

/** Failures that happen before a single byte of the request can have reached the server. */
const NOT_SENT_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
/** got timeout phases that end before the request body is fully written. */
const NOT_SENT_TIMEOUTS = new Set(['lookup', 'connect', 'secureConnect', 'send']);

let gotModule: Promise<typeof import('got')> | undefined;

function where(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Maps a got error to a NetworkError, deciding whether the server may have received the request.
 * The got error itself is dropped: its `options` hold the form body (codes, tokens, secrets).
 */
export function toNetworkError(error: RequestError, method: string, url: string): NetworkError {
  const code = typeof error.code === 'string' ? error.code : 'UNKNOWN';
  const event = (error as { event?: unknown }).event;
  let processed: boolean;
  if (NOT_SENT_CODES.has(code)) processed = false;
  else if (typeof event === 'string' && NOT_SENT_TIMEOUTS.has(event)) processed = false;
  // When the last byte of the request left, the server may have acted on it. Unknown: assume it did.
  else processed = error.timings === undefined || error.timings.upload !== undefined;
  const what = typeof event === 'string' ? `timeout (${event})` : code;
  return new NetworkError(`${method} ${where(url)} failed: ${what}`, { requestMayHaveBeenProcessed: processed, reason: code });
}

function policyCheck(url: string): void {
  const problem = endpointUrlProblem(url);
  if (problem !== undefined) throw new ProtocolError('url', `request URL ${problem}`);
}

/**
 * Creates the client every protocol step uses. One instance per agent; cheap until the first request.
 * @see RFC 8628 §3.1 (POST, form-encoded), RFC 6749 §10.4 (TLS for tokens)
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const total = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout: PhaseTimeouts = {
    lookup: total, connect: total, secureConnect: total, send: total, response: total, request: total,
    ...options.timeouts,
  };
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = options.maxRedirects ?? 3;
  const log = options.logger ?? (() => {});
  const userAgent = `pairing-agent/${options.version ?? 'unknown'}`;
  let instance: Got | undefined;

  async function gotInstance(): Promise<Got> {
    if (instance) return instance;
    const { got } = await (gotModule ??= import('got'));
    instance = got.extend({
      timeout,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: false,
      // Loaded here, with got, not at start-up: HTTPS brings TLS and crypto, some 5 % of the daemon's way
      // to its first frame on a Pi's budget (issue #18).
      agent: { http: new (process.getBuiltinModule('node:http').Agent)({ keepAlive: false }), https: new (process.getBuiltinModule('node:https').Agent)({ keepAlive: false }) },
    });
    return instance;
  }

  async function once(request: HttpRequest): Promise<HttpResponse> {
    policyCheck(request.url);
    const got = await gotInstance();
    const started = Date.now();
    const stream = got.stream(request.url, {
      method: request.method,
      headers: { accept: 'application/json', 'user-agent': userAgent, ...request.headers },
      ...(request.form === undefined ? {} : { form: request.form }),
    });
    // The iterator below reports errors; this keeps a late one (after a cut-off) from being unhandled.
    stream.on('error', () => {});
    let status = 0;
    let headers: HttpResponse['headers'] = {};
    let tooLarge = false;
    stream.once('response', (res: { statusCode: number; headers: HttpResponse['headers'] }) => {
      status = res.statusCode;
      headers = res.headers;
      // Refuse early what announces itself as too large.
      if (Number(res.headers['content-length']) > maxBytes) {
        tooLarge = true;
        stream.destroy();
      }
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          tooLarge = true;
          stream.destroy();
          break;
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (!tooLarge) {
        const mapped = toNetworkError(error as RequestError, request.method, request.url);
        log('oauth.http.error', { method: request.method, url: where(request.url), reason: mapped.reason, ms: Date.now() - started });
        throw mapped;
      }
    }
    // Only the method, the URL without its query and what came back: never a header or a form (codes,
    // tokens, secrets, DPoP proofs). An answer the caller can only retry is a failure (issue #14 item 5).
    const failed = tooLarge ? `response over ${maxBytes} bytes` : status >= 500 || status === 429 ? `HTTP ${status}` : undefined;
    const fields = { method: request.method, url: where(request.url), status, bytes: size, ms: Date.now() - started };
    if (failed === undefined) log('oauth.http', fields);
    else log('oauth.http.error', { ...fields, reason: failed });
    if (tooLarge) {
      throw new ProtocolError('body', `response from ${where(request.url)} exceeds ${maxBytes} bytes`, status);
    }
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      throw new ProtocolError('body', `unrequested content encoding ${JSON.stringify(encoding)}`, status);
    }
    const contentType = Array.isArray(headers['content-type']) ? headers['content-type'][0] : headers['content-type'];
    const body = parseBody(contentType, Buffer.concat(chunks));
    return { status, headers, body, url: request.url };
  }

  return {
    async send(request) {
      let current = request;
      for (let hop = 0; ; hop++) {
        const response = await once(current);
        const location = response.headers.location;
        const isRedirect = [301, 302, 303, 307, 308].includes(response.status) && typeof location === 'string';
        if (!request.followRedirects || !isRedirect || request.method !== 'GET') return response;
        if (hop >= maxRedirects) throw new ProtocolError('status', `more than ${maxRedirects} redirects from ${where(request.url)}`, response.status);
        // Relative locations resolve against the current URL; the policy check runs again in once().
        current = { ...current, url: new URL(location, current.url).toString() };
      }
    },
  };
}

