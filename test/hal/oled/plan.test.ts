import { describe, expect, it } from 'vitest';
import { initCommands } from '../../../hal/oled/init-sequence.js';
import { panelFor } from '../../../hal/oled/panel.js';
import type { Panel } from '../../../hal/oled/panel.js';
import { TRANSACTION_COST_BYTES, costOf, planFullFrame, planUpdate } from '../../../hal/oled/plan.js';
import type { I2cWrite } from '../../../hal/oled/plan.js';
import { OledEmulator } from '../../support/ssd1306-emulator.js';

const SSD1306 = panelFor('ssd1306', 128, 64);
const SSD1306_32 = panelFor('ssd1306', 128, 32);
const SH1106 = panelFor('sh1106', 128, 64);

const blank = (panel: Panel) => new Uint8Array(panel.width * panel.pages);

/** A blank frame with `bytes` set: `[x, page, value]`. */
function frameWith(panel: Panel, bytes: readonly [x: number, page: number, value: number][]): Uint8Array {
  const frame = blank(panel);
  for (const [x, page, value] of bytes) frame[x + panel.width * page] = value;
  return frame;
}

const asArrays = (writes: readonly I2cWrite[]) => writes.map((write) => [...write]);
const data = (...bytes: number[]) => [0x40, ...bytes];
const zeros = (n: number) => new Array<number>(n).fill(0);

describe('planUpdate on the SSD1306 (column/page windows)', () => {
  it.each<[string, [number, number, number][], number[][]]>([
    ['nothing changed: nothing is sent', [], []],
    ['one byte: a one-column window and one data byte', [[5, 2, 0x81]], [[0x00, 0x21, 5, 5, 0x22, 2, 2], data(0x81)]],
    [
      'two changes with a short gap: one window, the gap resent',
      [[10, 0, 1], [20, 0, 2]],
      [[0x00, 0x21, 10, 20, 0x22, 0, 0], data(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)],
    ],
    [
      'two changes far apart on a page: two windows',
      [[0, 0, 1], [100, 0, 2]],
      [[0x00, 0x21, 0, 0, 0x22, 0, 0], data(1), [0x00, 0x21, 100, 100, 0x22, 0, 0], data(2)],
    ],
    [
      'the same columns on adjacent pages: one window over both pages, row by row',
      [[40, 3, 0xaa], [41, 3, 0xbb], [40, 4, 0xcc], [41, 4, 0xdd]],
      [[0x00, 0x21, 40, 41, 0x22, 3, 4], data(0xaa, 0xbb, 0xcc, 0xdd)],
    ],
    [
      'wide changes on the first and last page: two windows, not a rectangle over the six unchanged pages',
      [[20, 0, 1], [30, 0, 1], [40, 0, 1], [20, 7, 2], [30, 7, 2], [40, 7, 2]],
      [
        [0x00, 0x21, 20, 40, 0x22, 0, 0],
        data(1, ...zeros(9), 1, ...zeros(9), 1),
        [0x00, 0x21, 20, 40, 0x22, 7, 7],
        data(2, ...zeros(9), 2, ...zeros(9), 2),
      ],
    ],
    [
      'one column on the first and last page: the 8-byte rectangle is cheaper than a second window',
      [[60, 0, 1], [60, 7, 2]],
      [[0x00, 0x21, 60, 60, 0x22, 0, 7], data(1, 0, 0, 0, 0, 0, 0, 2)],
    ],
    [
      'the last column of the last page',
      [[127, 7, 0x80]],
      [[0x00, 0x21, 127, 127, 0x22, 7, 7], data(0x80)],
    ],
  ])('%s', (_name, changes, expected) => {
    expect(asArrays(planUpdate(blank(SSD1306), frameWith(SSD1306, changes), SSD1306))).toEqual(expected);
  });

  it('sends the whole frame when the previous one is unknown: one window, one 1025-byte write', () => {
    const frame = frameWith(SSD1306, [[0, 0, 1]]);
    const writes = planUpdate(undefined, frame, SSD1306);
    expect([...(writes[0] ?? [])]).toEqual([0x00, 0x21, 0, 127, 0x22, 0, 7]);
    expect(writes[1]?.length).toBe(1025);
    expect(writes).toHaveLength(2);
    expect(costOf(writes)).toEqual({ transactions: 2, bytes: 1032, dataBytes: 1024, cost: 1032 + 2 * TRANSACTION_COST_BYTES });
  });

  it('a frame where everything changed costs exactly a full frame', () => {
    const next = new Uint8Array(1024).fill(0xff);
    expect(asArrays(planUpdate(blank(SSD1306), next, SSD1306))).toEqual(asArrays(planFullFrame(next, SSD1306)));
  });

  it('uses the 32-row panel’s four pages', () => {
    const writes = planUpdate(undefined, blank(SSD1306_32), SSD1306_32);
    expect([...(writes[0] ?? [])]).toEqual([0x00, 0x21, 0, 127, 0x22, 0, 3]);
    expect(writes[1]?.length).toBe(513);
  });

  it('rejects a frame of the wrong size', () => {
    expect(() => planUpdate(undefined, new Uint8Array(512), SSD1306)).toThrow(RangeError);
  });
});

