/**
 * Dispatch to one subcommand. Exit codes: 0 ok, 1 failure, 2 usage or configuration error (issue #2),
 * 3 unpaired but the tokens were not revoked (`logout`, issue #13).
 * Global options work before or after the command, and every command answers `--help` (issue #15).
 */
import { UsageError } from '../errors.js';
import { commandIndex, parseLine, wantsDebug } from './args.js';
import { COMMANDS, type CommandEntry } from './commands.js';
import { commandHelp, overviewHelp } from './help.js';
import type { CliIo } from './io.js';
import { EXIT_OK, EXIT_USAGE, reportError } from './report.js';
import { packageVersion } from '../version.js';

export { EXIT_FAILURE, EXIT_NOT_REVOKED, EXIT_OK, EXIT_USAGE, reportError } from './report.js';

export const helpText = (): string => overviewHelp(packageVersion(), COMMANDS);

function entryOf(name: string): CommandEntry {
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) throw new UsageError(`unknown command "${name}" (see pairing-agent --help)`);
  return entry;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = wantsDebug(argv, io.env);
  try {
    const at = commandIndex(argv);
    const name = at === -1 ? undefined : argv[at];
    if (name === undefined || name === 'help') {
      // No command yet: only global options, and `help [command]`.
      const { values, positionals } = parseLine(at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)], {});
      if (values.version) {
        io.stdout(`${packageVersion()}\n`);
        return EXIT_OK;
      }
      const topic = positionals[0];
      if (topic !== undefined) {
        if (positionals.length > 1) throw new UsageError(`help takes one command name (see pairing-agent --help)`);
        const entry = entryOf(topic);
        io.stdout(commandHelp(entry, await entry.load()));
        return EXIT_OK;
      }
      io.stdout(helpText());
      return values.help || name === 'help' ? EXIT_OK : EXIT_USAGE;
    }
    const entry = entryOf(name);
    const module = await entry.load();
    const { values, positionals } = parseLine([...argv.slice(0, at), ...argv.slice(at + 1)], module.options, name);
    if (values.help) {
      io.stdout(commandHelp(entry, module));
      return EXIT_OK;
    }
    if (values.version) {
      io.stdout(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (!module.positionals && positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}" (see pairing-agent ${name} --help)`, name);
    }
    const configPath = typeof values.config === 'string' ? values.config : undefined;
    const logFormat = values['log-format'];
    if (logFormat !== undefined && logFormat !== 'logfmt' && logFormat !== 'json') {
      throw new UsageError(`--log-format must be logfmt or json, got ${JSON.stringify(logFormat)}`, name);
    }
    return await module.default({
      positionals,
      values,
      configPath,
      io,
      logFormat,
      debug,
      showUsage: () => {
        io.stdout(commandHelp(entry, module));
        return EXIT_USAGE;
      },
    });
  } catch (error) {
    return reportError(error, io, debug);
  }
}
