import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { OledDisplay } from '../../../hal/oled/display.js';
import type { I2cBus } from '../../../hal/oled/i2c-bus.js';
import type { Rotation } from '../../../hal/oled/init-sequence.js';
import { panelFor } from '../../../hal/oled/panel.js';
import type { Controller } from '../../../hal/oled/panel.js';
import type { Frame } from '../../../hal/types.js';
import type { Screen } from '../../../src/screens/index.js';
import { renderScreen } from '../../../src/screens/index.js';
import { SAMPLE_SCREENS } from '../../fixtures/screens.js';
import { OledEmulator, rotate180 } from '../../support/ssd1306-emulator.js';

const zeros = (n: number) => new Array<number>(n).fill(0);

async function open(controller: Controller, height: 64 | 32, rotation: Rotation = 0) {
  const emulator = new OledEmulator({ controller, height });
  const display = await OledDisplay.open(emulator, { panel: panelFor(controller, 128, height), address: 0x3c, rotation });
  return { emulator, display };
}

/** What a person sees: the glass, turned back when the module is mounted upside down. */
function seen(emulator: OledEmulator, rotation: Rotation): Frame {
  return rotation === 180 ? rotate180(emulator.glass()) : emulator.glass();
}

/** A real code screen (QR, code, countdown) at `secondsLeft`: a tick changes only the countdown. */
const countdown = (secondsLeft: number): Screen => ({ ...(SAMPLE_SCREENS['code-keycloak'] as Extract<Screen, { kind: 'code' }>), secondsLeft });

describe('init sequence (exact bytes)', () => {
  it('SSD1306 128x64: one command write, a cleared RAM, then display on', async () => {
    const { emulator } = await open('ssd1306', 64);
    expect(emulator.transactions.map((t) => t.bytes)).toEqual([
      [0x00, 0xae, 0xd5, 0x80, 0xa8, 0x3f, 0xd3, 0x00, 0x40, 0x8d, 0x14, 0x20, 0x00, 0xa1, 0xc8, 0xda, 0x12, 0x81, 0x8f, 0xd9, 0xf1, 0xdb, 0x40, 0x2e, 0xa4, 0xa6],
      [0x00, 0x21, 0x00, 0x7f, 0x22, 0x00, 0x07],
      [0x40, ...zeros(1024)],
      [0x00, 0xaf],
    ]);
  });

  it('SSD1306 128x32 turned 180°: 32-row multiplex, sequential COM pins, A0/C0, four pages', async () => {
    const { emulator } = await open('ssd1306', 32, 180);
    expect(emulator.transactions.map((t) => t.bytes)).toEqual([
      [0x00, 0xae, 0xd5, 0x80, 0xa8, 0x1f, 0xd3, 0x00, 0x40, 0x8d, 0x14, 0x20, 0x00, 0xa0, 0xc0, 0xda, 0x02, 0x81, 0x8f, 0xd9, 0xf1, 0xdb, 0x40, 0x2e, 0xa4, 0xa6],
      [0x00, 0x21, 0x00, 0x7f, 0x22, 0x00, 0x03],
      [0x40, ...zeros(512)],
      [0x00, 0xaf],
    ]);
  });

  it('SH1106 128x64: its own DC-DC command, no SSD1306-only commands, page by page from column 2', async () => {
    const { emulator } = await open('sh1106', 64);
    expect(emulator.transactions.map((t) => t.bytes)).toEqual([
      [0x00, 0xae, 0xd5, 0xf0, 0xa8, 0x3f, 0xd3, 0x00, 0x40, 0xad, 0x8b, 0xa1, 0xc8, 0xda, 0x12, 0x81, 0x7f, 0xd9, 0x22, 0xdb, 0x20, 0xa4, 0xa6],
      ...Array.from({ length: 8 }, (_, page) => [
        [0x00, 0xb0 | page, 0x10, 0x02],
        [0x40, ...zeros(128)],
      ]).flat(),
      [0x00, 0xaf],
    ]);
    expect(emulator.protocolErrors).toEqual([]);
  });

  it.each<[Controller, 64 | 32]>([
    ['ssd1306', 64],
    ['ssd1306', 32],
    ['sh1106', 64],
  ])('%s 128x%i: the power-up noise in RAM never shows; the panel is on and dark', async (controller, height) => {
    const { emulator } = await open(controller, height);
    expect(emulator.displayOn).toBe(true);
    expect(emulator.glass().data.every((byte) => byte === 0)).toBe(true);
    expect(emulator.protocolErrors).toEqual([]);
  });

  it('has the values of oled-i2c-bus 1.0.12’s own SSD1306 init, except the three documented changes', async () => {
    const Oled = createRequire(import.meta.url)('oled-i2c-bus') as new (bus: unknown, options: object) => unknown;
    for (const height of [64, 32] as const) {
      const theirs = new OledEmulator({ controller: 'ssd1306', height });
      new Oled(theirs, { width: 128, height, address: 0x3c });
      const { emulator: ours } = await open('ssd1306', height);
      const ourInit = ours.commands.filter((c) => c[0] !== 0x21 && c[0] !== 0x22);
      // oled-i2c-bus: "start line" sent as 0x00 (a column nibble), no 0x2e, display on at the end of init.
      const expected = theirs.commands
        .map((c) => (c[0] === 0x00 ? [0x40] : c))
        .filter((c) => c[0] !== 0xaf)
        .flatMap((c) => (c[0] === 0xa4 ? [[0x2e], c] : [c]));
      expect(ourInit).toEqual([...expected, [0xaf]]);
      // One transaction instead of one per byte.
      expect(theirs.stats.writes).toBe(theirs.stats.commandBytes);
    }
  });
});

