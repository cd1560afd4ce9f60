/**
 * Crash-safe, durable file writes for the state directory: temp file in the same directory (0600,
 * O_EXCL, O_NOFOLLOW) → write → fsync → rename → fsync of the directory, so a power cut leaves either
 * the old file or the whole new one, and the rename itself survives (fsync(2); LWN "Ensuring data
 * reaches disk"; Pillai et al., OSDI 2014).
 *
 * Ours rather than conf's (atomically): the same steps without what an SD card pays for and we never
 * used — a realpath and stat before each write, a chmod of the temp file after it, a tab-indented
 * document — and without loading conf and its schema validator (ajv), which cost 1.4 s on a Pi's CPU
 * budget the first time a code was shown and several MB in every paired daemon (issue #18).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
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
 * atomically used, so one rule finds the leftovers of either after a crash.
 */
export function tempNameFor(name: string, nowMs: number = Date.now()): string {
  return `${name}.tmp-${String(Math.floor(nowMs / 1000)).padStart(10, '0').slice(-10)}${randomBytes(3).toString('hex')}`;
}

/** Replaces `dir/name` with `text`, durably, before it returns. A failed write leaves no temp file. */
export function writeFileDurably(dir: string, name: string, text: string, mode: number): void {
  const temp = join(dir, tempNameFor(name));
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, join(dir, name));
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
