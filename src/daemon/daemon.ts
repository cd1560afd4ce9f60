/**
 * `pairing-agent run`: the agent with its state on disk, its hardware, and its local API (issue #7).
 */
import type { Server } from 'node:http';
import { createHal } from '../../hal/factory.js';
import type { Frame, Hal } from '../../hal/types.js';
import type { Agent } from '../agent/agent.js';
import type { Clock } from '../agent/clock.js';
import { createAgent } from '../agent/create.js';
import type { Logger } from '../log-events.js';
import type { Config } from '../config/types.js';
import { AgentError } from '../errors.js';
import { encodePng } from '../screens/png.js';
import { Bitmap } from '../screens/bitmap.js';
import { FileStateStore } from '../store/file-store.js';
import { securePrivateDirectory } from '../store/private-dir.js';
import { closeServer, listenApi, type ApiOptions } from './api.js';
import { prepareSocketPath } from './socket-dir.js';
import { tryLock } from './lock.js';
import { controlSocketPath } from './paths.js';
import { agentWaitMs, logoutWaitMs } from './waits.js';
import { createNotifier, type NotifySend } from './sd-notify.js';
import { queueWatch, stallLimitMs } from './watchdog.js';


export interface DaemonOptions {
  config: Config;
  log: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** Tests inject a HAL or a clock; by default the configured HAL and the system clock. */
  hal?: Hal;
  clock?: Clock;
  notify?: NotifySend;
}

export interface Daemon {
  agent: Agent;
  hal: Hal;
  stop(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const { config, log } = o;
  const env = o.env ?? process.env;
  // Ours alone before anything else (issue #13): a directory another user owns is refused here.
  const secured = securePrivateDirectory(config.state_dir);
  if (secured.tightenedFrom !== undefined) log('state_mode_tightened', { path: config.state_dir, from: secured.tightenedFrom.toString(8), to: '700' });
  const lock = await tryLock(config.state_dir);
  if (!('release' in lock)) {
    throw new AgentError('ERR_LOCK', `another pairing-agent is already running on ${config.state_dir} (or a command is using its state)`);
  }
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    return await start(o, env, cleanups, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function start(
  o: DaemonOptions,
  env: Readonly<Record<string, string | undefined>>,
  cleanups: (() => Promise<void> | void)[],
  cleanup: () => Promise<void>,
): Promise<Daemon> {
  const { config, log } = o;
  const opened = FileStateStore.open(config.state_dir);
  if (opened.recovered) log('state_recovered', { problem: opened.recovered.problem, kept_as: opened.recovered.keptAs });
  if (opened.removedTemps.length > 0) log('state_temp_removed', { files: opened.removedTemps.join(',') });
  for (const { path, from } of opened.tightened) log('state_mode_tightened', { path, from, to: path === opened.store.path ? '600' : '700' });
  if (opened.readOnly) {
    // Issue #13: serve the tokens there are (a refresh is only sent once its state is saved, so none
    // goes out), rather than crash-loop on a card the kernel remounted read-only.
    log('state_read_only', { state_dir: config.state_dir, note: 'serving the saved tokens; nothing can be saved, so no refresh or pairing until it is writable' });
  }

  const hal = o.hal ?? (await createHal(config));
  cleanups.push(() => hal.close());
  const { agent, clock, dpopKeys, proofTime } = createAgent(config, { hal, log, store: opened.store, readOnlyStorage: opened.readOnly, ...(o.clock === undefined ? {} : { clock: o.clock }) });
  // On SIGTERM, a refresh already sent may land for up to one HTTP timeout (its answer holds the
  // rotated refresh token); systemd's TimeoutStopSec (90 s by default) leaves room.
  cleanups.push(() => agent.stop(config.http_timeout_ms));

  const sim = hal.simulation;
  const api: ApiOptions = {
    agent,
    clock,
    log,
    refreshWaitMs: agentWaitMs(config),
    logoutWaitMs: logoutWaitMs(config),
    dpopKey: () => dpopKeys.load(),
    proofTime,
    // The simulated device is driven from outside (issue #5): `pairing-agent sim press | screen`.
    ...(sim === undefined ? {} : { press: (long: boolean) => sim.press(long), screenPng: () => pngOf(sim.capture()) }),
  };
  // The state first, then the sockets: a caller must never see "not paired" from an agent that has
  // not read its state yet.
  await agent.start();
  const servers: [Server, string][] = [];
  cleanups.push(async () => {
    for (const [server, path] of servers) await closeServer(server, path);
  });
  const controlPath = controlSocketPath(config);
  if (opened.readOnly) {
    // No socket can be made in a read-only directory: commands read the state file instead.
    log('control_socket_unavailable', { path: controlPath, reason: 'the state directory is read-only' });
  } else {
    servers.push([await listenApi(controlPath, 0o600, true, api), controlPath]);
  }
  // 0660: the device's apps reach the token API through the agent's group (issue #7), outside the
  // 0700 state directory when there is a runtime directory (issue #13).
  const socketPath = prepareSocketPath(config.socket_path, config.state_dir, log);
  api.socket = socketPath;
  servers.push([await listenApi(socketPath, 0o660, false, api), socketPath]);

  // The watchdog pings only while the agent's event queue moves (issue #12).
  const notifier = createNotifier(env, queueWatch(agent, stallLimitMs(env)), o.notify);
  cleanups.push(() => notifier.close());
  await notifier.ready();
  log('ready', { state: agent.state.name, socket: socketPath });
  // After the first frame, not before it: a press then finds the HTTP client loaded and the endpoints
  // known (issue #9: time from button to code). Offline, this simply fails and is tried again later.
  void agent.prepare();

  let stopping: Promise<void> | undefined;
  return {
    agent,
    hal,
    stop: () => {
      stopping ??= (async () => {
        log('stopping', {});
        await notifier.stopping();
        await cleanup();
      })();
      return stopping;
    },
  };
}

/** A panel frame as the PNG `GET /screen.png` answers (one image pixel per panel pixel). */
function pngOf({ width, height, data }: Frame): Buffer {
  const bitmap = new Bitmap(width, height);
  bitmap.data.set(data);
  return encodePng(bitmap);
}
