/**
 * Global flags and dispatch to one subcommand. Exit codes: 0 ok, 1 failure, 2 usage or configuration
 * error (issue #2).
 */
import { parseArgs } from 'node:util';
import { AgentError, UsageError } from '../errors.js';
import { COMMANDS } from './commands.js';
import type { CliIo } from './io.js';
import { packageVersion } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function helpText(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `pairing-agent ${packageVersion()}: pairs this device with an account (OAuth 2.0 Device Authorization Grant, RFC 8628)

Usage: pairing-agent [--config FILE] <command> [options]

Commands:
${lines.join('\n')}

Options:
  -c, --config FILE  configuration file (default: $PAIRING_AGENT_CONFIG or /etc/pairing-agent/config.json)
  -h, --help         show this help
  -V, --version      print the version

Every configuration key can be overridden by an environment variable PAIRING_AGENT_<KEY>,
e.g. PAIRING_AGENT_CLIENT_ID=my-device.
`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const commandAt = firstPositional(argv);
    const globalArgs = commandAt === -1 ? argv : argv.slice(0, commandAt);
    const { values } = parseArgs({
      args: globalArgs,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.version) {
      io.stdout(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (values.help || commandAt === -1) {
      io.stdout(helpText());
      return values.help ? EXIT_OK : EXIT_USAGE;
    }
    const name = argv[commandAt] ?? '';
    if (name === 'help') {
      io.stdout(helpText());
      return EXIT_OK;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (entry === undefined) throw new UsageError(`unknown command "${name}" (see pairing-agent --help)`);
    const command = (await entry.load()).default;
    return await command({ args: argv.slice(commandAt + 1), configPath: values.config, io });
  } catch (error) {
    return reportError(error, io);
  }
}

/** Index of the command name: the first argument that is neither a flag nor a flag's value. */
function firstPositional(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-c' || arg === '--config') i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

/** One line on stderr; the exit code says what kind of failure it was. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof AgentError) {
    io.stderr(`pairing-agent: ${error.message}\n`);
    return error.code === 'ERR_CONFIG' || error.code === 'ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`pairing-agent: ${(error as Error).message} (see pairing-agent --help)\n`);
    return EXIT_USAGE;
  }
  io.stderr(`pairing-agent: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILURE;
}
