/**
 * The agent's clock (issue #4): the wall time read at start-up plus the monotonic clock since, moved
 * forward — never back — when the wall clock jumps ahead. A Pi without a real-time clock boots with a
 * stale time; when NTP fixes it the agent must notice that its tokens are older than it thought, while
 * a wall clock stepping back never makes a wait longer or a token younger. Times saved to disk still
 * mean roughly "then" after a reboot, where the server, not this clock, judges expiry.
 */
import { CLOCK_STEP_MIN_MS } from '../pairing/timing.js';

/**
 * Milliseconds of the monotonic clock (the one `performance.now()` reads, from an arbitrary origin):
 * not through node:perf_hooks, whose load was about 2 % of `run`'s start-up on a Pi's budget (issue #18).
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface Clock {
  /** Milliseconds, comparable across runs; never goes backwards within a run. */
  now(): number;
  /** A uniform random number in [0, 1), for jitter. */
  random(): number;
  /**
   * How far (ms) the clock has stepped forward in all so far, counting only steps of at least
   * CLOCK_STEP_MIN_MS (issue #12). Absent on clocks that never step (a simulation's virtual clock).
   */
  stepped?(): number;
}

export function systemClock(wall: () => number = Date.now, mono: () => number = monotonicMs): Clock {
  let base = wall() - mono();
  let stepped = 0;
  const now = () => {
    const monotonic = base + mono();
    const current = wall();
    // Follow a forward jump of the wall clock (NTP after an offline boot) by moving the base.
    if (current > monotonic) {
      base += current - monotonic;
      if (current - monotonic >= CLOCK_STEP_MIN_MS) stepped += current - monotonic;
    }
    return Math.round(base + mono());
  };
  return {
    now,
    random: Math.random,
    stepped: () => {
      now();
      return Math.round(stepped);
    },
  };
}
