/**
 * The soak (issue #9): real Agents on a virtual clock, each behind its own fault gate, against one fake
 * provider with refresh-token rotation and reuse detection; a simulated person who approves codes; monitors
 * for the invariants. The parts live beside it by job: `time.ts`, `provider.ts`, `agents.ts`,
 * `fault-gate.ts`, `heap.ts`, `report.ts` (the figures as a Markdown table).
 *
 * What is real: the Agent shell and state machine as the daemon wires it, the OAuth client core and its
 * got-based HTTP client (loopback sockets, a 500 ms timeout), the fake provider's rotation and reuse
 * detection, rendering of every screen (shown on a headless panel that discards frames). What is
 * simulated: time (virtual, moving only when every agent is idle), the person (approves each code shown
 * after 10–90 virtual s), the store (in memory unless a test gives one).
 */
import type { Agent } from '../../src/agent/agent.js';
import type { StateStore } from '../../src/store/state-store.js';
import type { State } from '../../src/pairing/state.js';
import type { ProviderProfile } from '../support/provider-servers.js';
import { startProviderServer } from '../support/provider-servers.js';
import { createVirtualTime, seededRandom } from '../support/virtual-time.js';
import { agentConfig, countingLog, monitor, person, scratchStateDir, soakAgent } from './agents.js';
import type { PairingMonitor } from './agents.js';
import { emptyCounters, startFaultGate } from './fault-gate.js';
import type { FaultGate, FaultKind, FaultPlan, GateCounters } from './fault-gate.js';
import { settledHeap } from './heap.js';
import { observe, soakProfile } from './provider.js';
import type { IdpObservations } from './provider.js';
import { HOUR, T0 } from './time.js';

export interface SoakOptions {
  agents: number;
  hours: number;
  plan: FaultPlan;
  seed: number;
  /** Measure the heap at this virtual hour and at the end. */
  heapAtHour?: number;
  accessTokenLifetime?: number;
  /** The provider; `soakProfile(accessTokenLifetime)` by default. Its refresh idle window runs on virtual time. */
  profile?: ProviderProfile;
  /** The client's `http_timeout_ms`; a hang holds a request 300 ms longer. */
  timeoutMs?: number;
  /** Agent `index`'s store, given the virtual clock; in memory unless given (issue #18: a real state directory). */
  store?: (index: number, now: () => number) => StateStore;
}

export interface SoakResult {
  agents: number;
  hours: number;
  realMs: number;
  jumps: number;
  fired: number;
  gate: GateCounters;
  idp: IdpObservations;
  pairings: number;
  attemptsFailed: number;
  lost: number;
  refreshed: number;
  maxExpiredMs: number;
  expiredMs: number;
  approvals: number;
  /** Agents paired at the end whose refresh token is active at the provider. */
  pairedAtEnd: number;
  activeTokensAtEnd: number;
  log: Map<string, number>;
  /** Heap at `heapAtHour` and at the end; `rotations`: refreshes the fake processed in between. */
  heap?: { atHour: number; earlyBytes: number; endBytes: number; collected: boolean; rotations: number };
}

function sumCounters(all: GateCounters[]): GateCounters {
  const total = emptyCounters();
  for (const c of all) {
    for (const g of ['device_authorization', 'poll', 'refresh'] as const) total.requests[g] += c.requests[g];
    for (const [k, n] of Object.entries(c.faults) as [FaultKind, number][]) total.faults[k] = (total.faults[k] ?? 0) + n;
    total.forwarded += c.forwarded;
    total.earlyPolls += c.earlyPolls;
    total.pollsChecked += c.pollsChecked;
    total.earlyRetries += c.earlyRetries;
    total.retryAftersGiven += c.retryAftersGiven;
    total.lostInTransit += c.lostInTransit;
    if (c.minPollMarginMs !== undefined) total.minPollMarginMs = Math.min(total.minPollMarginMs ?? c.minPollMarginMs, c.minPollMarginMs);
  }
  return total;
}

