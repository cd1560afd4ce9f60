import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DebouncedButton } from '../../../hal/button/button.js';
import type { Clock } from '../../../hal/button/button.js';
import { initialPressState, stepPress } from '../../../hal/button/press-logic.js';
import type { PressEvent, PressState, PressTiming } from '../../../hal/button/press-logic.js';
import { lineFromOnoff } from '../../../hal/rpi/gpio-sysfs.js';
import { SimulatedGpio, pressScript, stormScript } from '../../support/gpio-line.js';
import type { LineStep } from '../../support/gpio-line.js';

const TIMING: PressTiming = { debounceMs: 30, longPressMs: 1000 };

/**
 * Runs the pure logic the way the button's shell does: before each level report, the ticks it asked for
 * (`wakeAt`) that are due; after the last one, ticks until `until`.
 */
function classify(levels: readonly (readonly [at: number, pressed: boolean])[], options: { until?: number; initial?: PressState } = {}) {
  let state = options.initial ?? initialPressState(false, 0);
  let wake: number | undefined;
  const out: [PressEvent, number][] = [];
  const feed = (input: Parameters<typeof stepPress>[1]) => {
    const step = stepPress(state, input, TIMING);
    state = step.state;
    wake = step.wakeAt;
    for (const event of step.events) out.push([event, input.at]);
  };
  const tickUntil = (limit: number) => {
    for (let guard = 0; wake !== undefined && wake <= limit; guard++) {
      if (guard > 100) throw new Error('wakeAt does not advance');
      feed({ type: 'tick', at: wake });
    }
  };
  for (const [at, pressed] of levels) {
    tickUntil(at);
    feed({ type: 'level', pressed, at });
  }
  tickUntil(options.until ?? 10_000);
  return out;
}

/** 1 ms flips between `from` and `to` (on = pressed), ending at `to`. */
function storm(from: number, to: number, end: boolean): [number, boolean][] {
  const steps: [number, boolean][] = [];
  for (let at = from; at <= to; at++) steps.push([at, (to - at) % 2 === 0 ? end : !end]);
  return steps;
}

describe('press logic (pure)', () => {
  it.each<[string, [number, boolean][], [PressEvent, number][]]>([
    ['a clean short press is a press on release, once it settles', [[100, true], [300, false]], [['press', 330]]],
    ['a hold past the threshold is a long press at the threshold, nothing on release', [[100, true], [1500, false]], [['longPress', 1100]]],
    ['a hold of exactly the threshold is long', [[100, true], [1100, false]], [['longPress', 1100]]],
    [
      'bounces on contact and release make one press',
      [[100, true], [101, false], [102, true], [103, false], [104, true], [400, false], [401, true], [402, false]],
      [['press', 432]],
    ],
    ['a glitch shorter than the debounce is ignored', [[100, true], [110, false]], []],
    ['a bounce storm that ends released is ignored', storm(100, 600, false), []],
    ['a storm that ends pressed is a press held from its last edge', [...storm(100, 600, true), [1700, false]], [['longPress', 1600]]],
    ['repeated reports of one level (coalesced interrupts) change nothing', [[100, true], [105, true], [300, false], [301, false]], [['press', 330]]],
    ['a release just before the threshold is a press, decided when it settles', [[100, true], [1090, false]], [['press', 1120]]],
    ['a release bounce around the threshold does not end the hold', [[100, true], [1090, false], [1095, true], [1500, false]], [['longPress', 1100]]],
    [
      'presses after a long press are classified afresh',
      [[100, true], [1500, false], [2000, true], [2100, false], [3000, true], [4500, false]],
      [['longPress', 1100], ['press', 2130], ['longPress', 4000]],
    ],
  ])('%s', (_name, levels, expected) => {
    expect(classify(levels)).toEqual(expected);
  });

  it('a button already down at start-up reports nothing until it is released and pressed again', () => {
    const initial = initialPressState(true, 0);
    expect(classify([[3000, false]], { initial })).toEqual([]);
    expect(classify([[3000, false], [4000, true], [4200, false]], { initial })).toEqual([['press', 4230]]);
  });

  it('asks to be woken when a level settles and when a hold reaches the threshold, and not otherwise', () => {
    const idle = initialPressState(false, 0);
    expect(stepPress(idle, { type: 'tick', at: 50 }, TIMING).wakeAt).toBeUndefined();
    const touched = stepPress(idle, { type: 'level', pressed: true, at: 100 }, TIMING);
    expect(touched.wakeAt).toBe(130);
    const held = stepPress(touched.state, { type: 'tick', at: 130 }, TIMING);
    expect(held.wakeAt).toBe(1100);
    const long = stepPress(held.state, { type: 'tick', at: 1100 }, TIMING);
    expect(long.events).toEqual(['longPress']);
    expect(long.wakeAt).toBeUndefined();
  });
});

