import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/agent/clock.js';

describe('systemClock', () => {
  it('runs on the monotonic clock, follows the wall clock forward, never back', () => {
    let wall = 1_000_000;
    let mono = 50;
    const clock = systemClock(() => wall, () => mono);
    expect(clock.now()).toBe(1_000_000);
    mono += 1000;
    wall += 1000;
    expect(clock.now()).toBe(1_001_000);
    // NTP steps the wall clock back an hour: the agent's time keeps going.
    wall -= 3_600_000;
    mono += 500;
    expect(clock.now()).toBe(1_001_500);
    // An offline boot with a stale clock, then NTP jumps it three days ahead: followed at once.
    wall = 1_001_600 + 3 * 86_400_000;
    mono += 100;
    expect(clock.now()).toBe(wall);
    mono += 100;
    expect(clock.now()).toBe(wall + 100);
  });
});
