/**
 * I2C cost of showing frames: our driver against oled-i2c-bus 1.0.12 and against the physical floor,
 * both over the protocol emulator in this process (the same counters for both). Figures are counted, not
 * timed: transactions, bytes, and the bus time those bytes take at 400 kHz. The frames are real screens:
 * a code screen at 600 s, then the countdown tick to 599 s.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { OledDisplay } from '../../hal/oled/display.js';
import { panelFor } from '../../hal/oled/panel.js';
import type { Controller } from '../../hal/oled/panel.js';
import type { Screen } from '../../src/screens/index.js';
import { DIM_CONTRAST, FULL_CONTRAST } from '../../src/agent/panel-power.js';
import { renderScreen } from '../../src/screens/index.js';
import { SAMPLE_SCREENS } from '../fixtures/screens.js';
import { OledEmulator } from '../support/ssd1306-emulator.js';
import type { BusStats } from '../support/ssd1306-emulator.js';
import { printTable } from '../support/markdown-table.js';

/** oled-i2c-bus's public surface used here (it ships no types). */
interface OledI2cBus {
  buffer: Buffer;
  update(): void;
  drawPixel(pixels: [number, number, number][], sync?: boolean): void;
}
const Oled = createRequire(import.meta.url)('oled-i2c-bus') as new (
  bus: unknown,
  options: { width: number; height: number; address: number },
) => OledI2cBus;

/** Standard-mode-plus I2C as the Pi runs an OLED (dtparam=i2c_arm_baudrate=400000); the default is 100 kHz. */
const BUS_HZ = 400_000;
/** Every byte on the bus, address bytes included, is 8 bits plus an ACK (START/STOP ignored). */
const CLOCKS_PER_BYTE = 9;

/** A real code screen (QR, code, countdown) at `secondsLeft`: a tick changes only the countdown. */
const countdown = (secondsLeft: number): Screen => ({ ...(SAMPLE_SCREENS['code-keycloak'] as Extract<Screen, { kind: 'code' }>), secondsLeft });

interface Cost {
  transactions: number;
  /** Written plus read, after the address bytes. */
  bytes: number;
  bytesWritten: number;
  dataBytes: number;
  busMs: number;
}

function cost(stats: BusStats): Cost {
  const bytes = stats.bytesWritten + stats.bytesRead;
  return {
    transactions: stats.transactions,
    bytes,
    bytesWritten: stats.bytesWritten,
    dataBytes: stats.dataBytes,
    busMs: ((bytes + stats.transactions) * CLOCKS_PER_BYTE * 1000) / BUS_HZ,
  };
}

/** Our driver: one forced full frame, then the tick as a diff. Checks the panel shows each frame. */
async function ours(controller: Controller, height: 64 | 32) {
  const size = { width: 128, height } as const;
  const [before, after] = [renderScreen(countdown(600), size), renderScreen(countdown(599), size)];
  const emulator = new OledEmulator({ controller, height });
  const display = await OledDisplay.open(emulator, { panel: panelFor(controller, 128, height), address: 0x3c });
  await display.show(before);
  display.invalidate();
  emulator.resetStats();
  await display.show(before);
  const full = cost(emulator.stats);
  expect(emulator.glass().data).toEqual(before.data);
  emulator.resetStats();
  await display.show(after);
  const tick = cost(emulator.stats);
  expect(emulator.glass().data).toEqual(after.data);
  expect(emulator.protocolErrors).toEqual([]);
  return { full, tick };
}

/** oled-i2c-bus: `update()` for each frame (deferred with setTimeout 0), and its drawPixel dirty path for the tick. */
async function theirs(height: 64 | 32) {
  const size = { width: 128, height } as const;
  const [before, after] = [renderScreen(countdown(600), size), renderScreen(countdown(599), size)];
  const emulator = new OledEmulator({ controller: 'ssd1306', height });
  const oled = new Oled(emulator, { width: 128, height, address: 0x3c });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  const update = async (frame: Uint8Array) => {
    oled.buffer.set(frame);
    oled.update();
    await settle();
  };

  emulator.resetStats();
  await update(before.data);
  const full = cost(emulator.stats);
  expect(emulator.glass().data).toEqual(before.data);

  emulator.resetStats();
  await update(after.data);
  const tick = cost(emulator.stats);
  expect(emulator.glass().data).toEqual(after.data);

  // Its partial path: draw only the pixels that changed.
  await update(before.data);
  emulator.resetStats();
  const changed: [number, number, number][] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 128; x++) {
      const bit = (frame: Uint8Array) => ((frame[x + 128 * (y >> 3)] ?? 0) >> (y & 7)) & 1;
      if (bit(before.data) !== bit(after.data)) changed.push([x, y, bit(after.data)]);
    }
  }
  oled.drawPixel(changed);
  await settle();
  const dirtyTick = cost(emulator.stats);
  expect(emulator.glass().data).toEqual(after.data);
  return { full, tick, dirtyTick };
}

const rows = (label: string, value: Cost, baseline: Cost) => [
  { figure: `${label}: I2C transactions`, value: value.transactions, baseline: baseline.transactions },
  { figure: `${label}: bytes on the bus`, value: value.bytes, baseline: baseline.bytes },
  { figure: `${label}: bus time at 400 kHz (ms)`, value: value.busMs, baseline: baseline.busMs },
];

