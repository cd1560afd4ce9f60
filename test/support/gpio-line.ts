/**
 * A GPIO input that behaves like onoff 6.0.3's `Gpio` on a sysfs `value` file, for tests where there is no
 * GPIO hardware (no /sys/class/gpio, no gpio-sim module here).
 *
 * What it reproduces: `readSync()` returns the level now; `watch(cb)` is called back `(null, value)` after
 * each interrupt, with the value *read when the callback runs*, not the edge that raised it (onoff's
 * pollerEventHandler reads the file after epoll wakes); and edges that arrive while an interrupt is pending
 * coalesce into one callback, as sysfs_notify does. So a fast bounce can report one level twice or skip one.
 * Timers are the global ones: drive it with vitest fake timers.
 */
import type { Level } from '../../hal/button/line.js';
import type { OnoffGpio } from '../../hal/rpi/gpio-sysfs.js';

type WatchCallback = (error: Error | null | undefined, value: Level) => void;

/** A level change `at` ms after the script starts. */
export type LineStep = readonly [at: number, level: Level];

export class SimulatedGpio implements OnoffGpio {
  level: Level;
  unexported = false;
  /** Callbacks delivered so far (after coalescing). */
  interrupts = 0;
  /** Delay between an edge and its callback. @default 0 */
  readonly latencyMs: number;
  #listeners: WatchCallback[] = [];
  #pending = false;

  constructor(initial: Level, options: { latencyMs?: number } = {}) {
    this.level = initial;
    this.latencyMs = options.latencyMs ?? 0;
  }

  readSync(): Level {
    if (this.unexported) throw Object.assign(new Error('EBADF: bad file descriptor, read'), { code: 'EBADF' });
    return this.level;
  }

  watch(callback: WatchCallback): void {
    this.#listeners.push(callback);
  }

  unwatchAll(): void {
    this.#listeners = [];
  }

  unexport(): void {
    this.unwatchAll();
    this.unexported = true;
  }

  /** Drives the line to `level` now; an edge when it differs. */
  set(level: Level): void {
    if (level === this.level) return;
    this.level = level;
    if (this.#pending || this.#listeners.length === 0) return;
    this.#pending = true;
    const deliver = () => {
      this.#pending = false;
      this.interrupts++;
      const value = this.level;
      for (const listener of this.#listeners.slice()) listener(null, value);
    };
    // Always asynchronous, as epoll wakes onoff on a later turn of the event loop; a zero latency takes no
    // time at all (a 0 ms timer would count as 1 ms, as in Node).
    if (this.latencyMs > 0) setTimeout(deliver, this.latencyMs);
    else queueMicrotask(deliver);
  }

  /** Schedules level changes relative to now (fake timers advance them). */
  play(script: readonly LineStep[]): void {
    for (const [at, level] of script) setTimeout(() => this.set(level), at);
  }
}

export interface PressShape {
  /** When the first contact is made. @default 0 */
  at?: number;
  /** From the first contact of the press to the first contact of the release. */
  holdMs: number;
  /** Extra flips on each of press and release before the contact settles. @default 0 */
  bounces?: number;
  /** Time between flips while bouncing. @default 1 */
  bounceMs?: number;
  /** @default true (pressed = 0, wired to ground with a pull-up) */
  activeLow?: boolean;
}

/**
 * A press as a tactile switch makes it: on contact and on release the line flips `bounces` times back and
 * forth, `bounceMs` apart, before settling (so each settles `2 * bounces * bounceMs` after it began).
 */
export function pressScript(shape: PressShape): LineStep[] {
  const { at = 0, holdMs, bounces = 0, bounceMs = 1, activeLow = true } = shape;
  const pressed: Level = activeLow ? 0 : 1;
  const released: Level = activeLow ? 1 : 0;
  const settle = (start: number, to: Level, from: Level): LineStep[] =>
    Array.from({ length: 2 * bounces + 1 }, (_, k) => [start + k * bounceMs, k % 2 === 0 ? to : from] as const);
  return [...settle(at, pressed, released), ...settle(at + holdMs, released, pressed)];
}

/** Noise: the line flips every `periodMs` for `durationMs`, then rests at `end`. */
export function stormScript(options: { at?: number; durationMs: number; periodMs: number; end: Level }): LineStep[] {
  const { at = 0, durationMs, periodMs, end } = options;
  const steps: LineStep[] = [];
  const flips = Math.floor(durationMs / periodMs);
  for (let k = 0; k <= flips; k++) {
    // Count back from the end so the last step lands on `end`.
    const level: Level = (flips - k) % 2 === 0 ? end : end === 1 ? 0 : 1;
    steps.push([at + k * periodMs, level]);
  }
  return steps;
}
