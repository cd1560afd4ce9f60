/**
 * One writer per state directory (issue #4), and a lock nobody else on the device can take or fake
 * (issue #13).
 *
 * On Linux the lock is flock(2) on the state directory itself, held through a descriptor of this
 * process: the kernel gives it to one open file description at a time and takes it back the instant
 * the last descriptor closes — SIGKILL and power loss included — so there is no lock file to go
 * stale, no pid that another process may have reused, and no window in which two processes both
 * "take over". Only the agent's user can open its 0700 state directory, so no other local user can
 * squat the lock (the abstract socket used before could be bound first by anyone: abstract names
 * have no permissions). Node has no flock(2): util-linux's flock(1) locks the descriptor we hand it
 * as its fd 3 and exits; the lock belongs to the shared open file description, so it stays ours.
 *
 * Elsewhere (a developer's macOS laptop running the simulator) a socket file in the state directory
 * stands in, with a connect probe to tell a live holder from a dead one's leftover file.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors.js';
import { answers } from './unix-server.js';

export const LOCK_SOCKET = 'agent.lock';

/** util-linux's flock(1): Debian and Raspberry Pi OS ship it in an Essential package. */
const FLOCK = existsSync('/usr/bin/flock') ? '/usr/bin/flock' : 'flock';
/** flock(1)'s exit status when the lock is held by someone else (`-E`); EX_TEMPFAIL. */
const BUSY_EXIT = 75;

export interface StateLock {
  release(): Promise<void>;
}

type Outcome = StateLock | { busy: true };

/** Takes the lock, or says it is busy. */
export async function tryLock(dir: string, platform: NodeJS.Platform = process.platform): Promise<Outcome> {
  return platform === 'linux' ? flockDirectory(dir, 0) : socketFileLock(dir);
}

/** Waits for the lock (CLI commands racing each other, or the daemon stopping), up to `timeoutMs`. */
export async function waitLock(dir: string, timeoutMs: number, platform: NodeJS.Platform = process.platform): Promise<StateLock> {
  const busy = () => new AgentError('ERR_LOCK', `the state in ${dir} is busy: another pairing-agent process holds its lock`);
  if (platform === 'linux') {
    // The kernel queues the waiter: no polling.
    const result = await flockDirectory(dir, timeoutMs);
    if ('release' in result) return result;
    throw busy();
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await socketFileLock(dir);
    if ('release' in result) return result;
    if (Date.now() >= deadline) throw busy();
    await sleep(25 + Math.random() * 50);
  }
}

/** flock(2) on the directory, through flock(1) on our descriptor; waits up to `waitMs` (0: not at all). */
async function flockDirectory(dir: string, waitMs: number): Promise<Outcome> {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    throw new AgentError('ERR_LOCK', `cannot lock the state in ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const args = waitMs > 0 ? ['-w', (waitMs / 1000).toFixed(3)] : ['-n'];
  const status = await new Promise<{ code: number | null; problem: string }>((resolve) => {
    // The descriptor is the child's fd 3; everything else it gets is closed (libuv opens with O_CLOEXEC).
    const child = spawn(FLOCK, [...args, '-E', String(BUSY_EXIT), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let problem = '';
    child.stderr?.on('data', (c: Buffer) => (problem += c.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, problem: error.code === 'ENOENT' ? 'util-linux flock(1) is not installed' : error.message }));
    child.once('close', (code) => resolve({ code, problem: problem.trim() }));
  });
  if (status.code === 0) {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        // The last descriptor of the open file description: the kernel drops the lock with it.
        closeSync(fd);
      },
    };
  }
  closeSync(fd);
  if (status.code === BUSY_EXIT) return { busy: true };
  throw new AgentError('ERR_LOCK', `cannot lock the state in ${dir}: ${status.problem || `flock exited with ${status.code}`}`);
}

function listen(server: Server, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(address, () => resolve(undefined));
  });
}

/** The fallback without flock(2): a socket file in the 0700 state directory. */
async function socketFileLock(dir: string): Promise<Outcome> {
  const address = join(dir, LOCK_SOCKET);
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
            try {
              unlinkSync(address);
            } catch {
              // Already gone.
            }
          }),
      };
    }
    if (error.code !== 'EADDRINUSE') {
      throw new AgentError('ERR_LOCK', `cannot lock the state in ${dir}: ${error.code ?? error.message}`);
    }
    // A socket file left by a dead process answers nothing: remove it once and try again.
    if (await answers(address)) return { busy: true };
    try {
      unlinkSync(address);
    } catch {
      // Someone else removed it first.
    }
  }
  return { busy: true };
}
