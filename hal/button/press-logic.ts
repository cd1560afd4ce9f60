/**
 * Debounce and short/long press classification, as a pure step function (Johnny-Five's `lib/button.js`
 * idea, above the GPIO driver): `stepPress(state, input)` returns the next state, the events to emit, and
 * when the caller must wake it up again. No timers or I/O here; `button.ts` owns those.
 *
 * Debounce is "trailing": a level counts once the line has held it for `debounceMs`, so any storm of
 * bounces shorter than that (contact chatter, a noisy floating input) produces nothing at all. The press
 * starts at the edge that began the settled level, so the hold time is measured from the real press.
 */

export interface PressTiming {
  /** How long the line must keep a level before it counts. */
  readonly debounceMs: number;
  /** Held this long, a press is a long press. */
  readonly longPressMs: number;
}

export interface PressState {
  /** Debounced: is the button down? */
  readonly stable: boolean;
  /** The last level reported by the line (pressed or not), settled or not. */
  readonly raw: boolean;
  /** When `raw` last changed. */
  readonly rawSince: number;
  /** When the current (stable) press began. */
  readonly pressedAt: number;
  /** The current press has been reported already (long press emitted, or it was held at start-up). */
  readonly reported: boolean;
}

export type PressInput =
  /** The line reported a level (possibly the same one again: sysfs interrupts coalesce). */
  | { readonly type: 'level'; readonly pressed: boolean; readonly at: number }
  /** A wake-up the caller scheduled at `wakeAt`. */
  | { readonly type: 'tick'; readonly at: number };

export type PressEvent = 'press' | 'longPress';

export interface PressStep {
  readonly state: PressState;
  readonly events: readonly PressEvent[];
  /** When to call again with a tick; undefined when nothing is pending. */
  readonly wakeAt: number | undefined;
}

/**
 * The state for a line found at `pressed` at start-up. A button already down (held through a reboot, or
 * stuck) is not reported at all, not even as a long press: it must be released and pressed again.
 */
export function initialPressState(pressed: boolean, at: number): PressState {
  return { stable: pressed, raw: pressed, rawSince: at, pressedAt: at, reported: pressed };
}

export function stepPress(state: PressState, input: PressInput, timing: PressTiming): PressStep {
  const events: PressEvent[] = [];
  let s = advance(state, input.at, timing, events);
  if (input.type === 'level' && input.pressed !== s.raw) {
    s = { ...s, raw: input.pressed, rawSince: input.at };
  }
  return { state: s, events, wakeAt: wakeAt(s, timing) };
}

/** Settles a level that has held long enough, then fires a long press that is due. */
function advance(state: PressState, at: number, timing: PressTiming, events: PressEvent[]): PressState {
  let s = state;
  if (s.raw !== s.stable && at >= s.rawSince + timing.debounceMs) {
    if (s.raw) {
      s = { ...s, stable: true, pressedAt: s.rawSince, reported: false };
    } else {
      // Released: a press, unless the long press was already reported. A release that settles after the
      // threshold without a tick in between (a late caller) still counts by when the finger left.
      if (!s.reported) events.push(s.rawSince - s.pressedAt >= timing.longPressMs ? 'longPress' : 'press');
      s = { ...s, stable: false };
    }
  }
  // Only while the line still reads pressed: a release in its debounce window may end the press early.
  if (s.stable && s.raw && !s.reported && at >= s.pressedAt + timing.longPressMs) {
    events.push('longPress');
    s = { ...s, reported: true };
  }
  return s;
}

function wakeAt(s: PressState, timing: PressTiming): number | undefined {
  if (s.raw !== s.stable) return s.rawSince + timing.debounceMs;
  if (s.stable && !s.reported) return s.pressedAt + timing.longPressMs;
  return undefined;
}
