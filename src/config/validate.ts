/**
 * Pure validation of a parsed configuration plus environment overrides. Every problem is one
 * `ConfigError` naming the key and where its value came from (issue #2).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { endpointUrlProblem } from '../net/url-policy.js';
import type { Config } from './types.js';
import {
  DEFAULTS,
  DEFAULT_RUNTIME_DIR,
  DEFAULT_STATE_DIR,
  ENV_PREFIX,
  NOT_CONFIG_KEYS,
  KEYS,
  SOCKET_NAME,
  envName,
  type ConfigKey,
  type KeySpec,
} from './schema.js';

export interface ConfigInput {
  /** The parsed JSON of the config file, or undefined when there is no file. */
  file: unknown;
  /** The file's path, for messages and for resolving a relative `state_dir`. */
  path: string;
  /**
   * Where the settings came from when there is no file at `path`: named in messages instead of the
   * missing file (issue #15: configured by the environment alone).
   */
  source?: string;
  /** The process environment (only `PAIRING_AGENT_*` and `STATE_DIRECTORY` are read). */
  env: Readonly<Record<string, string | undefined>>;
}

const KNOWN = Object.keys(KEYS) as ConfigKey[];

function isKnownKey(key: string): key is ConfigKey {
  return Object.hasOwn(KEYS, key);
}

/** Validates the file and the environment overrides and fills in defaults. Throws `ConfigError`. */
export function validateConfig({ file, path, env, source }: ConfigInput): Config {
  const origin = source ?? path;
  if (file !== undefined && (typeof file !== 'object' || file === null || Array.isArray(file))) {
    throw new ConfigError('must contain a JSON object ({ "client_id": ... })', path);
  }
  const values = new Map<ConfigKey, { value: unknown; source: string }>();

  for (const [key, value] of Object.entries((file ?? {}) as Record<string, unknown>)) {
    if (!isKnownKey(key)) throw new ConfigError(unknownKeyMessage(key), path, key);
    values.set(key, { value: checkValue(key, KEYS[key], value, path), source: path });
  }

  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG_KEYS.has(name) || raw === undefined) continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase();
    const source = `environment ${name}`;
    if (!isKnownKey(key)) throw new ConfigError(unknownKeyMessage(key), source, key);
    values.set(key, { value: checkValue(key, KEYS[key], fromEnv(KEYS[key], raw), source), source });
  }

  const get = <K extends ConfigKey>(key: K): unknown => values.get(key)?.value;
  const sourceOf = (key: ConfigKey): string => values.get(key)?.source ?? origin;

  const clientId = get('client_id');
  if (clientId === undefined) {
    throw new ConfigError(`is required (the OAuth client registered for this device; or set ${envName('client_id')})`, origin, 'client_id');
  }
  if (get('issuer') === undefined) {
    for (const key of ['device_authorization_endpoint', 'token_endpoint'] as const) {
      if (get(key) === undefined) {
        throw new ConfigError(`is required when "issuer" is not set (no discovery without an issuer)`, origin, key);
      }
    }
  }

  const secret = get('client_secret') as string | undefined;
  const method = (get('token_endpoint_auth_method') ??
    (secret === undefined ? 'none' : 'client_secret_basic')) as Config['token_endpoint_auth_method'];
  if (method === 'none' && secret !== undefined) {
    throw new ConfigError(
      'is "none" but client_secret is set: remove the secret or choose client_secret_basic / client_secret_post',
      sourceOf('token_endpoint_auth_method'),
      'token_endpoint_auth_method',
    );
  }
  if (method !== 'none' && secret === undefined) {
    throw new ConfigError(`is required when token_endpoint_auth_method is "${method}"`, origin, 'client_secret');
  }

  const stateDir = (get('state_dir') as string | undefined) ?? env.STATE_DIRECTORY?.split(':')[0] ?? DEFAULT_STATE_DIR;

  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(path, '..', p));
  const stateDirectory = absolute(stateDir);
  // Outside the 0700 state directory when there is a runtime directory to use (issue #13): systemd's,
  // or the unit's own path for the default state directory. A custom state directory keeps it inside
  // (reachable by the agent's user only) unless socket_path says otherwise.
  const runtimeDir = env.RUNTIME_DIRECTORY?.split(':')[0] ?? (stateDirectory === DEFAULT_STATE_DIR ? DEFAULT_RUNTIME_DIR : undefined);
  const socketPath = (get('socket_path') as string | undefined) ?? join(runtimeDir ?? stateDirectory, SOCKET_NAME);

  const config: Config = {
    ...DEFAULTS,
    extra_params: { ...DEFAULTS.extra_params },
    client_id: clientId as string,
    token_endpoint_auth_method: method,
    state_dir: stateDirectory,
    socket_path: absolute(socketPath),
  };
  for (const [key, { value }] of values) {
    if (key === 'state_dir' || key === 'token_endpoint_auth_method' || key === 'socket_path') continue;
    (config as unknown as Record<string, unknown>)[key] = value;
  }
  return config;
}

