/**
 * The simulated device is driven from outside through the HAL's `simulation` capability (issue #5:
 * `pairing-agent sim press | screen`; issue #14 item 1: the daemon asks the HAL what it can do instead of
 * checking which classes its button and display are).
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bitmap } from '../../hal/bitmap.js';
import { createSimHal } from '../../hal/factory.js';
import type { Button, ButtonEvents, Hal } from '../../hal/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { callDaemon } from '../../src/daemon/client.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { controlSocketPath } from '../../src/daemon/paths.js';
import { decodePng } from '../../src/screens/png-read.js';

function configIn(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Nothing listens on port 9: the agent stays unpaired and offline, which is all these tests need.
  return validateConfig({
    file: { issuer: 'http://127.0.0.1:9', client_id: 'x', hal: 'sim', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock') },
    path: join(dir, 'c.json'),
    env: {},
  });
}

/** A button that only a hand could press: no `press()` of its own. */
class HandButton extends EventEmitter<ButtonEvents> implements Button {
  async close(): Promise<void> {}
}

describe("the sim HAL's simulation capability", () => {
  it('presses its button and captures what its display shows', async () => {
    const hal = createSimHal({ display_width: 128, display_height: 64 });
    const seen: string[] = [];
    hal.button.on('press', () => seen.push('press'));
    hal.button.on('longPress', () => seen.push('longPress'));
    hal.simulation.press(false);
    hal.simulation.press(true);
    expect(seen).toEqual(['press', 'longPress']);

    const frame = new Bitmap(128, 64);
    frame.set(3, 9, true);
    await hal.display.show(frame);
    expect(hal.simulation.capture().data).toEqual(frame.data);
    await hal.display.setPower(false);
    expect(hal.simulation.capture().data.every((byte) => byte === 0)).toBe(true);
    await hal.close();
  });
});

describe('the daemon offers sim press and screen only through hal.simulation', () => {
  it('a HAL with a simulation capability is pressed and captured through it, whatever its parts are', async () => {
    const config = configIn('pa-simcap-');
    const sim = createSimHal(config);
    const presses: boolean[] = [];
    const picture = new Bitmap(128, 64);
    picture.set(0, 0, true);
    picture.set(127, 63, true);
    const hal: Hal = {
      display: sim.display,
      button: new HandButton(),
      simulation: { press: (long) => presses.push(long), capture: () => picture },
      close: () => sim.close(),
    };
    const daemon = await startDaemon({ config, log: () => {}, hal, notify: async () => undefined, env: {} });
    try {
      const socket = controlSocketPath(config);
      expect((await callDaemon(socket, 'POST', '/press', 5_000))?.status).toBe(202);
      expect((await callDaemon(socket, 'POST', '/long-press', 5_000))?.status).toBe(202);
      expect(presses).toEqual([false, true]);
      const screen = await callDaemon(socket, 'GET', '/screen.png', 5_000);
      expect(screen?.status).toBe(200);
      expect(decodePng(screen!.body).data).toEqual(picture.data);
    } finally {
      await daemon.stop();
    }
  }, 20_000);

  it('a HAL without one answers 409, even when its button and display are the simulated ones', async () => {
    const config = configIn('pa-nosimcap-');
    const { simulation: _none, ...hal } = createSimHal(config);
    const daemon = await startDaemon({ config, log: () => {}, hal, notify: async () => undefined, env: {} });
    try {
      const socket = controlSocketPath(config);
      const press = await callDaemon(socket, 'POST', '/press', 5_000);
      expect([press?.status, press?.json()]).toEqual([409, { error: 'no_simulated_button' }]);
      const screen = await callDaemon(socket, 'GET', '/screen.png', 5_000);
      expect([screen?.status, screen?.json()]).toEqual([409, { error: 'no_simulated_display' }]);
    } finally {
      await daemon.stop();
    }
  }, 20_000);
});
