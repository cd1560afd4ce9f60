/**
 * One writer per state directory (issue #4), and a lock nobody else on the device can take or fake
 * (issue #13), taken without starting a child process (issue #18: a spawn is ~16 ms of CPU, a tenth
 * of `run`'s start-up on a Pi's budget).
 *
 * The lock is a listening Unix socket at `<state_dir>/agent.lock`. Only the agent's user can create
 * or remove names in its 0700 state directory, so no other local user can squat or remove it (the
 * abstract socket used before could be bound first by anyone: abstract names have no permissions).
 *
 * - Take (no child process): listen on a unique temporary name beside it, link(2) that name to
 *   `agent.lock` (atomic, never replaces: EEXIST when a lock is there), unlink the temporary name.
 *   The socket already listens when it appears under the lock's name, so a live holder never looks
 *   dead. A connect probe tells a holder apart: a listening socket accepts, or says EAGAIN when its
 *   backlog is full; a dead process's leftover (SIGKILL, power cut) refuses (ECONNREFUSED).
 * - Clean (only after a crash): a cleaner holds flock(2) on the directory — through util-linux's
 *   flock(1) on our descriptor (Node has no flock(2)) — probes again under it, unlinks the leftover
 *   only if it still refuses and is still the same inode, and links ours. Only cleaners unlink
 *   `agent.lock` besides its holder; they do so one at a time, and only a refusing socket. A holder's
 *   socket listens from before it is linked until after its release has unlinked it, so it never
 *   refuses while it is at the lock's name: no process ever removes a live holder's lock, and link(2)
 *   lets only one process's socket in at a time. Cleaners also sweep refusing temporary names a
 *   process killed mid-take left (a taker whose name is swept before it listens just tries again).
 * - Read-only directory (issue #13: a card the kernel remounted read-only; a file system without
 *   sockets): no socket can be made there, so the process holds flock(2) on the directory for the
 *   lock's lifetime, as before, and is busy if a socket holder from before the remount still answers.
 *   That excludes other read-only holders, cleaners, and socket holders already there; it does not
 *   keep a process that sees the same directory writable (another mount) from taking the socket
 *   lock meanwhile — but a read-only holder writes nothing, so there is still one writer.
 * - Without flock(1) (a developer's macOS running the simulator; `platform` other than linux here)
 *   cleaners are not serialised: two that find the same leftover at once could both clean, and the
 *   inode check leaves a window of two system calls in which the second removes the first's new
 *   lock. A full backlog there refuses like a dead socket. The read-only fallback is not available.
 *
 * An agent from before this lock held flock(2) only and does not see this one: an upgrade restarts
 * the daemon (deploy/install.sh).
 *
 * SD-card wear (issue #18 item 4): taking and releasing the lock adds and removes two directory
 * entries once per process start (or per wait poll), never per refresh.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, linkSync, lstatSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors.js';

export const LOCK_SOCKET = 'agent.lock';

/** util-linux's flock(1): Debian and Raspberry Pi OS ship it in an Essential package. */
const FLOCK = existsSync('/usr/bin/flock') ? '/usr/bin/flock' : 'flock';
/** flock(1)'s exit status when the lock is held by someone else (`-E`); EX_TEMPFAIL. */
const BUSY_EXIT = 75;
/** How long a cleaner waits for the one before it, which holds the directory for milliseconds. */
const CLEAN_WAIT_MS = 2_000;
/** Temporary names: `agent.lock.<pid>-<random>`. */
const TEMP_NAME = /^agent\.lock\.\d+-[0-9a-z]*$/;
/** Bytes of a socket path (sun_path is 108 on Linux, 104 on macOS); libuv silently truncates longer ones. */
const MAX_SOCKET_PATH = 103;

export interface StateLock {
  release(): Promise<void>;
}

type Outcome = StateLock | { busy: true };

/** Takes the lock, or says it is busy. `platform` other than linux: without flock(1). */
export async function tryLock(dir: string, platform: NodeJS.Platform = process.platform): Promise<Outcome> {
  return (await acquire(dir, platform === 'linux', 0)) ?? { busy: true };
}

