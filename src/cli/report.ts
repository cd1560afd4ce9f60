/**
 * How a failed command ends: one line on stderr and an exit code (issue #2, #15). The stack trace is
 * for developers only: `--debug` or PAIRING_AGENT_DEBUG=1 adds it.
 */
import { AgentError, UsageError } from '../errors.js';
import { printable } from '../text/printable.js';
import type { CliIo } from './io.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** `logout` wiped the tokens, but the provider did not confirm revoking them (issue #13). */
export const EXIT_NOT_REVOKED = 3;

/** What the operating system's error codes mean, said as a person would. */
const SYSTEM_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EPIPE: 'the reader went away',
};

const VERBS: Record<string, string> = { open: 'open', write: 'write', read: 'read', mkdir: 'create', rename: 'rename', unlink: 'remove', connect: 'connect to' };

export function reportError(error: unknown, io: CliIo, debug = false): number {
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  if (error instanceof AgentError) {
    const who = error instanceof UsageError && error.command !== undefined ? `pairing-agent ${error.command}` : 'pairing-agent';
    // A message may quote the provider (`error_description`): printable only (issue #13).
    io.stderr(`${who}: ${printable(error.message)}\n${stack}`);
    return error.code === 'ERR_CONFIG' || error.code === 'ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const system = error as { code?: unknown; syscall?: unknown; path?: unknown } | null;
  if (typeof system?.code === 'string' && typeof system.syscall === 'string') {
    // A file we were told to write, a directory we cannot reach: the user's to fix, said in one line.
    const verb = VERBS[system.syscall] ?? system.syscall;
    const what = typeof system.path === 'string' ? ` ${system.path}` : '';
    io.stderr(`pairing-agent: cannot ${verb}${what}: ${SYSTEM_PROBLEMS[system.code] ?? system.code}\n${stack}`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`pairing-agent: unexpected error: ${printable(message.split('\n')[0] ?? '')}${stack ? `\n${stack}` : ' (run again with --debug for details)\n'}`);
  return EXIT_FAILURE;
}