/**
 * Runs `agents` kiosk agents (`auto_pair`) from unpaired for `hours` virtual hours: each asks for a
 * code, a person approves it, and from then on the agent keeps its pairing alive through 5-minute
 * tokens with rotation while its gate injects `plan`'s faults.
 */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const profile = o.profile ?? soakProfile(o.accessTokenLifetime);
  const vt = createVirtualTime(T0);
  const idp = await startProviderServer(profile, { now: vt.now });
  const seen = observe(idp, vt);
  const timeoutMs = o.timeoutMs ?? 500;
  const gates: FaultGate[] = [];
  const agents: Agent[] = [];
  const monitors: PairingMonitor[] = [];
  const people: { approvals: number }[] = [];
  const log = countingLog();
  const stateDir = scratchStateDir();
  try {
    for (let i = 0; i < o.agents; i++) {
      const gate = await startFaultGate({
        target: idp.origin,
        paths: profile.paths,
        plan: o.plan,
        random: seededRandom(o.seed * 7919 + i * 104729 + 1),
        now: vt.now,
        hangMs: timeoutMs + 300,
      });
      gates.push(gate);
      const config = agentConfig(gate.origin, profile, stateDir.path, { auto_pair: true, http_timeout_ms: timeoutMs });
      const store = o.store?.(i, vt.now);
      const agent = soakAgent(config, { clock: vt.clock(seededRandom(o.seed * 31 + i)), timers: vt.timers, log, ...(store === undefined ? {} : { store }) });
      agents.push(agent);
      monitors.push(monitor(agent, vt.now));
      people.push(person(vt, idp, agent, `device-${i}`, seededRandom(o.seed * 131 + i)));
    }
    await Promise.all(agents.map((a) => a.start()));

    let heap: SoakResult['heap'];
    let jumps = 0;
    let fired = 0;
    const run = async (until: number) => {
      const stats = await vt.runUntil(agents, until);
      jumps += stats.jumps;
      fired += stats.fired;
    };
    if (o.heapAtHour !== undefined && o.heapAtHour < o.hours) {
      await run(T0 + o.heapAtHour * HOUR);
      const early = settledHeap();
      const refreshesBefore = seen.refreshes;
      await run(T0 + o.hours * HOUR);
      const end = settledHeap();
      heap = { atHour: o.heapAtHour, earlyBytes: early.bytes, endBytes: end.bytes, collected: early.collected, rotations: seen.refreshes - refreshesBefore };
    } else {
      await run(T0 + o.hours * HOUR);
    }

    const paired = agents.filter((a) => a.state.name === 'paired' || a.state.name === 'refreshing');
    const active = paired.filter((a) => {
      const s = a.state as Extract<State, { name: 'paired' | 'refreshing' }>;
      return s.tokens.refreshToken !== undefined && idp.isRefreshTokenActive(s.tokens.refreshToken);
    });
    const sum = (f: (m: PairingMonitor) => number) => monitors.reduce((t, m) => t + f(m), 0);
    return {
      agents: o.agents,
      hours: o.hours,
      realMs: performance.now() - started,
      jumps,
      fired,
      gate: sumCounters(gates.map((g) => g.counters)),
      idp: seen,
      pairings: sum((m) => m.pairings),
      attemptsFailed: sum((m) => m.attemptsFailed),
      lost: sum((m) => m.lost),
      refreshed: sum((m) => m.refreshed),
      maxExpiredMs: Math.max(0, ...monitors.map((m) => m.maxExpiredMs)),
      expiredMs: sum((m) => m.expiredMs),
      approvals: people.reduce((t, p) => t + p.approvals, 0),
      pairedAtEnd: paired.length,
      activeTokensAtEnd: active.length,
      log: log.counts,
      ...(heap === undefined ? {} : { heap }),
    };
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(gates.map((g) => g.close()));
    await idp.close();
    stateDir.remove();
  }
}