describe.each<[Controller, 64 | 32, Rotation]>([
  ['ssd1306', 64, 0],
  ['ssd1306', 64, 180],
  ['ssd1306', 32, 0],
  ['ssd1306', 32, 180],
  ['sh1106', 64, 0],
  ['sh1106', 64, 180],
])('%s 128x%i rotated %i°: the panel shows the frames it was given', (controller, height, rotation) => {
  const size = { width: 128, height } as const;

  it('through a sequence of every sample screen (each a partial update of the one before)', async () => {
    const { emulator, display } = await open(controller, height, rotation);
    for (const [name, screen] of Object.entries(SAMPLE_SCREENS)) {
      const frame = renderScreen(screen, size);
      await display.show(frame);
      expect(seen(emulator, rotation).data, name).toEqual(frame.data);
      // Turned by the controller, not by the test: the glass itself is upside down.
      if (rotation === 180) expect(emulator.glass().data, name).not.toEqual(frame.data);
    }
    expect(emulator.protocolErrors).toEqual([]);
    expect(emulator.scrolling).toBe(false);
  });

  it('a countdown tick sends only the changed digits: two transactions, far less than a frame', async () => {
    const { emulator, display } = await open(controller, height, rotation);
    await display.show(renderScreen(countdown(600), size));
    emulator.resetStats();
    const tick = renderScreen(countdown(599), size);
    await display.show(tick);
    expect(emulator.stats.transactions).toBe(2);
    expect(emulator.stats.dataBytes).toBeLessThan(64);
    expect(seen(emulator, rotation).data).toEqual(tick.data);
    emulator.resetStats();
    await display.show(tick);
    expect(emulator.stats.transactions).toBe(0);
  });
});

describe('OledDisplay controls', () => {
  it('setContrast sends 0x81 with the level, rounded and clamped to 0–255', async () => {
    const { emulator, display } = await open('ssd1306', 64);
    emulator.resetStats();
    await display.setContrast(300);
    await display.setContrast(12.4);
    expect(emulator.transactions.map((t) => t.bytes)).toEqual([
      [0x00, 0x81, 0xff],
      [0x00, 0x81, 12],
    ]);
    expect(emulator.contrast).toBe(12);
  });

  it('setPower(false) darkens the panel and setPower(true) brings the frame back without resending it', async () => {
    const { emulator, display } = await open('sh1106', 64);
    const frame = renderScreen(SAMPLE_SCREENS['paired']!, { width: 128, height: 64 });
    await display.show(frame);
    await display.setPower(false);
    expect(emulator.glass().data.every((byte) => byte === 0)).toBe(true);
    emulator.resetStats();
    await display.setPower(true);
    expect(emulator.stats.dataBytes).toBe(0);
    expect(emulator.glass().data).toEqual(frame.data);
  });

  it('close() leaves the last frame showing and closes the bus; close({ blank }) turns the panel off', async () => {
    const frame = renderScreen(SAMPLE_SCREENS['unpairing']!, { width: 128, height: 64 });
    const kept = await open('ssd1306', 64);
    await kept.display.show(frame);
    await kept.display.close();
    expect(kept.emulator.closed).toBe(true);
    expect(kept.emulator.glass().data).toEqual(frame.data);

    const blanked = await open('ssd1306', 64);
    await blanked.display.show(frame);
    blanked.emulator.resetStats();
    await blanked.display.close({ blank: true });
    await blanked.display.close({ blank: true });
    expect(blanked.emulator.transactions.map((t) => t.bytes)).toEqual([[0x00, 0xae]]);
    expect(blanked.emulator.glass().data.every((byte) => byte === 0)).toBe(true);
    await expect(blanked.display.show(frame)).rejects.toThrow('closed');
  });

  it('runs overlapping calls in order: the last frame shown wins', async () => {
    const { emulator, display } = await open('ssd1306', 64);
    const frames = [599, 598, 597].map((s) => renderScreen(countdown(s), { width: 128, height: 64 }));
    await Promise.all(frames.map((frame) => display.show(frame)));
    expect(emulator.glass().data).toEqual(frames[2]?.data);
  });

  it('rejects a frame of another size', async () => {
    const { display } = await open('ssd1306', 32);
    await expect(display.show(renderScreen(SAMPLE_SCREENS['paired']!, { width: 128, height: 64 }))).rejects.toThrow(RangeError);
  });

  it('fails to open when nothing answers at the address (EREMOTEIO)', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', address: 0x3d });
    await expect(OledDisplay.open(emulator, { panel: panelFor('ssd1306', 128, 64), address: 0x3c })).rejects.toMatchObject({
      code: 'EREMOTEIO',
    });
  });

  it('after a failed write it resends the whole frame, since the RAM content is no longer known', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306' });
    let failNext = false;
    const flaky: I2cBus = {
      i2cWrite(address, length, buffer, callback) {
        if (!failNext) return emulator.i2cWrite(address, length, buffer, callback);
        failNext = false;
        queueMicrotask(() => callback(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }), 0, buffer));
      },
    };
    const display = await OledDisplay.open(flaky, { panel: panelFor('ssd1306', 128, 64), address: 0x3c });
    await display.show(renderScreen(countdown(600), { width: 128, height: 64 }));
    const tick = renderScreen(countdown(599), { width: 128, height: 64 });
    failNext = true;
    await expect(display.show(tick)).rejects.toMatchObject({ code: 'EIO' });
    emulator.resetStats();
    await display.show(tick);
    expect(emulator.stats.dataBytes).toBe(1024);
    expect(emulator.glass().data).toEqual(tick.data);
  });
});
