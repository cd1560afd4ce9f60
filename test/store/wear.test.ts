/**
 * SD-card wear (issue #18): a kiosk agent pairs and keeps 5-minute tokens alive for 3 virtual hours
 * (the soak's virtual clock, the soak's loopback provider with rotation) with a real state directory.
 * Only state changes that matter are written: none on the countdown's ticks while the code is shown,
 * none on idle wake-ups, two per refresh (`refreshing` before the request goes out, so a crash
 * mid-refresh is known; `paired` with the rotated token). Each write is one compact document.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_FAULTS } from '../soak/fault-gate.js';
import { runSoak } from '../soak/harness.js';
import { wearMeter, type WearMeter } from '../soak/wear.js';

describe('state writes on the virtual clock (issue #18)', () => {
  it('writes only state changes: none on countdown ticks or idle wake-ups, two per refresh, compact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-wear-'));
    let meter: WearMeter | undefined;
    const r = await runSoak({
      agents: 1,
      hours: 3,
      plan: NO_FAULTS,
      seed: 18,
      timeoutMs: 5000,
      store: (_i, now) => (meter = wearMeter(join(dir, 'state'), now)).store,
    });
    const writes = meter?.writes ?? [];
    expect(r.pairedAtEnd).toBe(1);
    // The code was on screen with its countdown ticking for 10-90 virtual s: not one write for that.
    expect(writes.filter((w) => w.repeated)).toEqual([]);
    const firstPaired = writes.findIndex((w) => w.state === 'paired');
    expect(firstPaired).toBeGreaterThan(0);
    // One write while pairing: the device code, on disk before it is shown.
    expect(writes.slice(0, firstPaired).map((w) => w.state)).toEqual(['awaiting_user']);
    // From then on: refreshing, paired, refreshing, paired, ... and nothing else.
    const after = writes.slice(firstPaired + 1);
    expect(after.length).toBe(2 * r.refreshed);
    after.forEach((w, i) => expect(w.state).toBe(i % 2 === 0 ? 'refreshing' : 'paired'));
    // One line of compact JSON (conf wrote tab-indented documents, a quarter larger or more).
    expect(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).toMatch(/^\{[^\n\t]*\}\n$/);
    for (const w of writes) expect(w.bytes).toBeLessThan(w.confBytes);
  });
});
