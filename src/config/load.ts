/**
 * Reads the configuration file (the I/O shell around `validate.ts`).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, jsonSyntaxProblem } from '../errors.js';
import type { Config } from './types.js';
import { ENV_CONFIG_PATH, envName } from './schema.js';
import { validateConfig } from './validate.js';

export const DEFAULT_CONFIG_PATH = '/etc/pairing-agent/config.json';

/** Where the settings come from when there is no file and `PAIRING_AGENT_*` variables configure it all. */
export const ENV_ONLY_SOURCE = 'environment (no configuration file)';

/** A config file is a few hundred bytes; anything past this is not ours. */
const MAX_CONFIG_BYTES = 64 * 1024;

export interface LoadOptions {
  /** From `--config`; otherwise `$PAIRING_AGENT_CONFIG`, otherwise the default path. */
  path?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads and validates the configuration. A missing file is an error, except at the default path when
 * the environment supplies `PAIRING_AGENT_CLIENT_ID` (CI and containers configure by environment):
 * then the returned `path` is {@link ENV_ONLY_SOURCE}, which messages name.
 */
export function loadConfig({ path, env = process.env }: LoadOptions = {}): { config: Config; path: string } {
  const explicit = path ?? env[ENV_CONFIG_PATH];
  const file = explicit ?? DEFAULT_CONFIG_PATH;
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const envOnly = explicit === undefined && code === 'ENOENT' && env[envName('client_id')] !== undefined;
    if (!envOnly) throw new ConfigError(readProblem(code), file, undefined, { cause: error });
    // Issue #15: the environment is the whole configuration; say so instead of naming a missing file.
    return { config: validateConfig({ file: undefined, path: file, env, source: ENV_ONLY_SOURCE }), path: ENV_ONLY_SOURCE };
  }
  let parsed: unknown;
  if (text !== undefined) {
    if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
      throw new ConfigError(`is larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a configuration file`, file);
    }
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (error) {
      throw new ConfigError(`is ${jsonSyntaxProblem(error, text)}`, file, undefined, { cause: error });
    }
  }
  return { config: validateConfig({ file: parsed, path: file, env }), path: file };
}

function readProblem(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'cannot read the configuration: no such file (pass --config FILE)';
    case 'EACCES':
      return 'cannot read the configuration: permission denied (run as the pairing-agent user or root)';
    case 'EISDIR':
      return 'cannot read the configuration: it is a directory, not a file';
    default:
      return `cannot read the configuration (${code ?? 'unknown error'})`;
  }
}
