/**
 * The agent's few error classes, each with a stable `code` (got's `core/errors.ts`, oauth4webapi).
 * Callers branch on `code`, never on message text; messages are for people and may change.
 */

import { CodedError } from '../hal/errors.js';
import { jsonErrorIndex } from './text/json-error.js';

export type ErrorCode =
  /** The configuration file or an environment override is invalid. Exit code 2. */
  | 'ERR_CONFIG'
  /** The identity provider answered, but with something the protocol does not allow. */
  | 'ERR_PROTOCOL'
  /** The identity provider answered with an OAuth error (`error` field). */
  | 'ERR_OAUTH'
  /** The network failed: timeout, reset, refused, DNS, 5xx, 429. Worth retrying later. */
  | 'ERR_NETWORK'
  /** The on-disk state cannot be read or written. */
  | 'ERR_STATE'
  /**
   * Another pairing-agent process holds the state directory's lock (a daemon already running, a command
   * using the state), or the lock cannot be taken at all (issue #4: one writer per state directory).
   */
  | 'ERR_LOCK'
  /** The control socket cannot be served at its path (not a socket, served by another process, no directory). */
  | 'ERR_SOCKET'
  /**
   * The daemon is not running, cannot be reached, or cannot do what was asked of it (`sim` on a daemon
   * without simulated hardware, an unexpected HTTP answer); also the simulated device of `pairing-agent/testing`.
   */
  | 'ERR_DAEMON'
  /** Hardware (GPIO, I2C) is missing or not accessible. */
  | 'ERR_HARDWARE'
  /** Wrong command-line usage. Exit code 2. */
  | 'ERR_USAGE';

/**
 * The base of the agent's errors: the HAL's {@link CodedError} with the agent's codes, one class, so the HAL's
 * `HardwareError` (which may not import `src/`) is an `AgentError` too.
 */
export const AgentError: new (code: ErrorCode, message: string, options?: { cause?: unknown }) => AgentError = CodedError;
export type AgentError = CodedError<ErrorCode>;

/** A configuration problem: names the key and the file (issue #2). */
export class ConfigError extends AgentError {
  /** The offending key, e.g. `client_id`, or undefined when the file itself is the problem. */
  readonly key: string | undefined;
  /** Where the value came from: the file path or `env PAIRING_AGENT_…`. */
  readonly source: string;

  constructor(message: string, source: string, key?: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG', key === undefined ? `${source}: ${message}` : `${source}: ${key}: ${message}`, options);
    this.key = key;
    this.source = source;
  }

  override get name(): string {
    return 'ConfigError';
  }
}

/** Wrong command-line usage (unknown command or flag). */
export class UsageError extends AgentError {
  /** The command it concerns, named in the one-line message (`pairing-agent status: …`, issue #15). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super('ERR_USAGE', message);
    this.command = command;
  }

  override get name(): string {
    return 'UsageError';
  }
}

/**
 * The identity provider answered with an OAuth error response (RFC 6749 §5.2, RFC 8628 §3.5,
 * RFC 7009 §2.2.1). Carries the HTTP `status` and the provider's `error` / `error_description`
 * (oauth4webapi's `ResponseBodyError`). The provider's text is quoted, never our secrets.
 */
export class OAuthError extends AgentError {
  /** HTTP status of the answer (providers use 400, 401, 403, 428, even 200 for the same error). */
  readonly status: number;
  /** The OAuth `error` code, e.g. `invalid_grant`, `invalid_client`. */
  readonly error: string;
  /** The provider's `error_description`, when it sent one. */
  readonly error_description: string | undefined;
  /** The provider's `error_uri`, when it sent one. */
  readonly error_uri: string | undefined;

  constructor(status: number, error: string, description?: string, uri?: string) {
    super('ERR_OAUTH', `${error}${description ? `: ${description}` : ''} (HTTP ${status})`);
    this.status = status;
    this.error = error;
    this.error_description = description;
    this.error_uri = uri;
  }

