/** What a command may touch of its process: passed in, so commands run in tests without a child. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export interface CommandContext {
  /** Arguments after the command name. */
  args: string[];
  /** `--config FILE` given before the command, if any. */
  configPath: string | undefined;
  io: CliIo;
}

/** A command resolves to its exit code. */
export type Command = (ctx: CommandContext) => Promise<number>;
