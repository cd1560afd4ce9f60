/**
 * The agent's clock (issue #4): the wall time read at start-up plus the monotonic clock since, moved
 * forward — never back — when the wall clock jumps ahead. A Pi without a real-time clock boots with a
 * stale time; when NTP fixes it the agent must notice that its tokens are older than it thought, while
 * a wall clock stepping back never makes a wait longer or a token younger. Times saved to disk still
 * mean roughly "then" after a reboot, where the server, not this clock, judges expiry.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds, comparable across runs; never goes backwards within a run. */
  now(): number;
  /** A uniform random number in [0, 1), for jitter. */
  random(): number;
}

export function systemClock(wall: () => number = Date.now, mono: () => number = () => performance.now()): Clock {
  let base = wall() - mono();
  return {
    now: () => {
      const monotonic = base + mono();
      const current = wall();
      // Follow a forward jump of the wall clock (NTP after an offline boot) by moving the base.
      if (current > monotonic) base += current - monotonic;
      return Math.round(base + mono());
    },
    random: Math.random,
  };
}
