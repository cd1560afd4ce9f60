/**
 * The state directory is the agent's alone (issue #13): owned by the user the agent runs as and
 * writable by nobody else, or someone else could plant links, replace files and read tokens. A
 * directory owned by another user is refused with one line saying what to fix; a mode that is too
 * wide on our own directory is narrowed to 0700 and reported. A read-only directory (a read-only
 * bind mount, a card remounted read-only after errors) is reported, not fatal: the agent can still
 * serve the tokens it has (issue #13 item 4).
 */
import { accessSync, closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { AgentError } from '../errors.js';

export const DIR_MODE = 0o700;

export interface PrivateDirectory {
  /** The directory cannot be written (EROFS, or no write permission). */
  readOnly: boolean;
  /** The mode it had when the agent narrowed it to 0700. */
  tightenedFrom?: number;
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

/** Creates `dir` (0700) if needed and checks it is private. @throws AgentError ERR_STATE, one line */
export function securePrivateDirectory(dir: string): PrivateDirectory {
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw new AgentError('ERR_STATE', `state_dir ${dir}: cannot create it (${codeOf(error)}): create it for the agent's user, mode 0700`);
  }
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    const code = codeOf(error);
    const fix = code === 'EACCES' ? "run pairing-agent as the user that owns it (the agent's user), or fix its owner" : 'check that it is a directory';
    throw new AgentError('ERR_STATE', `state_dir ${dir}: cannot open it (${code}): ${fix}`);
  }
  try {
    const stat = fstatSync(fd);
    const euid = process.geteuid?.();
    if (euid !== undefined && stat.uid !== euid) {
      throw new AgentError(
        'ERR_STATE',
        `state_dir ${dir} belongs to uid ${stat.uid}, not to the agent's user (uid ${euid}): run the agent as its owner, or chown it to the agent's user (mode 0700)`,
      );
    }
    const old = stat.mode & 0o777;
    let readOnly = !writable(dir);
    if ((old & ~DIR_MODE) === 0) return { readOnly };
    try {
      fchmodSync(fd, DIR_MODE);
    } catch (error) {
      // Read-only: only a directory nobody else can write is acceptable as it is.
      if ((old & 0o022) !== 0) throw new AgentError('ERR_STATE', `state_dir ${dir} is writable by others (mode ${old.toString(8)}) and cannot be fixed (${codeOf(error)}): chmod 700 it`);
      readOnly = true;
      return { readOnly };
    }
    return { readOnly, tightenedFrom: old };
  } finally {
    closeSync(fd);
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `dir` is on a read-only file system (EROFS: a read-only bind mount, a card remounted read-only).
 * Only that: a user who merely may not write it is not told the card is read-only (issue #13).
 */
export function onReadOnlyFileSystem(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (error) {
    return codeOf(error) === 'EROFS';
  }
}
