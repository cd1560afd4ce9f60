/** What a command may touch of its process: passed in, so commands run in tests without a child. */
export interface CliIo {
  /** Text, or bytes (`sim screen --png -` writes a PNG to stdout, issue #15). */
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal: binary output is refused there. */
  stdoutIsTTY?: boolean;
}

/** One command-line option, with the line `--help` prints for it (issue #15). */
export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** The value's placeholder in help, e.g. `FILE` (string options). */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  /** Arguments after the command name that are not options (e.g. `press` in `sim press`). */
  positionals: string[];
  /** The command's options and the global ones, parsed wherever they stood (issue #15). */
  values: OptionValues;
  /** `-c/--config FILE`, before or after the command. */
  configPath: string | undefined;
  io: CliIo;
  /** `--log-format`, when given: it wins over the configuration's `log_format` (issue #15). */
  logFormat: 'logfmt' | 'json' | undefined;
  /** `--debug` or PAIRING_AGENT_DEBUG=1: stack traces, and the log's debug lines (each provider request). */
  debug: boolean;
  /** Prints this command's help on stdout and returns the usage exit code (`config` alone, `sim` alone). */
  showUsage(): number;
}

/** A command resolves to its exit code. */
export type Command = (ctx: CommandContext) => Promise<number>;

/**
 * A command's module (`commands/<name>.ts`): its options and examples are declared beside its code, so
 * a new command brings its own help. The one-line summary and usage stay in `commands.ts` so that
 * `pairing-agent --help` loads no command (issue #9).
 */
export interface CommandModule {
  /** The command's own options; the global ones (`--config`, `--help`, …) are added by the CLI. */
  options: Record<string, OptionSpec>;
  /** Whether it takes positional arguments (subcommands); if not, any is a usage error. */
  positionals?: boolean;
  /** Lines explaining more than the summary does (optional). */
  details?: string[];
  /** Complete command lines a person can copy. */
  examples: string[];
  default: Command;
}
