/**
 * The fleet (issue #9): many agents in one process, all restored at the same virtual instant after a
 * common power cut, each from a `paired` state saved hours before with an expired access token (its
 * `refreshAt` long past), against ONE fake provider. Counts the requests reaching the provider per
 * virtual second, with the agents' normal jitter and without it (every random draw 0).
 *
 * The pairings are real at the provider: before the power-on, one grant per agent is created through
 * the fake's own HTTP API (device authorization, `approve()`, device-code token request), so every
 * agent holds a distinct, active refresh token, and rotation and reuse detection apply to the fleet
 * too. Each agent has its own store (memory), IdP client (its own got instance, 10 s timeout), clock
 * (virtual, its own PRNG) and a headless panel: frames are rendered by the agent but not drawn
 * anywhere, and no button is wired.
 */
import type { Agent } from '../../src/agent/agent.js';
import { memoryStore } from '../../dev/agent/memory-store.js';
import type { State } from '../../src/pairing/state.js';
import { startProviderServer } from '../support/provider-servers.js';
import { createVirtualTime, seededRandom } from '../support/virtual-time.js';
import { agentConfig, countingLog, monitor, scratchStateDir, soakAgent } from './agents.js';
import type { PairingMonitor } from './agents.js';
import { createGrants, observe, soakProfile } from './provider.js';
import { HOUR, SECOND, T0 } from './time.js';

export interface FleetOptions {
  agents: number;
  /** Access token lifetime (s). */
  lifetime: number;
  /** Virtual seconds counted after power-on. */
  windowS: number;
  /** false: every random draw is 0 (no jitter, the baseline). */
  jitter: boolean;
  seed: number;
}

export interface FleetResult {
  agents: number;
  windowS: number;
  realMs: number;
  /** Requests reaching the provider in each virtual second of the window. */
  perSecond: number[];
  refreshes: number;
  reuse: number;
  lost: number;
  /** Virtual seconds after power-on until each agent held a fresh token (sorted). */
  freshAfterS: number[];
  pairedAtEnd: number;
  failuresLogged: number;
  setupMs: number;
}

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const profile = soakProfile(o.lifetime);
  const idp = await startProviderServer(profile);
  const agents: Agent[] = [];
  const stateDir = scratchStateDir();
  try {
    const setupStarted = performance.now();
    const refreshTokens = await createGrants(idp, o.agents);
    const setupMs = performance.now() - setupStarted;

    const started = performance.now();
    const vt = createVirtualTime(T0);
    const seen = observe(idp, vt);
    const log = countingLog();
    const config = agentConfig(idp.origin, profile, stateDir.path);
    // Saved before the power cut: tokens issued 3 h before power-on, so even 1-hour ones are long
    // expired and the scheduled refresh is long due.
    const issuedAt = T0 - 3 * HOUR;
    const expiresAt = issuedAt + o.lifetime * SECOND;
    const monitors: PairingMonitor[] = [];
    const freshAt: (number | undefined)[] = [];
    for (let i = 0; i < o.agents; i++) {
      const saved: State = {
        name: 'paired',
        tokens: { accessToken: `at-before-the-cut-${i}`, tokenType: 'Bearer', issuedAt, accessExpiresAt: expiresAt, refreshToken: refreshTokens[i]! },
        identity: { subject: `device-${i}` },
        failures: 0,
        refreshAt: expiresAt - (o.lifetime * SECOND) / 4,
      };
      const agent = soakAgent(config, { store: memoryStore(saved), clock: vt.clock(o.jitter ? seededRandom(o.seed * 1_000_003 + i) : 0), log, timers: vt.timers });
      agents.push(agent);
      monitors.push(monitor(agent, vt.now));
      agent.on('state', (s) => {
        if (freshAt[i] === undefined && s.name === 'paired' && s.tokens.issuedAt >= T0) freshAt[i] = vt.now() - T0;
      });
    }
    // The power comes back: every agent starts at the same virtual instant.
    await Promise.all(agents.map((a) => a.start()));
    await vt.runUntil(agents, T0 + o.windowS * SECOND);

    const perSecond = Array.from({ length: o.windowS }, (_, s) => seen.perSecond.get(s) ?? 0);
    const failuresLogged = ['refresh_failed', 'io_failed', 'effect_failed'].reduce((t, e) => t + (log.counts.get(e) ?? 0), 0);
    return {
      agents: o.agents,
      windowS: o.windowS,
      realMs: performance.now() - started,
      perSecond,
      refreshes: seen.refreshes,
      reuse: seen.reuse,
      lost: monitors.reduce((t, m) => t + m.lost, 0),
      freshAfterS: freshAt.filter((t): t is number => t !== undefined).map((t) => t / SECOND).sort((a, b) => a - b),
      pairedAtEnd: agents.filter((a) => a.state.name === 'paired' || a.state.name === 'refreshing').length,
      failuresLogged,
      setupMs,
    };
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await idp.close();
    stateDir.remove();
  }
}

/** Peak, mean and busiest-window rates of a per-second series. */
export function rates(perSecond: readonly number[], windowS = 10): { peak: number; mean: number; busiestWindow: number; activeSeconds: number } {
  const total = perSecond.reduce((t, n) => t + n, 0);
  let busiest = 0;
  let sum = 0;
  for (let s = 0; s < perSecond.length; s++) {
    sum += perSecond[s]!;
    if (s >= windowS) sum -= perSecond[s - windowS]!;
    busiest = Math.max(busiest, sum);
  }
  return {
    peak: Math.max(0, ...perSecond),
    mean: perSecond.length === 0 ? 0 : total / perSecond.length,
    busiestWindow: busiest / windowS,
    activeSeconds: perSecond.filter((n) => n > 0).length,
  };
}