describe('DebouncedButton on a simulated sysfs line', () => {
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(options: { activeLow?: boolean; initial?: 0 | 1; latencyMs?: number } = {}) {
    const activeLow = options.activeLow ?? true;
    const gpio = new SimulatedGpio(options.initial ?? (activeLow ? 1 : 0), { latencyMs: options.latencyMs ?? 0 });
    const errors: Error[] = [];
    const button = new DebouncedButton(lineFromOnoff(gpio, (error) => errors.push(error)), { activeLow, longPressMs: 1000, clock });
    const events: [string, number][] = [];
    button.on('press', () => events.push(['press', Date.now()]));
    button.on('longPress', () => events.push(['longPress', Date.now()]));
    const play = async (script: readonly LineStep[], thenMs = 3000) => {
      gpio.play(script);
      await vi.advanceTimersByTimeAsync(Math.max(0, ...script.map(([at]) => at)) + thenMs);
    };
    return { gpio, button, events, errors, play };
  }

  it('a short press with contact bounce emits one press, on release', async () => {
    const { events, play, gpio } = setup();
    await play(pressScript({ at: 100, holdMs: 200, bounces: 3, bounceMs: 1 }));
    expect(events).toEqual([['press', 100 + 200 + 6 + 30]]);
    expect(gpio.interrupts).toBeGreaterThan(1);
  });

  it('a long press emits longPress once when the hold passes the threshold, and nothing on release', async () => {
    const { events, play } = setup();
    await play(pressScript({ at: 100, holdMs: 2500, bounces: 2 }));
    expect(events).toEqual([['longPress', 100 + 4 + 1000]]);
  });

  it('ignores a bounce storm (a floating input) however long it lasts', async () => {
    const { events, play } = setup();
    await play(stormScript({ at: 50, durationMs: 2000, periodMs: 3, end: 1 }));
    expect(events).toEqual([]);
  });

  it('survives late, coalesced interrupts that repeat or skip levels', async () => {
    const { events, play, gpio } = setup({ latencyMs: 2 });
    await play(pressScript({ at: 100, holdMs: 300, bounces: 5, bounceMs: 1 }));
    expect(gpio.interrupts).toBeLessThan(2 * (2 * 5 + 1));
    expect(events.map(([name]) => name)).toEqual(['press']);
  });

  it('reads an active-high button (pressed = 1)', async () => {
    const { events, play } = setup({ activeLow: false });
    await play(pressScript({ at: 10, holdMs: 150, activeLow: false }));
    expect(events.map(([name]) => name)).toEqual(['press']);
  });

  it('ignores a button held at start-up until it is released and pressed again', async () => {
    const { events, play } = setup({ initial: 0 });
    await play([[2000, 1]]);
    expect(events).toEqual([]);
    await play(pressScript({ at: 100, holdMs: 200 }));
    expect(events.map(([name]) => name)).toEqual(['press']);
  });

  it('close() unexports the line, cancels a pending long press and emits nothing after', async () => {
    const { events, button, gpio } = setup();
    const late: string[] = [];
    gpio.play([[100, 0]]);
    await vi.advanceTimersByTimeAsync(500);
    button.on('longPress', () => late.push('longPress'));
    await button.close();
    await button.close();
    gpio.play([[10, 1]]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(gpio.unexported).toBe(true);
    expect(events).toEqual([]);
    expect(late).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
