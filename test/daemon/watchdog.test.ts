/**
 * Issue #12 item 8: the systemd watchdog watches the agent's event queue. An idle or busy-but-moving
 * agent pings; one wedged on an event (here a display write that never returns, as a hung I2C bus
 * would) stops pinging, so systemd restarts it; once the queue moves again the pings come back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import type { Frame } from '../../hal/types.js';
import { validateConfig } from '../../src/config/index.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { queueWatch, stallLimitMs } from '../../src/daemon/watchdog.js';
import { eventually } from '../support/cli.js';

describe('queueWatch', () => {
  it('is alive while the queue is empty or moving, and not once one event holds it past the limit', () => {
    let progress = { queued: 0, handled: 0 };
    let now = 0;
    const alive = queueWatch({ progress: () => progress }, 1000, () => now);
    now = 10_000;
    expect(alive()).toBe(true); // idle for a long time: alive
    progress = { queued: 1, handled: 0 };
    now += 500;
    expect(alive()).toBe(true); // an event in hand for 500 ms
    progress = { queued: 3, handled: 5 };
    now += 900;
    expect(alive()).toBe(true); // busy, but events are being handled
    now += 999;
    expect(alive()).toBe(true);
    now += 1;
    expect(alive()).toBe(false); // the same event for 1 s: wedged
    now += 60_000;
    expect(alive()).toBe(false);
    progress = { queued: 2, handled: 6 };
    expect(alive()).toBe(true); // moving again
  });

  it('allows half the watchdog period, and no limit without one', () => {
    expect(stallLimitMs({ WATCHDOG_USEC: '30000000' })).toBe(15_000);
    expect(stallLimitMs({})).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the daemon under a watchdog', () => {
  it('stops its WATCHDOG=1 pings while an event is wedged, and resumes when it moves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-watchdog-'));
    const config = validateConfig({
      file: { issuer: 'http://127.0.0.1:9', client_id: 'x', hal: 'sim', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock') },
      path: join(dir, 'c.json'),
      env: {},
    });
    const sim = createSimHal(config);
    // A display whose writes hang while `wedged` (a stuck I2C bus), released by `release`.
    let wedged = false;
    let release: () => void = () => {};
    const display = Object.assign(Object.create(sim.display) as typeof sim.display, {
      show: (frame: Frame) => (wedged ? new Promise<void>((resolve) => (release = resolve)) : sim.display.show(frame)),
    });
    const pings: number[] = [];
    const daemon = await startDaemon({
      config,
      log: () => {},
      hal: { ...sim, display },
      env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '1000000' }, // a ping every 500 ms
      notify: async (m) => void (m === 'WATCHDOG=1' && pings.push(Date.now())),
    });
    try {
      await eventually(async () => (pings.length >= 2 ? true : undefined), 10_000, 'pings while idle');
      wedged = true;
      sim.button.press(); // the next frame never reaches the panel: the queue is stuck on it
      await eventually(async () => (daemon.agent.progress().queued > 0 ? true : undefined), 5_000, 'the wedged event');
      // Past the stall limit (500 ms) and a ping interval, no ping goes out however long it lasts.
      await new Promise((r) => setTimeout(r, 1500));
      const atWedge = pings.length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(pings.length).toBe(atWedge);
      wedged = false;
      release();
      await eventually(async () => (pings.length > atWedge ? true : undefined), 10_000, 'pings once the queue moves');
    } finally {
      wedged = false;
      release();
      await daemon.stop();
    }
  }, 30_000);
});
