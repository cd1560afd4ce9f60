/**
 * The base of every error with a stable `code` (got's `core/errors.ts`, oauth4webapi): the HAL's hardware
 * errors, and through `src/errors.ts` the agent's own. It sits in the lowest layer so `hal/` needs nothing from
 * `src/` (issue #14 item 1), while a hardware error is still an `AgentError` to the CLI's one-line reports.
 * Callers branch on `code`, never on message text.
 *
 * Each class names itself with a literal (`name`), never `constructor.name`: the CLI is shipped minified
 * (scripts/bundle-cli.mjs), and a class's name must not depend on how it was built (issue #14 item 5).
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return 'CodedError';
  }
}
