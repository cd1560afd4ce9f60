/**
 * Runs the built CLI (dist/, as installed on a device) in a child process, the way a user or a unit
 * file would. `npm test` builds before running vitest.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finished, output, type ChildResult } from './child.js';

export const CLI = fileURLToPath(new URL('../../dist/pairing-agent.cjs', import.meta.url));

export type CliResult = ChildResult;

/** The environment for a child: no PAIRING_AGENT_* leaking in from the developer's shell, then `env`. */
function cleanEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAIRING_AGENT_')));
  return { ...base, ...env };
}

export function runBuiltCli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does)`);
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same, without blocking the test's event loop: needed whenever the test process also serves
 * the identity provider the CLI talks to.
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 20_000): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child, `pairing-agent ${args.join(' ')}`, timeoutMs);
}

/**
 * The configuration of a simulated device (`hal: "sim"`) on `idp`'s public client, its state and sockets
 * in `dir`; `extra` adds or overrides keys (another `scope`, `auto_pair`).
 */
export function simConfig(idp: { issuer: string; publicClientId: string }, dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock'), ...extra };
}

/** A `pairing-agent run` child process and its log so far. */
export interface Daemon {
  child: ChildProcess;
  log: () => string;
}

/** Starts `pairing-agent run` as a child process; its log lines are collected. */
export function spawnDaemon(configPath: string, env: Record<string, string | undefined> = {}): Daemon {
  const child = spawn(process.execPath, [CLI, '--config', configPath, 'run'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, log: output(child) };
}

/** Waits for the daemon's `event=ready` line; fails at once, quoting its log, if it exits before. */
export function daemonReady(daemon: Daemon, timeoutMs = 15_000): Promise<true> {
  return eventually(async () => {
    if (/event=ready/.test(daemon.log())) return true;
    if (daemon.child.exitCode !== null) throw new Error(`the daemon exited (${daemon.child.exitCode}) before it was ready:\n${daemon.log()}`);
    return undefined;
  }, timeoutMs, 'the daemon to be ready');
}

/** Stops the daemon as systemd does (SIGTERM) and waits for it to exit; nothing to do if it has. */
export async function stopDaemon(daemon: Daemon): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGTERM');
  await new Promise((r) => daemon.child.on('exit', r));
}

/** Starts the daemon and waits until it is ready (stopping it again if it never is). */
export async function startDaemon(configPath: string, env: Record<string, string | undefined> = {}, readyMs?: number): Promise<Daemon> {
  const daemon = spawnDaemon(configPath, env);
  try {
    await daemonReady(daemon, readyMs);
  } catch (e) {
    await stopDaemon(daemon);
    throw e;
  }
  return daemon;
}

/** Runs `use` with a ready daemon, and stops the daemon afterwards whatever happened. */
export async function withDaemon<T>(configPath: string, use: (daemon: Daemon) => Promise<T>, env: Record<string, string | undefined> = {}): Promise<T> {
  const daemon = await startDaemon(configPath, env);
  try {
    return await use(daemon);
  } finally {
    await stopDaemon(daemon);
  }
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads the device's status (over a socket or through the CLI); undefined while it cannot answer. */
export type ReadStatus<S> = () => Promise<S | undefined>;
type StateOf = { state?: unknown; user_code?: unknown };

/** Waits until the status says `state`, and returns that status. */
export function reaches<S extends StateOf>(read: ReadStatus<S>, state: string, timeoutMs = 10_000): Promise<S> {
  return eventually(async () => {
    const s = await read();
    return s?.state === state ? s : undefined;
  }, timeoutMs, state);
}

/**
 * The three steps of a pairing on the simulated device (README "Test your device flow in CI"): a
 * press, the code on screen, the person's approval, then `paired`. Returns the `awaiting_user` status.
 */
export async function pairBySimPress<S extends StateOf>(
  config: string,
  read: ReadStatus<S>,
  approve: (userCode: string) => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<S> {
  const press = await runCli(['--config', config, 'sim', 'press']);
  if (press.status !== 0) throw new Error(`sim press failed: ${press.stderr}`);
  const awaiting = await reaches(read, 'awaiting_user', timeoutMs);
  await approve(String(awaiting.user_code));
  await reaches(read, 'paired', timeoutMs);
  return awaiting;
}
