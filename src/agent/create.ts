/**
 * The one composition root (issue #14 item 3): the agent as the daemon, the one-shot commands (`token`,
 * `logout` without a daemon), the demo (through the daemon) and the soak run it — its state store paired
 * with the DPoP key file, its IdP client with the discovery cache and the version, its clock and the
 * configuration's timings. What differs between them comes in as `deps`.
 */
import { join } from 'node:path';
import type { Hal } from '../../hal/types.js';
import type { Config } from '../config/types.js';
import { DISCOVERY_CACHE_FILE, fileDiscoveryCache } from '../store/discovery-cache.js';
import { DpopKeyFile } from '../store/dpop-key.js';
import { withDpopKey } from '../store/dpop-state-store.js';
import { FileStateStore } from '../store/file-store.js';
import { packageVersion } from '../version.js';
import { Agent, refreshIdleTimeoutOf, type AgentTimers } from './agent.js';
import { systemClock, type Clock } from './clock.js';
import { createIdpClient } from './idp-client.js';
import type { Logger } from '../log-events.js';
import type { StateStore } from '../store/state-store.js';

/** What differs between the agent's hosts. */
export interface AgentDeps {
  /** The device: the configured HAL (daemon), a headless sim panel (one-shot commands, the soak). */
  hal: Hal;
  log: Logger;
  /** @default systemClock() */
  clock?: Clock;
  /** For simulations on a virtual clock (the soak). @default the global timers */
  timers?: AgentTimers;
  /**
   * The pairing state, without its DPoP key (paired with it here). The daemon passes the store it opened
   * (it reports what opening found); the soak one in memory.
   * @default the state file in `config.state_dir`, opened here
   */
  store?: StateStore;
  /** The state directory cannot be written (the daemon found it so when it opened it). @default false */
  readOnlyStorage?: boolean;
}

export interface ComposedAgent {
  agent: Agent;
  clock: Clock;
  /** The pairing's DPoP key file, shared by the store (which deletes it on a wipe) and the IdP client. */
  dpopKeys: DpopKeyFile;
  /** Ms for the `iat` of an app's DPoP proof for `htu`: by the server's clock where the agent learned it (issue #19). */
  proofTime(htu: string): number;
}

export function createAgent(config: Config, deps: AgentDeps): ComposedAgent {
  const { log } = deps;
  const clock = deps.clock ?? systemClock();
  // The one-shot commands open the store here: they too must know when it is read-only (issue #13).
  const { store, readOnly } = deps.store === undefined ? FileStateStore.open(config.state_dir) : { store: deps.store, readOnly: deps.readOnlyStorage ?? false };
  // The state and its DPoP key are one pairing on disk (issue #19); like the state's, the key's leftover
  // temp files are swept when it is opened, unless nothing can be removed there.
  const dpopKeys = readOnly ? new DpopKeyFile(config.state_dir) : DpopKeyFile.open(config.state_dir);
  const idp = createIdpClient(config, { log, cache: fileDiscoveryCache(join(config.state_dir, DISCOVERY_CACHE_FILE)), dpopKeys, version: packageVersion() });
  const agent = new Agent({
    store: withDpopKey(store, dpopKeys, log),
    idp,
    hal: deps.hal,
    clock,
    log,
    autoPair: config.auto_pair,
    screenTimeoutMs: config.screen_timeout * 1000,
    ...refreshIdleTimeoutOf(config),
    stateDir: config.state_dir,
    readOnlyStorage: readOnly,
    ...(deps.timers === undefined ? {} : { timers: deps.timers }),
  });
  return { agent, clock, dpopKeys, proofTime: (htu) => idp.serverTime(htu, clock.now()) };
}
