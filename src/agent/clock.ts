/**
 * The agent's clock: the wall time read once at start-up plus the monotonic clock since (issue #4).
 * Waits never jump when NTP fixes the wall clock of a Pi without a real-time clock, while times saved
 * to disk still mean roughly "then" after a reboot (where the server, not this clock, judges expiry).
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds, comparable across runs; never goes backwards within a run. */
  now(): number;
  /** A uniform random number in [0, 1), for jitter. */
  random(): number;
}

export function systemClock(): Clock {
  const wallAtStart = Date.now();
  const monoAtStart = performance.now();
  return {
    now: () => Math.round(wallAtStart + (performance.now() - monoAtStart)),
    random: Math.random,
  };
}
