/**
 * The command's output, written to its descriptor at once. Not `process.stdout`: building that stream
 * loads node:net or node:tty and the streams under them (a pipe or a terminal is a socket to Node), a
 * few per cent of `status`'s start-up on a Pi's budget when nothing else needs them (issue #18).
 */
import { writeSync } from 'node:fs';

let pause: Int32Array | undefined;

/** Writes all of `data`; a descriptor left non-blocking by another process (EAGAIN) is waited for. */
export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}
