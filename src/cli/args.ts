/**
 * Pure command-line parsing (issue #15): global options stand before or after the command, as in gh
 * and kubectl (`pairing-agent status --json --config FILE`, the spelling of issue #7's contract), and
 * every parse failure becomes one line of ours that names the command.
 */
import { parseArgs } from 'node:util';
import { ENV_DEBUG } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { OptionSpec, OptionValues } from './io.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  config: {
    type: 'string',
    short: 'c',
    value: 'FILE',
    description: 'configuration file (default: $PAIRING_AGENT_CONFIG or /etc/pairing-agent/config.json)',
  },
  help: { type: 'boolean', short: 'h', description: "show help (a command's: usage, options, an example)" },
  version: { type: 'boolean', short: 'V', description: 'print the version' },
  debug: { type: 'boolean', description: 'add stack traces to errors, and each provider request to the log (or PAIRING_AGENT_DEBUG=1)' },
  'log-format': { type: 'string', value: 'FORMAT', description: 'logfmt (default) or json: one JSON object per log line' },
};

/** Global options that take a value: their value is never the command name. */
const VALUED = new Set(
  Object.entries(GLOBAL_OPTIONS).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`, ...(o.short ? [`-${o.short}`] : [])] : [])),
);

/** Index of the command name: the first argument that is neither an option nor a global option's value. */
export function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (VALUED.has(arg)) i++;
    else if (!arg.startsWith('-') || arg === '-') return i;
  }
  return -1;
}

/** Whether `--debug` stands anywhere before `--`: known before parsing, so parse errors honour it too. */
export function wantsDebug(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--debug') || /^(1|true|yes)$/i.test(env[ENV_DEBUG] ?? '');
}

export interface ParsedLine {
  values: OptionValues;
  positionals: string[];
}

/**
 * Parses `args` against the global options plus `own` (a command's). `command` names the command in
 * error messages; undefined before one is known.
 */
export function parseLine(args: readonly string[], own: Record<string, OptionSpec>, command?: string): ParsedLine {
  const options = Object.fromEntries(
    Object.entries({ ...GLOBAL_OPTIONS, ...own }).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    throw parseProblem(error, command);
  }
}

/** Node's parseArgs messages, rewritten as one line of ours (they quote oddly and name no command). */
export function parseProblem(error: unknown, command?: string): unknown {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS') || typeof message !== 'string') return error;
  const option = /'([^']+)'/.exec(message)?.[1] ?? '';
  const flag = option.split(/[ ,]+/).find((part) => part.startsWith('--')) ?? option;
  let problem: string;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') problem = `unknown option '${option}'`;
  else if (/argument missing/.test(message)) problem = `option '${flag}' needs a value`;
  else if (/does not take an argument/.test(message)) problem = `option '${flag}' takes no value`;
  else problem = message.replace(/\s+/g, ' ').trim();
  return new UsageError(`${problem} (see pairing-agent ${command === undefined ? '' : `${command} `}--help)`, command);
}
