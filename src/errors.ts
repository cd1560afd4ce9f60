/**
 * The agent's few error classes, each with a stable `code` (got's `core/errors.ts`, oauth4webapi).
 * Callers branch on `code`, never on message text; messages are for people and may change.
 */

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
  /** Hardware (GPIO, I2C) is missing or not accessible. */
  | 'ERR_HARDWARE'
  /** Wrong command-line usage. Exit code 2. */
  | 'ERR_USAGE';

export class AgentError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

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
}

/** Wrong command-line usage (unknown command or flag). */
export class UsageError extends AgentError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}