describe('OLED I2C cost per frame and per countdown tick', () => {
  it('SSD1306 128x64 against oled-i2c-bus and the physical floor', async () => {
    const mine = await ours('ssd1306', 64);
    const lib = await theirs(64);
    const floor = (128 * 64) / 8;
    const floorMs = (floor * CLOCKS_PER_BYTE * 1000) / BUS_HZ;

    printTable('SSD1306 128x64: full frame and countdown tick (600 s → 599 s)', 'baseline: oled-i2c-bus 1.0.12 update() (status read + 6 commands + 1 KiB)', [
      ...rows('full frame', mine.full, lib.full),
      ...rows('tick', mine.tick, lib.tick),
    ]);
    printTable('SSD1306 128x64: countdown tick', "baseline: oled-i2c-bus 1.0.12 drawPixel() of the changed pixels (its dirty-byte path)", rows('tick', mine.tick, lib.dirtyTick));
    printTable('SSD1306 128x64: against the physical floor', `baseline: ${floor} data bytes per full frame (${floorMs.toFixed(2)} ms at 400 kHz)`, [
      { figure: 'full frame: data bytes', value: mine.full.dataBytes, baseline: floor },
      { figure: 'full frame: bytes on the bus', value: mine.full.bytes, baseline: floor },
      { figure: 'tick: bytes on the bus', value: mine.tick.bytes, baseline: floor },
      { figure: 'oled-i2c-bus update(): bytes on the bus', value: lib.full.bytes, baseline: floor },
    ]);

    expect(mine.tick.bytes).toBeLessThan(mine.full.bytes);
    expect(mine.tick.transactions).toBeLessThanOrEqual(lib.tick.transactions);
    expect(mine.full.bytes).toBeLessThanOrEqual(lib.full.bytes);
    expect(mine.full.dataBytes).toBe(floor);
  });

  it('SSD1306 128x32 and SH1106 128x64', async () => {
    const small = await ours('ssd1306', 32);
    const smallLib = await theirs(32);
    const sh = await ours('sh1106', 64);
    printTable('SSD1306 128x32: full frame and countdown tick', 'baseline: oled-i2c-bus 1.0.12 update()', [
      ...rows('full frame', small.full, smallLib.full),
      ...rows('tick', small.tick, smallLib.tick),
    ]);
    printTable('SH1106 128x64: countdown tick', 'baseline: a full SH1106 frame from the same driver (oled-i2c-bus has no SH1106 support)', rows('tick', sh.tick, sh.full));
    printTable('SH1106 128x64: full frame (one page write per page)', `baseline: ${(128 * 64) / 8} data bytes per full frame`, [
      { figure: 'full frame: data bytes', value: sh.full.dataBytes, baseline: (128 * 64) / 8 },
      { figure: 'full frame: bytes on the bus', value: sh.full.bytes, baseline: (128 * 64) / 8 },
    ]);
    expect(small.tick.bytes).toBeLessThan(small.full.bytes);
    expect(sh.tick.bytes).toBeLessThan(sh.full.bytes);
  });

  it('panel rest while paired (issue #16): dim, sleep and wake against blanking with a dark frame', async () => {
    const size = { width: 128, height: 64 } as const;
    const paired = renderScreen({ kind: 'paired', who: 'alice@example.com' }, size);
    const emulator = new OledEmulator({ controller: 'ssd1306', height: 64 });
    const display = await OledDisplay.open(emulator, { panel: panelFor('ssd1306', 128, 64), address: 0x3c });
    await display.show(paired);
    const measure = async (action: () => Promise<void>) => {
      emulator.resetStats();
      await action();
      return cost(emulator.stats);
    };
    // What the agent sends (src/agent/agent.ts #applyPanel): contrast to dim, display off to sleep, and
    // contrast + display on to wake (the frame is still in the controller's RAM).
    const dim = await measure(() => display.setContrast(DIM_CONTRAST));
    const sleep = await measure(() => display.setPower(false));
    expect(emulator.displayOn).toBe(false);
    const wake = await measure(async () => {
      await display.setContrast(FULL_CONTRAST);
      await display.setPower(true);
    });
    expect([emulator.displayOn, emulator.contrast]).toEqual([true, FULL_CONTRAST]);
    expect(emulator.glass().data).toEqual(paired.data);
    // The alternative without the display-off command: a dark frame, then the screen drawn again.
    const blank = await measure(() => display.show({ width: 128, height: 64, data: new Uint8Array(1024) }));
    const redraw = await measure(() => display.show(paired));
    expect(emulator.protocolErrors).toEqual([]);

    printTable('SSD1306 128x64: panel rest while paired (issue #16)', 'baseline: blanking with a dark frame and drawing the screen again (the same driver)', [
      { figure: 'dim (0x81 contrast): bytes on the bus', value: dim.bytes, baseline: blank.bytes },
      { figure: 'sleep (0xAE display off): bytes on the bus', value: sleep.bytes, baseline: blank.bytes },
      { figure: 'wake (contrast + 0xAF display on): bytes on the bus', value: wake.bytes, baseline: redraw.bytes },
      { figure: 'wake: I2C transactions', value: wake.transactions, baseline: redraw.transactions },
    ]);
    expect(sleep.bytes).toBeLessThan(blank.bytes);
    expect(wake.bytes).toBeLessThan(redraw.bytes);
  });
});
