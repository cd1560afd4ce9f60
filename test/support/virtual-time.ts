/**
 * Virtual time for simulations (issue #9 soak and fleet figures): a clock that moves only when told,
 * the timer functions the agent schedules with (`AgentOptions.timers`), seeded randomness, and a
 * driver that lets every agent finish what it is doing at the current instant (`whenIdle`) before
 * jumping to the earliest pending timer and firing it.
 *
 * Network I/O (to loopback fake providers) runs in real time between jumps while virtual time stands
 * still: a request "takes" 0 virtual ms, so 24 virtual hours run in seconds.
 */
import type { AgentTimers } from '../../src/agent/agent.js';
import type { Clock } from '../../src/agent/clock.js';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PendingTimer {
  id: number;
  at: number;
  /** Set for intervals: re-armed this much later each time it fires. */
  every?: number;
  callback: () => void;
}

/** Anything the driver waits for before moving time on (an Agent). */
export interface Idler {
  whenIdle(): Promise<void>;
}

export interface RunStats {
  /** Distinct instants time jumped to. */
  jumps: number;
  /** Timer callbacks fired. */
  fired: number;
}

export interface VirtualTime {
  /** The current virtual time (ms). */
  now(): number;
  /** A Clock on this time with its own random numbers: a seeded PRNG, or a fixed draw (0 for no jitter). */
  clock(random: (() => number) | number): Clock;
  /** Timers on this time, for `AgentOptions.timers` and for scripted events (a person approving a code). */
  readonly timers: AgentTimers;
  /** Timers not yet fired (an interval counts once). */
  pending(): number;
  /**
   * Waits until every idler is idle, fires the timers due at the earliest pending instant, and repeats
   * until the next timer lies after `until`; then sets the time to `until`.
   */
  runUntil(idlers: readonly Idler[], until: number): Promise<RunStats>;
}

export function createVirtualTime(start: number): VirtualTime {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, PendingTimer>();

  const add = (callback: () => void, ms: number, every?: number): number => {
    const id = nextId++;
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
    timers.set(id, { id, at: now + delay, callback, ...(every === undefined ? {} : { every: Math.max(1, every) }) });
    return id;
  };
  const remove = (handle: unknown): void => {
    if (typeof handle === 'number') timers.delete(handle);
  };

  const earliest = (): number | undefined => {
    let at: number | undefined;
    for (const t of timers.values()) if (at === undefined || t.at < at) at = t.at;
    return at;
  };

  const idle = (idlers: readonly Idler[]) => Promise.all(idlers.map((i) => i.whenIdle()));

  return {
    now: () => now,
    clock: (random) => ({ now: () => now, random: typeof random === 'number' ? () => random : random }),
    timers: {
      setTimeout: (callback, ms) => add(callback, ms),
      clearTimeout: remove,
      setInterval: (callback, ms) => add(callback, ms, ms),
      clearInterval: remove,
    },
    pending: () => timers.size,
    async runUntil(idlers, until) {
      const stats: RunStats = { jumps: 0, fired: 0 };
      for (;;) {
        await idle(idlers);
        const at = earliest();
        if (at === undefined || at > until) break;
        now = Math.max(now, at);
        stats.jumps++;
        // Fire the timers due now in the order they were set; those set while firing wait a turn.
        const due = [...timers.values()].filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.id - b.id);
        for (const t of due) {
          if (!timers.has(t.id)) continue; // cleared by an earlier callback
          if (t.every === undefined) timers.delete(t.id);
          else t.at += t.every;
          stats.fired++;
          t.callback();
        }
      }
      now = Math.max(now, until);
      return stats;
    },
  };
}