  override get name(): string {
    return 'OAuthError';
  }
}

/**
 * The identity provider (or something in front of it) answered with something the protocol does not
 * allow: a missing or mistyped field, an HTML page, an oversized body, an issuer mismatch.
 * Not worth retrying with the same request.
 */
export class ProtocolError extends AgentError {
  /**
   * The offending response field (`device_code`, `issuer`, …) or `body` / `status` / `url`, or `dpop`
   * for tokens that came back unbound to a request with a DPoP proof (a downgrade, RFC 9449 §5).
   */
  readonly field: string;
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** The failed check, for the few that callers treat differently (issue #12); never parse `message`. */
  readonly check: ProtocolCheck | undefined;

  constructor(field: string, message: string, status?: number, check?: ProtocolCheck) {
    super('ERR_PROTOCOL', message);
    this.field = field;
    this.status = status;
    this.check = check;
  }

  override get name(): string {
    return 'ProtocolError';
  }
}

/**
 * Checks whose failure does not mean a forged or foreign answer:
 * - `id_token_time`: an ID token refused only for `exp`/`nbf`/`iat` against the local clock, which may
 *   be days off on a Pi without a real-time clock (issue #4, #12).
 * - `id_token_unverifiable`: an ID token this client has no key for (HMAC without the client secret,
 *   an algorithm it does not verify, no published keys); it came from the token endpoint over TLS
 *   (OIDC Core §3.1.3.7 (6), issue #12).
 */
export type ProtocolCheck = 'id_token_time' | 'id_token_unverifiable';

/**
 * The exchange failed below the OAuth layer: timeout, reset, refused, DNS, 5xx, 429. Worth retrying
 * later. Deliberately carries no `cause`: got's errors hold the request options, i.e. the form body
 * with device codes, refresh tokens and client secrets.
 */
export class NetworkError extends AgentError {
  /**
   * Whether the server may have received and acted on the request. False only when we know it did
   * not (DNS failure, connection refused, timeout before the body was written). A refresh whose
   * answer was lost with this true may have consumed the refresh token (RFC 6819 §5.2.2.3).
   */
  readonly requestMayHaveBeenProcessed: boolean;
  /** HTTP status when the server answered (5xx, 429, 408). */
  readonly status: number | undefined;
  /** The server's `Retry-After`, in ms, when it sent a usable one (RFC 9110 §10.2.3). */
  readonly retryAfterMs: number | undefined;
  /** The low-level code: `ETIMEDOUT`, `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `HTTP_503`, … */
  readonly reason: string;

  constructor(
    message: string,
    details: { requestMayHaveBeenProcessed: boolean; reason: string; status?: number; retryAfterMs?: number },
  ) {
    super('ERR_NETWORK', message);
    this.requestMayHaveBeenProcessed = details.requestMayHaveBeenProcessed;
    this.reason = details.reason;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  override get name(): string {
    return 'NetworkError';
  }
}

/**
 * A JSON.parse failure described without quoting the input: V8's messages can include a slice of the
 * text (`Unexpected token 's', "secret…" is not valid JSON`), and config and state files hold secrets.
 * With the text, the place is given as line and column (issue #15), as an editor shows it.
 */
export function jsonSyntaxProblem(error: unknown, text?: string): string {
  if (text !== undefined) {
    const at = jsonErrorIndex(text);
    if (at >= 0) {
      const { line, column } = lineAndColumn(text, at);
      return at >= text.length ? `not valid JSON (it ends too early, at line ${line}, column ${column})` : `not valid JSON (error at line ${line}, column ${column})`;
    }
  }
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return `not valid JSON (error at byte ${position})`;
  return /end of JSON input/i.test(message) ? 'not valid JSON (it ends too early)' : 'not valid JSON';
}

/** 1-based line and column of a string index; a column counts characters, as editors do. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}
