/**
 * `startSimulatedDevice` (issue #17): the real daemon (`pairing-agent run`, `hal: "sim"`) as a child
 * process, with a typed handle that drives it the way `pairing-agent sim …` does, over its control
 * socket. For backend teams that test their own device flow in CI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_PREFIX, loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { callDaemon, type ApiReply } from '../../src/daemon/client.js';
import { controlSocketPath } from '../../src/daemon/paths.js';
import { STATE_NAMES, isStateName, type Status } from '../../src/daemon/status.js';
import { waitForState } from '../../src/daemon/wait-state.js';
import { agentWaitMs, deadline, logoutWaitMs, replyWaitMs } from '../../src/daemon/waits.js';
import { AgentError } from '../../src/errors.js';
import type { StateName } from '../../src/pairing/state.js';
import { killOnExit } from './children.js';

/**
 * This package's own CLI, from the bundle this module is built into (dist/testing → dist/src/cli;
 * scripts/bundle-testing.mjs).
 */
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Start-up, from spawn to the daemon's `ready` line: a cold Node start on a busy CI runner. */
const DEFAULT_START_TIMEOUT_MS = 20_000;
/** `waitFor` without a time limit of its own. */
const DEFAULT_WAIT_MS = 30_000;
/**
 * How long `code()` looks for the QR: the code screen may alternate a QR page with a text page (issue
 * #16, every 5 s), so two page turns and some slack.
 */
const QR_PATIENCE_MS = 12_000;
const QR_LOOK_EVERY_MS = 250;
/** Daemon log lines kept for `log()`. */
const LOG_LINES_KEPT = 2_000;

/** The device's configuration: keys as in `config.json` (README "Configuration"). */
export type DeviceConfig = Partial<Omit<Config, 'hal'>> & Pick<Config, 'client_id'>;

export interface SimulatedDeviceOptions {
  /**
   * The configuration, as in `config.json`: at least `client_id`, and `issuer` or the endpoints. `hal` is
   * always `"sim"`; `state_dir` and `socket_path` default to a temporary directory.
   * @example { issuer: 'https://login.example.com', client_id: 'my-device', scope: 'openid offline_access' }
   */
  config: DeviceConfig;
  /**
   * Where the device keeps its state. A directory given here is left in place by `stop()`, so a second
   * device started on it resumes the pairing.
   * @default a new temporary directory, removed by `stop()`
   */
  stateDir?: string;
  /**
   * Extra environment for the daemon. This process's environment is passed on without its
   * `PAIRING_AGENT_*` variables, so the device runs the configuration given here and nothing else.
   */
  env?: Record<string, string | undefined>;
  /** @default 20000 */
  startTimeoutMs?: number;
  /** Called with each line the daemon logs (logfmt, never a secret): e.g. to print them when a test fails. */
  onLog?: (line: string) => void;
}

/** The code a person enters, as `status` reports it, and what the panel's QR code says. */
export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | undefined;
  /** When the code expires (ISO 8601). */
  expiresAt: string;
  /**
   * The text of the QR code on the panel, read dark on light as a phone reads it: the URL a phone opens.
   * Undefined when the panel shows none (e.g. a URL too long for a QR on a 32-row panel).
   */
  qr: string | undefined;
}

export interface SimulatedDevice {
  /** The daemon's process id. */
  readonly pid: number;
  readonly stateDir: string;
  /** The configuration file the daemon runs with (0600, in the temporary directory). */
  readonly configPath: string;
  /** The configuration as the daemon resolves it (defaults filled in). */
  readonly config: Config;
  /** A short press: pair (or retry, or wake). */
  press(): Promise<void>;
  /** A long press: unpair (revoke, then forget). */
  longPress(): Promise<void>;
  status(): Promise<Status>;
  /**
   * Resolves with the status as soon as the agent is in `state`; rejects after `timeoutMs` (saying where
   * it is instead) or when the daemon exits. @param timeoutMs default 30000
   */
  waitFor(state: StateName, timeoutMs?: number): Promise<Status>;
  /** The code being shown; rejects unless the agent is in `awaiting_user`. */
  code(): Promise<DeviceCode>;
  /** The panel as PNG (1 pixel per panel pixel, lit = white). */
  screenPng(): Promise<Buffer>;
  /** A valid access token, refreshed first if it is about to expire; rejects when not paired. */
  token(): Promise<string>;
  /** Unpairs like `pairing-agent logout`: revoke, then forget. Resolves with the status after. */
  logout(): Promise<Status>;
  /** The daemon's log so far, one logfmt line each (never a secret). */
  log(): string;
  /** Stops the daemon (SIGTERM, then SIGKILL if it lingers) and removes the temporary directory. */
  stop(): Promise<void>;
}

