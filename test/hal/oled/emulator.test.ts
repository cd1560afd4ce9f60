/**
 * The protocol emulator is the oracle of the OLED driver tests and the bench, so it is pinned here against
 * the datasheets' rules, independently of the driver.
 */
import { describe, expect, it } from 'vitest';
import { OledEmulator } from '../../support/ssd1306-emulator.js';

function write(emulator: OledEmulator, ...transactions: number[][]): void {
  for (const bytes of transactions) emulator.i2cWriteSync(0x3c, bytes.length, Buffer.from(bytes));
}

const ramAt = (emulator: OledEmulator, page: number, column: number) => emulator.ram[page * emulator.ramColumns + column];

describe('OledEmulator: SSD1306 decoding', () => {
  it('Co = 1 control bytes carry one command (0x80) or one data byte (0xC0) each', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', ram: 'zero' });
    write(emulator, [0x80, 0xaf, 0x80, 0xb3, 0x80, 0x04, 0x80, 0x11, 0xc0, 0x5a, 0xc0, 0xa5]);
    expect(emulator.displayOn).toBe(true);
    expect([ramAt(emulator, 3, 0x14), ramAt(emulator, 3, 0x15)]).toEqual([0x5a, 0xa5]);
    expect(emulator.protocolErrors).toEqual([]);
  });

  it('horizontal addressing fills the window row by row and wraps to its start', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', ram: 'zero' });
    write(emulator, [0x00, 0x20, 0x00, 0x21, 10, 12, 0x22, 1, 2], [0x40, 1, 2, 3, 4, 5, 6, 7]);
    expect([10, 11, 12].map((c) => ramAt(emulator, 1, c))).toEqual([7, 2, 3]);
    expect([10, 11, 12].map((c) => ramAt(emulator, 2, c))).toEqual([4, 5, 6]);
  });

  it('vertical addressing fills column by column', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', ram: 'zero' });
    write(emulator, [0x00, 0x20, 0x01, 0x21, 0, 1, 0x22, 0, 1], [0x40, 1, 2, 3, 4]);
    expect([ramAt(emulator, 0, 0), ramAt(emulator, 1, 0), ramAt(emulator, 0, 1), ramAt(emulator, 1, 1)]).toEqual([1, 2, 3, 4]);
  });

  it('keeps a command waiting for its argument across transactions (oled-i2c-bus sends one byte per write)', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306' });
    write(emulator, [0x00, 0x81], [0x00, 0x42]);
    expect(emulator.contrast).toBe(0x42);
    expect(emulator.commands).toEqual([[0x81, 0x42]]);
  });

  it('consumes the arguments of scroll set-up commands', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306' });
    write(emulator, [0x00, 0x26, 0x00, 0x00, 0x00, 0x07, 0x00, 0xff, 0x2f]);
    expect(emulator.scrolling).toBe(true);
    write(emulator, [0x00, 0x2e]);
    expect(emulator.scrolling).toBe(false);
    expect(emulator.protocolErrors).toEqual([]);
  });

  it('records malformed traffic instead of guessing', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306' });
    write(emulator, [0x01, 0xaf], [0x00, 0x81], [0x40, 0x00], [0x00, 0x00, 0xff]);
    expect(emulator.protocolErrors).toEqual(['control byte 0x01 has low bits set', 'data byte while command 0x81 waits for arguments', 'ssd1306 has no command 0xff']);
  });

  it('counts transactions, data and command bytes, and a status read', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306' });
    write(emulator, [0x00, 0x21, 0, 1, 0x22, 0, 0], [0x40, 9, 9]);
    emulator.i2cReadSync(0x3c, 1, Buffer.alloc(1));
    expect(emulator.stats).toEqual({ transactions: 3, writes: 2, reads: 1, bytesWritten: 10, bytesRead: 1, dataBytes: 2, commandBytes: 6 });
  });

  it('does not answer at another address, like a bus with nothing there', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', address: 0x3d });
    expect(() => emulator.i2cWriteSync(0x3c, 2, Buffer.from([0x00, 0xaf]))).toThrow(expect.objectContaining({ code: 'EREMOTEIO' }));
    const error = await new Promise((resolve) => emulator.i2cWrite(0x3c, 2, Buffer.from([0x00, 0xaf]), resolve));
    expect(error).toMatchObject({ code: 'EREMOTEIO' });
  });
});

