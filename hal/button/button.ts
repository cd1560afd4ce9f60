/**
 * The button: a GPIO line fed through the pure press logic, with one timer for whatever is due next
 * (a level settling, a long press). Emits `press` on release before the threshold and `longPress` once
 * when the hold passes it.
 */
import { EventEmitter } from 'node:events';
import type { Button, ButtonEvents } from '../types.js';
import type { GpioLine, Level } from './line.js';
import { initialPressState, stepPress } from './press-logic.js';
import type { PressInput, PressState, PressTiming } from './press-logic.js';

/**
 * How long a level must hold to count. Tactile switches mostly settle within a few milliseconds (J. Ganssle,
 * "A Guide to Debouncing", 2008, measured bounces mostly under 10 ms); 30 ms leaves room for worn contacts
 * and is still far shorter than a deliberate tap (~100 ms).
 */
export const DEBOUNCE_MS = 30;

/** Time and timers, injected so tests run on fake timers. */
export interface Clock {
  /** Milliseconds on a monotonic clock: a Pi has no RTC, so wall time jumps when NTP syncs after boot. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  // process.hrtime, not performance.now(): the global loads node:perf_hooks (issue #18).
  now: () => Number(process.hrtime.bigint()) / 1e6,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ButtonOptions {
  /** The button pulls the line low when pressed (wired to ground, with a pull-up). */
  activeLow: boolean;
  /** Hold time of a long press, in ms (config `long_press_ms`). */
  longPressMs: number;
  /** @default DEBOUNCE_MS */
  debounceMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

export class DebouncedButton extends EventEmitter<ButtonEvents> implements Button {
  readonly #line: GpioLine;
  readonly #timing: PressTiming;
  readonly #clock: Clock;
  readonly #activeLow: boolean;
  #state: PressState;
  #timer: unknown;
  #closed = false;

  constructor(line: GpioLine, options: ButtonOptions) {
    super();
    this.#line = line;
    this.#clock = options.clock ?? systemClock;
    this.#activeLow = options.activeLow;
    this.#timing = { debounceMs: options.debounceMs ?? DEBOUNCE_MS, longPressMs: options.longPressMs };
    const initial = line.initialLevel;
    this.#state = initialPressState(initial !== undefined && this.#isPressed(initial), this.#clock.now());
    line.watch((level) => this.#feed({ type: 'level', pressed: this.#isPressed(level), at: this.#clock.now() }));
  }

  /** Stops the timer and listeners and releases the GPIO line. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#schedule(undefined);
    this.removeAllListeners();
    await this.#line.close();
  }

  #isPressed(level: Level): boolean {
    return this.#activeLow ? level === 0 : level === 1;
  }

  #feed(input: PressInput): void {
    if (this.#closed) return;
    const step = stepPress(this.#state, input, this.#timing);
    this.#state = step.state;
    this.#schedule(step.wakeAt);
    for (const event of step.events) this.emit(event);
  }

  #schedule(at: number | undefined): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (at === undefined) return;
    const delay = Math.max(0, Math.ceil(at - this.#clock.now()));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#feed({ type: 'tick', at: this.#clock.now() });
    }, delay);
  }
}