/** Waits for the lock (CLI commands racing each other, or the daemon stopping), up to `timeoutMs`. */
export async function waitLock(dir: string, timeoutMs: number, platform: NodeJS.Platform = process.platform): Promise<StateLock> {
  const lock = await acquire(dir, platform === 'linux', timeoutMs);
  if (lock !== undefined) return lock;
  throw new AgentError('ERR_LOCK', `the state in ${dir} is busy: another pairing-agent process holds its lock`);
}

/** Tries until `waitMs` is over, polling (a socket has no queue of waiters). */
async function acquire(dir: string, flock: boolean, waitMs: number): Promise<StateLock | undefined> {
  const deadline = Date.now() + waitMs;
  for (let retries = 0; ; ) {
    const result = await attempt(dir, flock, deadline);
    if (typeof result === 'object') return result;
    // Our temporary name was swept or taken before we listened: at once, a few times.
    if (result === 'retry' && retries++ < 5) continue;
    if (Date.now() >= deadline) return undefined;
    await sleep(25 + Math.random() * 50);
  }
}

type Attempt = StateLock | 'busy' | 'retry';

async function attempt(dir: string, flock: boolean, deadline: number): Promise<Attempt> {
  const name = `${LOCK_SOCKET}.${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const temp = join(dir, name);
  const server = createServer((socket) => socket.destroy());
  const error = await viaShortPath(dir, name, (address) => listen(server, address));
  if (error !== undefined) {
    if (error.code === 'EADDRINUSE') return 'retry';
    if ((error.code === 'EROFS' || error.code === 'EPERM') && flock) return (await flockHeld(dir, deadline)) ?? 'busy';
    throw cannotLock(dir, error.code ?? error.message);
  }
  let claimed: Claim;
  try {
    claimed = await claim(dir, temp, flock);
  } catch (problem) {
    await close(server, temp);
    throw problem;
  }
  if (claimed !== 'held') {
    await close(server, temp);
    return claimed;
  }
  removeName(temp);
  // The lock must not keep a finished command alive, nor a failed accept crash its holder.
  server.unref();
  server.on('error', () => undefined);
  const lockPath = join(dir, LOCK_SOCKET);
  return releasedOnce(async () => {
    // Still ours: it listened all along, and only a refusing socket is ever removed. Unlinked
    // before it stops listening, so nobody sees it refuse at the lock's name.
    removeName(lockPath);
    await close(server, temp);
  });
}

function releasedOnce(release: () => Promise<void> | void): StateLock {
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await release();
    },
  };
}

type Claim = 'held' | 'busy' | 'retry';

/** Puts our listening socket at the lock's name, or finds a live holder there. */
async function claim(dir: string, temp: string, flock: boolean): Promise<Claim> {
  const lockPath = join(dir, LOCK_SOCKET);
  for (let tries = 0; tries < 3; tries++) {
    const linked = link(temp, lockPath);
    if (linked !== 'exists') return linked;
    const found = await probe(dir, LOCK_SOCKET);
    if (found === 'live') return 'busy';
    if (found === 'dead') return clean(dir, temp, flock);
    // Gone: its holder released it between our link and our probe.
  }
  return 'busy';
}

/** The slow path, after a crash: removes a dead holder's socket and takes its place. */
async function clean(dir: string, temp: string, flock: boolean): Promise<Claim> {
  const serial = flock ? await flockDirectory(dir, CLEAN_WAIT_MS) : undefined;
  if (serial !== undefined && !('release' in serial)) return 'busy';
  try {
    await sweep(dir);
    const lockPath = join(dir, LOCK_SOCKET);
    const before = inode(lockPath);
    if (before !== undefined) {
      const found = await probe(dir, LOCK_SOCKET);
      if (found === 'live') return 'busy';
      if (found === 'dead') {
        // The same leftover we probed (under flock(2) nothing else can have changed it).
        if (inode(lockPath) !== before) return 'busy';
        removeName(lockPath);
      }
    }
    const linked = link(temp, lockPath);
    return linked === 'exists' ? 'busy' : linked;
  } finally {
    await serial?.release();
  }
}

/** Removes temporary names nobody listens on (a process killed between listening and linking). */
async function sweep(dir: string): Promise<void> {
  for (const name of readdirSync(dir)) {
    if (TEMP_NAME.test(name) && (await probe(dir, name)) === 'dead') removeName(join(dir, name));
  }
}

/** The inode of the socket at `path`, or undefined when nothing is there; anything but a socket is refused. */
function inode(path: string): number | undefined {
  try {
    const stat = lstatSync(path);
    if (stat.isSocket()) return stat.ino;
    throw new AgentError('ERR_LOCK', `${path} exists and is not a socket: remove it (only pairing-agent's lock belongs there)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function link(from: string, to: string): Claim | 'exists' {
  try {
    linkSync(from, to);
    return 'held';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    // Our temporary name was swept before it listened.
    if (code === 'ENOENT') return 'retry';
    throw cannotLock(to, code ?? String(error));
  }
}

/** A live holder accepts, or says EAGAIN (full backlog); only a socket nobody listens on refuses. */
function probe(dir: string, name: string): Promise<'live' | 'dead' | 'gone'> {
  return viaShortPath(
    dir,
    name,
    (address) =>
      new Promise((resolve) => {
        const socket = createConnection(address);
        socket.once('connect', () => {
          socket.destroy();
          resolve('live');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => {
          // Anything else cannot be read as a dead holder, so it is left alone.
          resolve(error.code === 'ECONNREFUSED' ? 'dead' : error.code === 'ENOENT' ? 'gone' : 'live');
        });
      }),
  );
}

/** A socket path within sun_path: on Linux a long directory is reached through a descriptor of it. */
async function viaShortPath<T>(dir: string, name: string, use: (address: string) => Promise<T>): Promise<T> {
  const path = join(dir, name);
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return use(path);
  if (process.platform !== 'linux') throw cannotLock(dir, 'its path is too long for a socket');
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    throw cannotLock(dir, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    return await use(`/proc/self/fd/${fd}/${name}`);
  } finally {
    closeSync(fd);
  }
}

function listen(server: Server, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(address, () => resolve(undefined));
  });
}