describe('OledEmulator: the glass', () => {
  /** RAM byte 0 (column 0, page 0) has its top pixel lit. */
  function onePixel(controller: 'ssd1306' | 'sh1106', commands: number[]) {
    const emulator = new OledEmulator({ controller, ram: 'zero' });
    const first = controller === 'sh1106' ? 2 : 0;
    write(emulator, [0x00, 0xb0, 0x10 | (first >> 4), first & 0x0f], [0x40, 0x01], [0x00, 0xaf, ...commands]);
    const lit: [number, number][] = [];
    const glass = emulator.glass();
    for (let y = 0; y < glass.height; y++) {
      for (let x = 0; x < glass.width; x++) if (((glass.data[x + 128 * (y >> 3)] ?? 0) >> (y & 7)) & 1) lit.push([x, y]);
    }
    return { lit, emulator };
  }

  it.each<['ssd1306' | 'sh1106', number[], [number, number][]]>([
    ['ssd1306', [0xa1, 0xc8], [[0, 0]]],
    ['ssd1306', [0xa0, 0xc0], [[127, 63]]],
    ['ssd1306', [0xa0, 0xc8], [[127, 0]]],
    ['ssd1306', [0xa1, 0xc0], [[0, 63]]],
    ['sh1106', [0xa1, 0xc8], [[0, 0]]],
    ['sh1106', [0xa0, 0xc0], [[127, 63]]],
  ])('%s with %j shows the first visible RAM byte’s top pixel at %j', (controller, commands, expected) => {
    expect(onePixel(controller, commands).lit).toEqual(expected);
  });

  it('SH1106: RAM columns 0, 1, 130 and 131 are not on the glass', () => {
    const emulator = new OledEmulator({ controller: 'sh1106', ram: 'zero' });
    write(emulator, [0x00, 0xb0, 0x10, 0x00], [0x40, 0xff, 0xff], [0x00, 0xb0, 0x18, 0x02], [0x40, 0xff, 0xff], [0x00, 0xaf, 0xa1, 0xc8]);
    expect(emulator.glass().data.every((byte) => byte === 0)).toBe(true);
    write(emulator, [0x40, 0xff]);
    expect(emulator.protocolErrors).toEqual(['data written past RAM column 131 on page 0']);
  });

  it('SH1106 has no SSD1306 addressing or charge-pump commands', () => {
    const emulator = new OledEmulator({ controller: 'sh1106' });
    write(emulator, [0x00, 0x20], [0x00, 0x8d], [0x00, 0xad, 0x8b]);
    expect(emulator.protocolErrors).toEqual(['sh1106 has no command 0x20', 'sh1106 has no command 0x8d']);
  });

  it('inverse, entire-display-on and display-off change what shows, not the RAM', () => {
    const { emulator } = onePixel('ssd1306', [0xa1, 0xc8]);
    write(emulator, [0x00, 0xa7]);
    expect(emulator.glass().data[0]).toBe(0xfe);
    write(emulator, [0x00, 0xa6, 0xa5]);
    expect(emulator.glass().data.every((byte) => byte === 0xff)).toBe(true);
    write(emulator, [0x00, 0xa4, 0xae]);
    expect(emulator.glass().data.every((byte) => byte === 0)).toBe(true);
    expect(ramAt(emulator, 0, 0)).toBe(0x01);
  });

  it('a 32-row panel shows pages 0–3', () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', height: 32, ram: 'zero' });
    write(emulator, [0x00, 0xa8, 0x1f, 0xa1, 0xc8, 0xaf, 0xb3, 0x00, 0x10], [0x40, 0x80]);
    const glass = emulator.glass();
    expect(glass.data).toHaveLength(512);
    expect(glass.data[3 * 128]).toBe(0x80);
  });
});
