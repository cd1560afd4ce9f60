/**
 * What the systemd watchdog watches (issue #12): the agent's event queue. Pinging on a timer alone
 * proves only that the event loop turns; an agent wedged on a state write that never returns (a dying
 * SD card) or a display that never acknowledges would keep pinging for ever. Here a ping goes out only
 * while the queue is empty or has handled an event within `stallLimitMs`, so systemd restarts a wedged
 * agent after `WatchdogSec=`.
 */
import { monotonicMs } from '../agent/clock.js';

/** How far the agent's queue has got: events waiting or in hand, and events handled since start. */
export interface QueueProgress {
  readonly queued: number;
  readonly handled: number;
}

/**
 * A liveness check for `createNotifier`: true while the queue is empty or moving.
 * @param stallLimitMs how long one event may hold the queue before the agent counts as wedged
 * @param now a monotonic clock in ms
 */
export function queueWatch(agent: { progress(): QueueProgress }, stallLimitMs: number, now: () => number = monotonicMs): () => boolean {
  let lastHandled = agent.progress().handled;
  let movedAt = now();
  return () => {
    const { queued, handled } = agent.progress();
    const t = now();
    if (queued === 0 || handled !== lastHandled) {
      lastHandled = handled;
      movedAt = t;
      return true;
    }
    return t - movedAt < stallLimitMs;
  };
}

/**
 * The stall limit for a watchdog period: half of `WATCHDOG_USEC`, the ping interval, so a wedged agent
 * misses at least one full period and systemd acts (sd_watchdog_enabled(3)). Without a watchdog, none.
 */
export function stallLimitMs(env: Readonly<Record<string, string | undefined>>): number {
  const usec = Number(env.WATCHDOG_USEC);
  return Number.isFinite(usec) && usec > 0 ? usec / 2000 : Number.POSITIVE_INFINITY;
}
