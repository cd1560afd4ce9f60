/**
 * The files the agent writes, never through a symbolic link (issue #13): a planted `state.json` →
 * another user's file must not get our JSON (tokens included), our mode or our owner. Every open for
 * writing is O_NOFOLLOW (and O_EXCL for temp files), modes are changed through the open descriptor
 * (fchmod), and a replacement is temp file (0600, same directory) → fsync → rename → fsync of the
 * directory (fsync(2); LWN "Ensuring data reaches disk"; Pillai et al., OSDI 2014): rename replaces
 * a link itself, never its target. conf's `atomically` resolved the link first and chowned the new
 * file to the target's owner, which is why the state no longer goes through it.
 */
import { closeSync, constants, fchmodSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeFileDurably } from './fs-durable.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

/**
 * Temp files of `writeFileDurably` (`tempNameFor`): `NAME.tmp-` + 10 digits + 6 hex digits, the
 * names conf's `atomically` used too, so leftovers of either are recognised.
 */
export const tempFilePattern = (name: string): RegExp => new RegExp(`^${name.replace(/\./g, '\\.')}\\.tmp-\\d{10}[0-9a-f]{6}$`);

/**
 * Replaces `path` with `text` durably and atomically, mode `mode`, whatever `path` was (a file, a
 * link, nothing): `writeFileDurably`'s O_EXCL|O_NOFOLLOW temp file and rename never follow a link.
 * @throws the OS error (ENOSPC, EROFS, EACCES…)
 */
export function replaceFile(path: string, text: string, mode = 0o600): void {
  writeFileDurably(dirname(path), basename(path), text, mode);
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
