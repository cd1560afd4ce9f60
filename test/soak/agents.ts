/**
 * The soak's agents (issue #9): configured against a gate or the fake, wired as the daemon wires them but on
 * a headless panel and the virtual clock, watched by a monitor for the invariants, and a simulated person
 * who approves each code shown after 10–90 virtual s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hal } from '../../hal/types.js';
import type { Agent, AgentTimers } from '../../src/agent/agent.js';
import type { Clock } from '../../src/agent/clock.js';
import { createAgent } from '../../src/agent/create.js';
import { memoryStore } from '../../dev/agent/memory-store.js';
import type { Logger } from '../../src/log-events.js';
import type { StateStore } from '../../src/store/state-store.js';
import { validateConfig } from '../../src/config/validate.js';
import type { Config } from '../../src/config/types.js';
import type { State, Tokens } from '../../src/pairing/state.js';
import type { FakeProvider, ProviderProfile } from '../support/provider-servers.js';
import type { VirtualTime } from '../support/virtual-time.js';
import { SECOND } from './time.js';

/**
 * An agent's configuration: the endpoints behind `origin` (a fault gate, or the fake itself), no issuer
 * (so no discovery and no discovery cache), and `stateDir` as its state directory.
 */
export function agentConfig(origin: string, profile: ProviderProfile, stateDir: string, overrides: Record<string, unknown> = {}): Config {
  return validateConfig({
    file: {
      state_dir: stateDir,
      client_id: profile.client.clientId,
      device_authorization_endpoint: `${origin}${profile.paths.deviceAuthorization}`,
      token_endpoint: `${origin}${profile.paths.token}`,
      scope: profile.defaultScope,
      ...overrides,
    },
    path: '/soak/config.json',
    env: {},
  });
}

/** A panel that discards frames (the agent still renders each one) and has no button. */
export function headlessHal(): Hal & { frames: number } {
  const hal = {
    frames: 0,
    display: {
      width: 128,
      height: 64,
      show: async () => {
        hal.frames++;
      },
      setContrast: async () => {},
      setPower: async () => {},
      close: async () => {},
    },
    close: async () => {},
  };
  return hal;
}

/**
 * A scratch state directory for a run's agents. They keep their state in memory (or in a wear meter's
 * directory); the daemon's wiring pairs it with a DPoP key file here, never written (the soak's tokens
 * are Bearer), so a wipe looks here and nowhere on the machine it runs on.
 */
export function scratchStateDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'pa-soak-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A soak agent: the daemon's own wiring (`createAgent`, issue #14 item 3) with what the soak changes: a
 * headless panel, the virtual clock and timers, a counting log, the state in memory unless given.
 */
export function soakAgent(config: Config, deps: { clock: Clock; timers: AgentTimers; log: Logger; store?: StateStore }): Agent {
  return createAgent(config, { hal: headlessHal(), log: deps.log, clock: deps.clock, timers: deps.timers, store: deps.store ?? memoryStore() }).agent;
}

/** A logger that only counts events (a long soak must not keep its log lines). */
export function countingLog(): Logger & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const log = ((event: string) => {
    counts.set(event, (counts.get(event) ?? 0) + 1);
  }) as Logger & { counts: Map<string, number> };
  log.counts = counts;
  return log;
}

export interface PairingMonitor {
  /** Times the agent entered `paired` from a code. */
  pairings: number;
  /** Times it left paired/refreshing for anything else: a lost pairing. */
  lost: number;
  /** Pairing attempts that ended without a pairing (failed, denied, expired). */
  attemptsFailed: number;
  /** Refreshes that brought new tokens. */
  refreshed: number;
  /** Longest time the agent held only an expired access token before a refresh succeeded (ms). */
  maxExpiredMs: number;
  /** Sum of those times (ms). */
  expiredMs: number;
  state: () => State;
}

const PAIRED = new Set(['paired', 'refreshing']);
const ENDED = new Set(['failed', 'denied', 'code_expired']);

export function monitor(agent: Agent, now: () => number): PairingMonitor {
  const m: PairingMonitor = { pairings: 0, lost: 0, attemptsFailed: 0, refreshed: 0, maxExpiredMs: 0, expiredMs: 0, state: () => agent.state };
  let prev: State = agent.state;
  let tokens: Tokens | undefined = 'tokens' in prev ? prev.tokens : undefined;
  agent.on('state', (s) => {
    if (PAIRED.has(prev.name) && !PAIRED.has(s.name)) m.lost++;
    if (s.name === 'paired' && prev.name === 'awaiting_user') m.pairings++;
    if (ENDED.has(s.name) && !ENDED.has(prev.name)) m.attemptsFailed++;
    if (s.name === 'paired' && prev.name === 'refreshing' && tokens !== undefined && s.tokens.accessToken !== tokens.accessToken) {
      m.refreshed++;
      const expired = Math.max(0, now() - (tokens.accessExpiresAt ?? Number.POSITIVE_INFINITY));
      m.maxExpiredMs = Math.max(m.maxExpiredMs, expired);
      m.expiredMs += expired;
    }
    if ('tokens' in s) tokens = s.tokens;
    prev = s;
  });
  return m;
}

/** A person who approves every code an agent shows, after 10–90 virtual seconds. */
export function person(vt: VirtualTime, idp: FakeProvider, agent: Agent, subject: string, random: () => number): { approvals: number } {
  const seen = new Set<string>();
  const stats = { approvals: 0 };
  agent.on('state', (s) => {
    if (s.name !== 'awaiting_user' || seen.has(s.code.userCode)) return;
    const { userCode } = s.code;
    seen.add(userCode);
    vt.timers.setTimeout(() => {
      idp.approve(userCode, subject);
      stats.approvals++;
    }, 10 * SECOND + Math.floor(random() * 80 * SECOND));
  });
  return stats;
}
