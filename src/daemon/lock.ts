/**
 * One writer per state directory (issue #4): a lock file holding the owner's pid, created with
 * O_EXCL. A lock whose pid is gone (the owner was SIGKILLed, the power failed) is taken over.
 * The daemon holds it for its lifetime; CLI commands hold it only while they touch the state.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors.js';

export const LOCK_FILE = 'agent.lock';

export interface StateLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the lock, if that process is alive. */
export function lockOwner(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, LOCK_FILE), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock once, or returns the live owner's pid. */
export function tryLock(dir: string): StateLock | { owner: number } {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AgentError('ERR_STATE', `cannot create ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const owner = lockOwner(dir);
      if (owner !== undefined && owner !== process.pid) return { owner };
      // Stale (owner dead or unreadable half-written file): remove and retry.
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first.
      }
    }
  }
  throw new AgentError('ERR_STATE', `cannot take ${path}: it keeps reappearing`);
}

/** Waits for the lock (CLI commands racing each other), up to `timeoutMs`. */
export async function waitLock(dir: string, timeoutMs: number): Promise<StateLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = tryLock(dir);
    if ('release' in result) return result;
    if (Date.now() >= deadline) {
      throw new AgentError('ERR_STATE', `the state in ${dir} is busy (process ${result.owner} holds ${LOCK_FILE})`);
    }
    await sleep(25 + Math.random() * 50);
  }
}
