/**
 * The base of every error with a stable `code` (got's `core/errors.ts`, oauth4webapi): the HAL's hardware
 * errors, and through `src/errors.ts` the agent's own. It sits in the lowest layer so `hal/` needs nothing from
 * `src/` (issue #14 item 1), while a hardware error is still an `AgentError` to the CLI's one-line reports.
 * Callers branch on `code`, never on message text.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}