describe('planUpdate on the SH1106 (page addressing, RAM columns 2–129)', () => {
  it.each<[string, [number, number, number][], number[][]]>([
    ['one byte: page, column 5 + 2 as two nibbles, one data byte', [[5, 2, 0x81]], [[0x00, 0xb2, 0x10, 0x07], data(0x81)]],
    ['the last glass column is RAM column 129', [[127, 0, 1]], [[0x00, 0xb0, 0x18, 0x01], data(1)]],
    [
      'the same columns on two pages: one write per page (no windows on the SH1106)',
      [[40, 3, 0xaa], [40, 4, 0xcc]],
      [[0x00, 0xb3, 0x12, 0x0a], data(0xaa), [0x00, 0xb4, 0x12, 0x0a], data(0xcc)],
    ],
  ])('%s', (_name, changes, expected) => {
    expect(asArrays(planUpdate(blank(SH1106), frameWith(SH1106, changes), SH1106))).toEqual(expected);
  });

  it('a full frame is one page write per page, starting at column 2', () => {
    const writes = planFullFrame(blank(SH1106), SH1106);
    expect(writes).toHaveLength(16);
    expect(asArrays(writes.filter((_, i) => i % 2 === 0))).toEqual(
      Array.from({ length: 8 }, (_, page) => [0x00, 0xb0 | page, 0x10, 0x02]),
    );
    expect(writes.filter((_, i) => i % 2 === 1).every((write) => write.length === 129)).toBe(true);
  });
});

/** Deterministic pseudo-random numbers (xorshift32), so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/** A variant of `frame`: a few random rectangles and scattered bytes changed. */
function mutate(frame: Uint8Array, panel: Panel, next: () => number): Uint8Array {
  const out = frame.slice();
  const rects = Math.floor(next() * 4);
  for (let r = 0; r < rects; r++) {
    const x0 = Math.floor(next() * panel.width);
    const page0 = Math.floor(next() * panel.pages);
    const w = 1 + Math.floor(next() * 40);
    const h = 1 + Math.floor(next() * 3);
    for (let page = page0; page < Math.min(panel.pages, page0 + h); page++) {
      for (let x = x0; x < Math.min(panel.width, x0 + w); x++) out[x + panel.width * page] = Math.floor(next() * 256);
    }
  }
  const scattered = Math.floor(next() * 12);
  for (let k = 0; k < scattered; k++) out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
  return out;
}

describe.each([
  ['SSD1306 128x64', SSD1306],
  ['SSD1306 128x32', SSD1306_32],
  ['SH1106 128x64', SH1106],
])('planUpdate properties on %s (random frames, fixed seed)', (_name, panel) => {
  it('reproduces every next frame on the emulated controller, never costing more than a full frame', () => {
    const next = random(0x5eed + panel.height + panel.ramColumns);
    const emulator = new OledEmulator({ controller: panel.controller, height: panel.height, ram: 'zero' });
    const send = (writes: readonly I2cWrite[]) => {
      for (const write of writes) emulator.i2cWriteSync(0x3c, write.length, Buffer.from(write));
    };
    send([Uint8Array.of(0x00, ...initCommands(panel, 0), 0xaf)]);
    let shown: Uint8Array = blank(panel);
    send(planFullFrame(shown, panel));
    for (let round = 0; round < 300; round++) {
      const frame = round % 50 === 49 ? new Uint8Array(shown.length).map(() => Math.floor(next() * 256)) : mutate(shown, panel, next);
      const writes = planUpdate(shown, frame, panel);
      const full = costOf(planFullFrame(frame, panel));
      const cost = costOf(writes);
      expect(cost.cost).toBeLessThanOrEqual(full.cost);
      expect(cost.bytes).toBeLessThanOrEqual(full.bytes);
      send(writes);
      expect(emulator.glass().data).toEqual(frame);
      shown = frame;
    }
    expect(emulator.protocolErrors).toEqual([]);
  });
});
