/**
 * An Agent in this process against the embedded IdP (the real OpenID Provider, oidc-provider, on loopback),
 * with a real state directory and the sim HAL: the harness the agent's shell tests and the DPoP tests share
 * (issue #14 item 6). On real time by default; on a `VirtualTime` (test/support/virtual-time.ts) the agent's
 * clock and timers move only when the test says, so waiting for a refresh costs no real seconds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import type { Agent } from '../../src/agent/agent.js';
import { createAgent } from '../../src/agent/create.js';
import type { Logger } from '../../src/log-events.js';
import type { StateStore } from '../../src/store/state-store.js';
import { validateConfig, type Config } from '../../src/config/index.js';
import { startEmbeddedIdp, type EmbeddedIdp, type EmbeddedIdpOptions } from '../../dev/idp/embedded.js';
import type { State } from '../../src/pairing/state.js';
import type { VirtualTime } from './virtual-time.js';

type Paired = Extract<State, { name: 'paired' }>;

/**
 * The embedded IdP for the tests of the calling file or `describe`: started before them, closed after. 1 s polls
 * and 3 s access tokens (a refresh is due soon after each pairing); `grantErrors` collects every grant error it
 * reports: a refresh token presented twice (a reuse) shows there.
 */
export function watchedIdp(options: EmbeddedIdpOptions = { interval: 1, ttl: { accessToken: 3 } }): { readonly idp: EmbeddedIdp; readonly grantErrors: string[] } {
  let started: EmbeddedIdp | undefined;
  const grantErrors: string[] = [];
  beforeAll(async () => {
    started = await startEmbeddedIdp(options);
    (started.provider as { on(e: string, fn: (ctx: unknown, error: Error) => void): void }).on('grant.error', (_c, e) => grantErrors.push(e.message));
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get idp(): EmbeddedIdp {
      if (started === undefined) throw new Error('the embedded IdP starts in beforeAll');
      return started;
    },
    grantErrors,
  };
}

export interface AgentOnIdpOptions {
  /** The state directory. @default a new temporary directory */
  dir?: string;
  /** More configuration keys (`dpop: true`, another `scope`). */
  file?: Record<string, unknown>;
  /** The pairing state (createAgent pairs it with the DPoP key file). @default the state file in `dir` */
  store?: StateStore;
  /** Virtual time for the agent's clock and timers. @default the system clock and the global timers */
  time?: VirtualTime;
}

export interface AgentOnIdp {
  agent: Agent;
  hal: ReturnType<typeof createSimHal>;
  config: Config;
  dir: string;
  /** Each log line as `event {fields as JSON}`. */
  logs: string[];
  /** The log's event names alone. */
  events: string[];
  time: VirtualTime | undefined;
}

/**
 * A started agent, wired by the one composition root as the daemon wires it (not paired unless its state
 * directory holds a pairing).
 */
export async function startAgentOnIdp(idp: EmbeddedIdp, options: AgentOnIdpOptions = {}): Promise<AgentOnIdp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'pa-agent-'));
  const config = validateConfig({
    file: { issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: dir, ...options.file },
    path: join(dir, 'c.json'),
    env: {},
  });
  const logs: string[] = [];
  const events: string[] = [];
  const log: Logger = (event, fields) => {
    events.push(event);
    logs.push(`${event} ${JSON.stringify(fields ?? {})}`);
  };
  const hal = createSimHal(config);
  const { time, store } = options;
  const { agent } = createAgent(config, {
    hal,
    log,
    ...(store === undefined ? {} : { store }),
    ...(time === undefined ? {} : { clock: time.clock(0), timers: time.timers }),
  });
  await agent.start();
  return { agent, hal, config, dir, logs, events, time };
}

/** Virtual time moves in steps this long while a test waits on it: short next to any timer the agent sets. */
const STEP_MS = 250;

/**
 * Runs `time` for `agent` until `check()` holds or `ms` of virtual time have passed; whether it held. Each step
 * first lets the agent finish what it is doing now (its requests run in real time).
 */
export async function runTimeUntil(time: VirtualTime, agent: Agent, check: () => boolean, ms: number): Promise<boolean> {
  const until = time.now() + ms;
  for (;;) {
    await time.runUntil([agent], time.now());
    if (check()) return true;
    if (time.now() >= until) return false;
    await time.runUntil([agent], Math.min(until, time.now() + STEP_MS));
  }
}

/** The first state (current or coming) that satisfies `done` within `ms`: real ms, or virtual ms on `time`. */
export async function settle(agent: Agent, done: (state: State) => boolean, ms: number, time?: VirtualTime): Promise<State | undefined> {
  if (time === undefined) return agent.waitFor(done, ms);
  let hit: State | undefined;
  // waitFor sees states that pass between two steps (`refreshing`); its own real timeout only bounds a miss.
  void agent.waitFor(done, 60_000).then((state) => (hit = state));
  await runTimeUntil(time, agent, () => hit !== undefined, ms);
  return hit;
}

/** Press, wait for the code, approve it at the IdP as `who`, wait for the pairing. */
export async function pairWithButton({ agent, hal, time }: Pick<AgentOnIdp, 'agent' | 'hal' | 'time'>, idp: EmbeddedIdp, who = 'dana'): Promise<Paired> {
  hal.button.press();
  const awaiting = await settle(agent, (s) => s.name === 'awaiting_user', 10_000, time);
  if (awaiting?.name !== 'awaiting_user') throw new Error('no code');
  await idp.approve(awaiting.code.userCode, who);
  const paired = await settle(agent, (s) => s.name === 'paired', 10_000, time);
  if (paired?.name !== 'paired') throw new Error('not paired');
  return paired;
}