/** Checks one value against its spec; returns it (normalized) or throws naming the key. */
/** Keys whose values are secret or may be (`extra_params` can carry provider keys): errors name only types. */
const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set(['client_secret', 'extra_params']);

function checkValue(key: ConfigKey, spec: KeySpec, value: unknown, source: string): unknown {
  const fail = (problem: string): never => {
    throw new ConfigError(problem, source, key);
  };
  const describe = SECRET_KEYS.has(key) ? describeType : describeValue;
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return fail(`must be a string, got ${describe(value)}`);
      if (value.trim() === '' && !('emptyMeans' in spec)) return fail('must not be empty');
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        return fail(`is too long (${value.length} characters, at most ${spec.maxLength})`);
      }
      return value;
    }
    case 'url': {
      if (typeof value !== 'string') return fail(`must be a URL string, got ${describe(value)}`);
      const problem = endpointUrlProblem(value);
      if (problem !== undefined) return fail(problem);
      // RFC 8414 §3.3 compares issuers as strings; keep the value exactly as configured.
      return value;
    }
    case 'path': {
      if (typeof value !== 'string') return fail(`must be a directory path string, got ${describe(value)}`);
      if (value.trim() === '') return fail('must not be empty');
      if (value.includes('\0')) return fail('must not contain NUL bytes');
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(`must be true or false, got ${describe(value)}`);
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`must be an integer, got ${describe(value)}`);
      if (value < spec.min || value > spec.max) return fail(`must be between ${spec.min} and ${spec.max}, got ${value}`);
      return value;
    }
    case 'enum': {
      if (!spec.values.includes(value as string | number)) {
        return fail(`must be one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`);
      }
      return value;
    }
    case 'string-map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return fail(`must be an object of string values, got ${describe(value)}`);
      }
      for (const [name, v] of Object.entries(value)) {
        if (typeof v !== 'string') return fail(`.${name} must be a string, got ${describe(v)}`);
      }
      return { ...value };
    }
  }
}

/** Environment values are strings: read them as the key's type, leaving the check to `checkValue`. */
function fromEnv(spec: KeySpec, raw: string): unknown {
  switch (spec.type) {
    case 'boolean':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case 'enum':
      if (spec.values.some((v) => typeof v === 'number')) {
        const n = /^0x[0-9a-f]+$/i.test(raw) ? Number.parseInt(raw, 16) : Number(raw);
        return Number.isNaN(n) || raw.trim() === '' ? raw : n;
      }
      return raw;
    case 'string-map':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

/** The type only: for values that must not be echoed. */
function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function unknownKeyMessage(key: string): string {
  const near = KNOWN.map((k) => [k, editDistance(k, key)] as const)
    .filter(([, d]) => d <= 3)
    .sort((a, b) => a[1] - b[1])[0];
  return near === undefined
    ? `unknown key (known keys: ${KNOWN.join(', ')})`
    : `unknown key: did you mean "${near[0]}"?`;
}

/** Levenshtein distance, for "did you mean" on a mistyped key. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
