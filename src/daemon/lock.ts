/**
 * One writer per state directory (issue #4). The lock is a listening Unix socket in Linux's abstract
 * namespace, named after the state directory: the kernel gives it to one process at a time and takes
 * it back the instant that process dies — SIGKILL and power loss included — so there is no lock file
 * to go stale, no pid that another process may have reused after a reboot, and no window in which two
 * processes both "take over" a stale lock. The daemon holds it for its lifetime; CLI commands hold it
 * only while they touch the state.
 *
 * Elsewhere (a developer's macOS laptop running the simulator) a socket file in the state directory
 * stands in, with a connect probe to tell a live holder from a dead one's leftover file.
 */
import { createHash } from 'node:crypto';
import { realpathSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors.js';

export const LOCK_SOCKET = 'agent.lock';

export interface StateLock {
  release(): Promise<void>;
}

/** Where the lock lives for `dir`: an abstract socket name on Linux, a socket file elsewhere. */
export function lockAddress(dir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux') return join(dir, LOCK_SOCKET);
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32);
  return `\0pairing-agent/${id}`;
}

function listen(server: Server, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(address, () => resolve(undefined));
  });
}

/** Whether something accepts connections at a socket file (a live holder) or not (a leftover). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Takes the lock, or says it is busy. */
export async function tryLock(dir: string, platform: NodeJS.Platform = process.platform): Promise<StateLock | { busy: true }> {
  const address = lockAddress(dir, platform);
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = createServer((socket) => socket.destroy());
    const error = await listen(server, address);
    if (error === undefined) {
      // The lock must not keep a finished command alive.
      server.unref();
      return {
        release: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            if (!address.startsWith('\0')) {
              try {
                unlinkSync(address);
              } catch {
                // Already gone.
              }
            }
          }),
      };
    }
    if (error.code !== 'EADDRINUSE') {
      throw new AgentError('ERR_STATE', `cannot lock the state in ${dir}: ${error.code ?? error.message}`);
    }
    // A socket file left by a dead process answers nothing: remove it once and try again.
    if (address.startsWith('\0') || (await answers(address))) return { busy: true };
    try {
      unlinkSync(address);
    } catch {
      // Someone else removed it first.
    }
  }
  return { busy: true };
}

/** Waits for the lock (CLI commands racing each other, or the daemon stopping), up to `timeoutMs`. */
export async function waitLock(dir: string, timeoutMs: number): Promise<StateLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await tryLock(dir);
    if ('release' in result) return result;
    if (Date.now() >= deadline) {
      throw new AgentError('ERR_STATE', `the state in ${dir} is busy: another pairing-agent process holds its lock`);
    }
    await sleep(25 + Math.random() * 50);
  }
}
