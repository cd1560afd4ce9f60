/**
 * Daemons started by `startSimulatedDevice` die with the process that started them, even when a test
 * forgets `stop()` or the runner exits early (issue #17: "never leaves a process behind"). One `exit`
 * listener for all of them.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Tracks `child` until the returned function is called (after it exited). */
export function killOnExit(child: ChildProcess): () => void {
  if (live.size === 0) process.on('exit', killAll);
  live.add(child);
  return () => {
    live.delete(child);
    if (live.size === 0) process.off('exit', killAll);
  };
}