/** Stops listening; its temporary name goes too (libuv unlinks the name it bound, ours by full path). */
function close(server: Server, temp: string): Promise<void> {
  removeName(temp);
  return new Promise((resolve) => server.close(() => resolve()));
}

function removeName(path: string): void {
  try {
    unlinkSync(path); // unlink(2) removes a name, never what a link points to
  } catch {
    // Already gone.
  }
}

function cannotLock(dir: string, why: string): AgentError {
  return new AgentError('ERR_LOCK', `cannot lock the state in ${dir}: ${why}`);
}

/** A read-only directory: flock(2) on it, held until release; busy if a socket holder still answers. */
async function flockHeld(dir: string, deadline: number): Promise<StateLock | undefined> {
  const held = await flockDirectory(dir, Math.max(0, deadline - Date.now()));
  if (!('release' in held)) return undefined;
  if ((await probe(dir, LOCK_SOCKET)) !== 'live') return held;
  await held.release();
  return undefined;
}

/** flock(2) on the directory, through flock(1) on our descriptor; waits up to `waitMs` (0: not at all). */
async function flockDirectory(dir: string, waitMs: number): Promise<Outcome> {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    throw cannotLock(dir, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  const args = waitMs > 0 ? ['-w', (waitMs / 1000).toFixed(3)] : ['-n'];
  const status = await new Promise<{ code: number | null; problem: string }>((resolve) => {
    // The descriptor is the child's fd 3; everything else it gets is closed (libuv opens with
    // O_CLOEXEC). flock(1) locks it and exits; the lock belongs to the shared open file
    // description, so it stays ours until we close the descriptor.
    const child = spawn(FLOCK, [...args, '-E', String(BUSY_EXIT), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let problem = '';
    child.stderr?.on('data', (c: Buffer) => (problem += c.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, problem: error.code === 'ENOENT' ? 'util-linux flock(1) is not installed' : error.message }));
    child.once('close', (code) => resolve({ code, problem: problem.trim() }));
  });
  // The last descriptor of the open file description: the kernel drops the lock with it.
  if (status.code === 0) return releasedOnce(() => closeSync(fd));
  closeSync(fd);
  if (status.code === BUSY_EXIT) return { busy: true };
  throw cannotLock(dir, status.problem || `flock exited with ${status.code}`);
}