export async function startSimulatedDevice(options: SimulatedDeviceOptions): Promise<SimulatedDevice> {
  if (!existsSync(CLI)) throw new AgentError('ERR_DAEMON', `${CLI} is missing: pairing-agent is not built`);
  const base = mkdtempSync(join(tmpdir(), 'pairing-agent-sim-'));
  const stateDir = options.stateDir ?? join(base, 'state');
  const configPath = join(base, 'config.json');
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith(ENV_PREFIX)));
  const env = { ...inherited, ...options.env };
  let config: Config;
  try {
    // The app socket in the same private directory unless asked otherwise: two devices in one test run
    // (or a $RUNTIME_DIRECTORY in the environment) must not share one.
    writeFileSync(configPath, JSON.stringify({ socket_path: join(base, 'agent.sock'), ...options.config, hal: 'sim', state_dir: stateDir }), { mode: 0o600 });
    // Resolved here as the daemon will resolve it: a bad configuration fails now with its ConfigError,
    // and the control socket is wherever the code puts it.
    config = loadConfig({ path: configPath, env }).config;
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }

  const lines: string[] = [];
  const child = spawn(process.execPath, [CLI, '--config', configPath, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const untrack = killOnExit(child);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `signal ${signal}`));
  });
  let exitedHow: string | undefined;
  void exited.then((how) => (exitedHow = how));
  let ready!: () => void;
  const readyLine = new Promise<void>((resolve) => (ready = resolve));
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      if (lines.length > LOG_LINES_KEPT) lines.shift();
      options.onLog?.(line);
      if (/\bevent=ready\b/.test(line)) ready();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (exitedHow === undefined) {
        child.kill('SIGTERM');
        // The daemon lets a refresh in flight land before it exits (up to one HTTP timeout).
        const grace = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), config.http_timeout_ms + 5_000).unref());
        if ((await Promise.race([exited, grace])) === undefined) child.kill('SIGKILL');
        await exited;
      }
      untrack();
      rmSync(base, { recursive: true, force: true });
    })();
    return stopping;
  };

  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const timedOut = new Promise<string>((resolve) => setTimeout(() => resolve(`no "ready" within ${startTimeoutMs} ms`), startTimeoutMs).unref());
  const failure = await Promise.race([readyLine.then(() => undefined), exited, timedOut]);
  if (failure !== undefined) {
    const log = lines.slice(-5).join('\n');
    await stop();
    throw new AgentError('ERR_DAEMON', `the simulated device did not start (${failure})${log ? `:\n${log}` : ''}`);
  }

  const socket = controlSocketPath(config);
  /** `answers`: the HTTP statuses the caller reads itself (`GET /token` explains its 409 and 503). */
  const call = async (method: 'GET' | 'POST', path: string, timeoutMs = config.http_timeout_ms, answers: number[] = []): Promise<ApiReply> => {
    const reply = exitedHow === undefined ? await callDaemon(socket, method, path, timeoutMs) : undefined;
    if (reply === undefined) throw new AgentError('ERR_DAEMON', `the simulated device is not running (${exitedHow ?? 'no control socket'})`);
    if (reply.status >= 300 && !answers.includes(reply.status)) throw new AgentError('ERR_DAEMON', `the simulated device answered HTTP ${reply.status} to ${method} ${path}`);
    return reply;
  };
  const status = async () => (await call('GET', '/status')).json() as Status;
  const screenPng = async () => (await call('GET', '/screen.png')).body;

  return {
    pid: child.pid ?? -1,
    stateDir,
    configPath,
    config,
    press: async () => void (await call('POST', '/press')),
    longPress: async () => void (await call('POST', '/long-press')),
    status,
    async waitFor(state, timeoutMs = DEFAULT_WAIT_MS) {
      if (!isStateName(state)) throw new AgentError('ERR_USAGE', `unknown state "${String(state)}" (one of: ${STATE_NAMES.join(', ')})`);
      const died = exited.then((how) => {
        throw new AgentError('ERR_DAEMON', `the simulated device exited (${how}) while waiting for ${state}`);
      });
      const { reached, status: last } = await Promise.race([waitForState(config, state, timeoutMs), died]);
      if (!reached) throw new AgentError('ERR_DAEMON', `timed out after ${timeoutMs} ms waiting for ${state} (state: ${last.state})`);
      return last;
    },
    async code() {
      const shown = await status();
      if (shown.state !== 'awaiting_user') throw new AgentError('ERR_DAEMON', `no code is shown (state: ${shown.state}); press() first`);
      const { readPanelQr } = await import('../../src/screens/qr-read.js');
      let qr: string | undefined;
      for (const patience = deadline(QR_PATIENCE_MS); qr === undefined && patience.left() > 0; ) {
        qr = await readPanelQr(await screenPng());
        if (qr === undefined) await new Promise((resolve) => setTimeout(resolve, QR_LOOK_EVERY_MS));
      }
      return {
        userCode: String(shown.user_code),
        verificationUri: String(shown.verification_uri),
        verificationUriComplete: shown.verification_uri_complete ?? undefined,
        expiresAt: String(shown.expires_at),
        qr,
      };
    },
    screenPng,
    async token() {
      const reply = await call('GET', '/token', replyWaitMs(agentWaitMs(config)), [409, 503]);
      const body = reply.json() as { access_token?: unknown; error?: unknown; state?: unknown; reason?: unknown };
      if (reply.status === 200 && typeof body.access_token === 'string') return body.access_token;
      throw new AgentError('ERR_DAEMON', `no access token: ${String(body.reason ?? body.error)}${body.state === undefined ? '' : ` (state: ${String(body.state)})`}`);
    },
    async logout() {
      const reply = await call('POST', '/logout', replyWaitMs(logoutWaitMs(config)));
      return reply.json() as Status;
    },
    log: () => lines.join('\n'),
    stop,
  };
}
