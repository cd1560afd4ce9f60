/**
 * A directory made read-only in place by a read-only bind mount, as a card the kernel remounted
 * read-only after I/O errors (issue #13). Root only: callers skip with `NOT_ROOT` otherwise.
 */
import { spawnSync } from 'node:child_process';

/** Mounts `dir` read-only over itself; returns the unmount. */
export function readOnlyBind(dir: string): () => void {
  for (const args of [['--bind', dir, dir], ['-o', 'remount,bind,ro', dir]]) {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
  }
  return () => void spawnSync('umount', [dir]);
}
