/**
 * The one way the agent writes and reads its own files in the state directory (the state, the DPoP key,
 * the discovery cache; issue #14 item 3), never through a symbolic link (issue #13): a planted
 * `state.json` → another user's file must not get our JSON (tokens included), our mode or our owner.
 *
 * A replacement is temp file in the same directory (O_EXCL, O_NOFOLLOW, the final mode) → write → fsync →
 * rename → fsync of the directory, so a power cut leaves either the old file or the whole new one, and
 * the rename itself survives (fsync(2); LWN "Ensuring data reaches disk"; Pillai et al., OSDI 2014);
 * rename replaces a link itself, never its target. Modes are changed through an open descriptor (fchmod).
 *
 * Ours rather than conf's (`atomically`): the same steps without what an SD card pays for and we never
 * used — a realpath and stat before each write, a chmod of the temp file after it, a tab-indented
 * document — and without loading conf and its schema validator (ajv), which cost 1.4 s on a Pi's CPU
 * budget the first time a code was shown and several MB in every paired daemon (issue #18). conf's
 * `atomically` also resolved a link first and chowned the new file to the target's owner (issue #13).
 */
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some file systems cannot fsync a directory (EINVAL); the rename is still atomic there.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * The temp file's name: `NAME.tmp-` + 10 digits (Unix seconds) + 6 hex digits, the pattern conf's
 * atomically used, so one rule ({@link tempFilePattern}) finds the leftovers of either after a crash.
 */
function tempNameFor(name: string, nowMs: number = Date.now()): string {
  // node:crypto on first use, not at start-up: the daemon reads the state before its first frame, and
  // writes it only later (issue #18).
  return `${name}.tmp-${String(Math.floor(nowMs / 1000)).padStart(10, '0').slice(-10)}${process.getBuiltinModule('node:crypto').randomBytes(3).toString('hex')}`;
}

/** Temp files of {@link replaceFile} for the file `name`. */
export const tempFilePattern = (name: string): RegExp => new RegExp(`^${name.replace(/\./g, '\\.')}\\.tmp-\\d{10}[0-9a-f]{6}$`);

/**
 * Replaces `path` with `text` durably and atomically, mode `mode`, whatever `path` was (a file, a
 * link, nothing): the O_EXCL|O_NOFOLLOW temp file and the rename never follow a link. On disk when it
 * returns; a failed write leaves no temp file.
 * @throws the OS error (ENOSPC, EROFS, EACCES…)
 */
export function replaceFile(path: string, text: string, mode = 0o600): void {
  const dir = dirname(path);
  const temp = join(dir, tempNameFor(basename(path)));
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone (renamed) or never there.
    }
    throw error;
  }
  fsyncDirectory(dir);
}

/**
 * Removes `path` (unlink(2) removes a link itself, never its target), durably: the directory is synced
 * before it returns. False when there was nothing to remove.
 * @throws the OS error for anything but a missing file
 */
export function removeFile(path: string): boolean {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  fsyncDirectory(dirname(path));
  return true;
}

/** Renames `from` to `to` in the same directory (a link itself, never its target), durably. */
export function moveFile(from: string, to: string): void {
  renameSync(from, to);
  fsyncDirectory(dirname(to));
}

/**
 * Removes the temp files a killed write left in `dir` (never a file in use: each write makes its own),
 * and returns their names. Not synced: a leftover that comes back after a power cut is removed again.
 */
export function removeTempFiles(dir: string, isTemp: (name: string) => boolean): string[] {
  const names = readdirSync(dir).filter(isTemp);
  for (const name of names) unlinkSync(join(dir, name));
  return names;
}

export type SmallFile =
  | { kind: 'missing' }
  | { kind: 'text'; text: string }
  /** Over `maxBytes`: never read (a 300 MB file took 660 MB of memory, issue #13). */
  | { kind: 'too_large'; size: number }
  /** A link, a FIFO, a directory, a device: not something the agent wrote. */
  | { kind: 'not_a_file'; what: string };

/**
 * Reads a file the agent wrote, if it is one: a regular file, not a link, at most `maxBytes`.
 * O_NONBLOCK so that a FIFO planted in its place cannot hang the open.
 * @throws the OS error for anything but a missing file or a link (EACCES, EIO…)
 */
export function readSmallFile(path: string, maxBytes: number): SmallFile {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'not_a_file', what: 'a symbolic link' };
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'not_a_file', what: stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : 'not a regular file' };
    if (stat.size > maxBytes) return { kind: 'too_large', size: stat.size };
    // Read at most maxBytes + 1 whatever fstat said (the file may grow meanwhile).
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(stat.size, 0) + 1));
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) {
        if (length > maxBytes) return { kind: 'too_large', size: length };
        break;
      }
    }
    return { kind: 'text', text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Narrows a file's mode to `mode` when it is wider (a hand-made 0644 copy), through a descriptor
 * opened without following links. Returns the old mode when it changed it.
 */
export function tightenFile(path: string, mode: number): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    const old = stat.mode & 0o777;
    if (!stat.isFile() || (old & ~mode) === 0) return undefined;
    fchmodSync(fd, mode);
    return old;
  } finally {
    closeSync(fd);
  }
}
