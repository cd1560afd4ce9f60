/**
 * Burn-in (issue #16): the paired screen dims after a minute and switches off after `screen_timeout`; a short
 * press wakes it for 30 s; codes, errors and countdowns are never dimmed or blanked. The policy by table, then
 * the agent on the SSD1306 protocol emulator, paired through the embedded IdP on a virtual clock.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OledDisplay, panelFor } from '../../hal/oled/index.js';
import { VirtualButton } from '../../hal/sim/button.js';
import { Agent } from '../../src/agent/agent.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { screenFor } from '../../src/agent/view.js';
import { DIM_AFTER_MS, DIM_CONTRAST, FULL_CONTRAST, WAKE_MS, panelPlan } from '../../src/agent/panel-power.js';
import { validateConfig } from '../../src/config/index.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { renderScreen } from '../../src/screens/index.js';
import { FileStateStore } from '../../src/store/file-store.js';
import { OledEmulator } from '../support/ssd1306-emulator.js';
import { createVirtualTime } from '../support/virtual-time.js';

describe('panelPlan', () => {
  const T = 600_000;
  it.each([
    ['a code, error or countdown: on, whatever the time', { restful: false, idleSince: 0, now: 10 * T, timeoutMs: T }, { mode: 'on' }],
    ['paired, just shown: on until the dim', { restful: true, idleSince: 0, now: 0, timeoutMs: T }, { mode: 'on', until: DIM_AFTER_MS }],
    ['paired, a minute idle: dimmed until the timeout', { restful: true, idleSince: 0, now: DIM_AFTER_MS, timeoutMs: T }, { mode: 'dim', until: T }],
    ['paired, timed out: off', { restful: true, idleSince: 0, now: T, timeoutMs: T }, { mode: 'off' }],
    ['screen_timeout 0: dimmed, never off', { restful: true, idleSince: 0, now: 100 * T, timeoutMs: 0 }, { mode: 'dim' }],
    ['a timeout shorter than the dim: off without dimming', { restful: true, idleSince: 0, now: 0, timeoutMs: 30_000 }, { mode: 'on', until: 30_000 }],
    ['woken by a press: on for 30 s', { restful: true, idleSince: 0, wokenAt: 2 * T, now: 2 * T + 1, timeoutMs: T }, { mode: 'on', until: 2 * T + WAKE_MS }],
    ['30 s after the press: off again', { restful: true, idleSince: 0, wokenAt: 2 * T, now: 2 * T + WAKE_MS, timeoutMs: T }, { mode: 'off' }],
  ] as const)('%s', (_what, inputs, plan) => {
    expect(panelPlan(inputs)).toEqual(plan);
  });
});

describe('the agent on the SSD1306 protocol emulator', () => {
  let idp: EmbeddedIdp;
  beforeAll(async () => {
    idp = await startEmbeddedIdp({ interval: 5, ttl: { deviceCode: 1800 } });
  });
  afterAll(async () => {
    await idp.close();
  });

  it('never dims or blanks a code; dims the paired screen after a minute, sleeps after screen_timeout, wakes on a press', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-panel-'));
    const config = validateConfig({ file: { issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: dir }, path: join(dir, 'c.json'), env: {} });
    const emulator = new OledEmulator({ controller: 'ssd1306', height: 64 });
    const display = await OledDisplay.open(emulator, { panel: panelFor('ssd1306', 128, 64), address: 0x3c });
    const button = new VirtualButton();
    const hal = { display, button, close: async () => display.close() };
    const time = createVirtualTime(Date.now());
    const screenTimeoutMs = 180_000;
    const agent = new Agent({
      store: FileStateStore.open(dir).store,
      idp: createIdpClient(config, { log: () => {} }),
      hal,
      clock: time.clock(0),
      timers: time.timers,
      log: () => {},
      autoPair: false,
      screenTimeoutMs,
    });
    const run = (ms: number) => time.runUntil([agent], time.now() + ms);
    /** Contrast and display on/off commands on the bus since `from`. */
    const powerCommands = (from: number) => emulator.commands.slice(from).filter(([op]) => op === 0x81 || op === 0xae || op === 0xaf);
    try {
      await agent.start();
      button.press();
      await run(0);
      expect(agent.state.name).toBe('awaiting_user');

      // Ten minutes of code on screen (more than three times screen_timeout): not one power command.
      const codeShown = emulator.commands.length;
      await run(600_000);
      expect(agent.state.name).toBe('awaiting_user');
      expect(powerCommands(codeShown)).toEqual([]);
      expect([emulator.displayOn, emulator.contrast]).toEqual([true, FULL_CONTRAST]);

      if (agent.state.name !== 'awaiting_user') throw new Error('no code');
      await idp.approve(agent.state.code.userCode, 'alice');
      // The next poll (5 s) brings the tokens.
      await run(5_000);
      expect(agent.state.name).toBe('paired');
      const paired = emulator.commands.length;
      const pairedAt = time.now();

      await time.runUntil([agent], pairedAt + DIM_AFTER_MS - 1);
      expect(powerCommands(paired)).toEqual([]);
      await time.runUntil([agent], pairedAt + DIM_AFTER_MS);
      expect(powerCommands(paired)).toEqual([[0x81, DIM_CONTRAST]]);
      expect([emulator.displayOn, emulator.contrast]).toEqual([true, DIM_CONTRAST]);

      const dimmed = emulator.commands.length;
      await time.runUntil([agent], pairedAt + screenTimeoutMs);
      expect(powerCommands(dimmed)).toEqual([[0xae]]);
      expect(emulator.displayOn).toBe(false);
      expect(agent.shown?.panel).toBe('off');

      // A short press: full contrast, then display on, showing the paired screen for 30 s; then off again.
      const asleep = emulator.commands.length;
      button.press();
      await run(0);
      expect(agent.state.name).toBe('paired');
      expect(powerCommands(asleep)).toEqual([[0x81, FULL_CONTRAST], [0xaf]]);
      expect(Buffer.from(emulator.glass().data).equals(Buffer.from(renderScreen(screenFor(agent.state, time.now(), true), { width: 128, height: 64 }).data))).toBe(true);
      const woken = emulator.commands.length;
      await run(WAKE_MS - 1);
      expect(powerCommands(woken)).toEqual([]);
      await run(1);
      expect(powerCommands(woken)).toEqual([[0xae]]);
      expect(emulator.protocolErrors).toEqual([]);
    } finally {
      await agent.stop();
      await hal.close();
    }
  }, 60_000);
});
