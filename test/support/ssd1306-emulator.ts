/**
 * An SSD1306 / SH1106 on a fake I2C bus, for tests and the bench (luma.emulator's idea, at the protocol
 * level). It stands in for the real part where there is no I2C hardware: it is a fake `i2c-bus` `Bus`
 * (the methods our driver and oled-i2c-bus 1.0.12 call) and decodes what is written the way the controller
 * would: control bytes, command arguments, addressing modes, windows, orientation. It keeps the display RAM,
 * shows what the glass would show, and counts transactions and bytes.
 *
 * Strict where the real chip is silent: a malformed control byte, an unknown command (e.g. an SSD1306-only
 * command sent to an SH1106), data written past the RAM, or data arriving while a command waits for its
 * arguments are recorded in `protocolErrors`, which tests expect to stay empty.
 *
 * @see SSD1306 datasheet rev 1.1 §8.1.5.2 (I2C write), §8.7 (GDDRAM), §10 (commands)
 * @see SH1106 datasheet V2.3 (132x64 RAM, page addressing, command table)
 */
import type { Frame } from '../../hal/types.js';

export type EmulatedController = 'ssd1306' | 'sh1106';

export interface EmulatorOptions {
  controller: EmulatedController;
  /** Rows of glass. @default 64 */
  height?: 64 | 32;
  /** The address the controller answers at; writes elsewhere fail with EREMOTEIO (no ACK). @default 0x3C */
  address?: number;
  /**
   * RAM content at power-up. The datasheets leave it undefined and real panels show noise, so the default is
   * a pseudo-random pattern: a driver that turns the panel on before clearing RAM shows it.
   * @default 'noise'
   */
  ram?: 'noise' | 'zero';
}

export interface BusStats {
  /** Write and read transactions (each one START … STOP, one `i2cWrite*`/`i2cRead*` call). */
  transactions: number;
  writes: number;
  reads: number;
  /** Bytes written after the address byte, control bytes included. */
  bytesWritten: number;
  /** Bytes read (oled-i2c-bus reads one status byte before each update). */
  bytesRead: number;
  /** Display-data bytes. */
  dataBytes: number;
  /** Command and argument bytes. */
  commandBytes: number;
}

type Callback = (error: Error | null, bytes: number, buffer: Buffer) => void;

/** Arguments taken by each multi-byte command; every other known command is a single byte. */
const SSD1306_ARGS: ReadonlyMap<number, number> = new Map([
  [0x20, 1], [0x21, 2], [0x22, 2], [0x26, 6], [0x27, 6], [0x29, 5], [0x2a, 5], [0xa3, 2],
  [0x81, 1], [0x8d, 1], [0xa8, 1], [0xd3, 1], [0xd5, 1], [0xd9, 1], [0xda, 1], [0xdb, 1],
]);
const SH1106_ARGS: ReadonlyMap<number, number> = new Map([
  [0x81, 1], [0xa8, 1], [0xad, 1], [0xd3, 1], [0xd5, 1], [0xd9, 1], [0xda, 1], [0xdb, 1],
]);

function isSingleByteCommand(controller: EmulatedController, c: number): boolean {
  if (c <= 0x1f || (c >= 0x40 && c <= 0x7f) || (c >= 0xb0 && c <= 0xb7)) return true;
  if ([0xa0, 0xa1, 0xa4, 0xa5, 0xa6, 0xa7, 0xae, 0xaf, 0xc0, 0xc8, 0xe3].includes(c)) return true;
  if (controller === 'ssd1306') return c === 0x2e || c === 0x2f;
  // SH1106: pump voltage 0x30–0x33, read-modify-write 0xe0 / end 0xee, COM scan uses bit 3 only (0xc0–0xcf).
  return (c >= 0x30 && c <= 0x33) || c === 0xe0 || c === 0xee || (c >= 0xc0 && c <= 0xcf);
}

export class OledEmulator {
  readonly controller: EmulatedController;
  readonly width = 128;
  readonly height: 64 | 32;
  readonly address: number;
  /** RAM columns: 128 (SSD1306) or 132 (SH1106); the glass shows `columnOffset .. columnOffset + 127`. */
  readonly ramColumns: number;
  readonly columnOffset: number;
  /** Display RAM, 8 pages of `ramColumns` bytes, bit 0 = top row of the page. */
  readonly ram: Uint8Array;

  // Controller registers, at their reset values (SSD1306 §10, Table 9-1 "reset" column; SH1106 likewise).
  displayOn = false;
  contrast = 0x7f;
  inverse = false;
  entireDisplayOn = false;
  segmentRemap = false;
  comReversed = false;
  multiplex = 63;
  startLine = 0;
  displayOffset = 0;
  /** SSD1306: 0 horizontal, 1 vertical, 2 page (the reset mode). The SH1106 only has page mode. */
  addressingMode = 2;
  scrolling = false;
  /** Single-argument settings by opcode (clock, pre-charge, COM pins, VCOM, charge pump, DC-DC). */
  readonly settings = new Map<number, number>();

  /** Every decoded command with its arguments, in order: `[opcode, ...args]`. */
  readonly commands: number[][] = [];
  /** Every transaction, in order, as sent (writes) or returned (reads). */
  readonly transactions: { kind: 'write' | 'read'; bytes: number[] }[] = [];
  readonly protocolErrors: string[] = [];
  stats: BusStats = emptyStats();
  closed = false;

  #columnStart = 0;
  #columnEnd = 127;
  #pageStart = 0;
  #pageEnd = 7;
  #column = 0;
  #page = 0;
  /** A command waiting for its arguments; it survives the end of a transaction (oled-i2c-bus relies on it). */
  #pending: { opcode: number; args: number[]; need: number } | undefined;

  constructor(options: EmulatorOptions) {
    this.controller = options.controller;
    this.height = options.height ?? 64;
    this.address = options.address ?? 0x3c;
    this.ramColumns = this.controller === 'sh1106' ? 132 : 128;
    this.columnOffset = this.controller === 'sh1106' ? 2 : 0;
    this.#columnEnd = this.ramColumns - 1;
    this.ram = new Uint8Array(8 * this.ramColumns);
    if ((options.ram ?? 'noise') === 'noise') {
      let seed = 0x2545f491;
      for (let i = 0; i < this.ram.length; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        this.ram[i] = seed & 0xff;
      }
    }
  }

  // ---- the fake i2c-bus 5.x Bus ----

  i2cWriteSync(address: number, length: number, buffer: Buffer): number {
    this.#checkOpen();
    this.#checkAddress(address);
    this.#write(buffer.subarray(0, length));
    return length;
  }

  i2cWrite(address: number, length: number, buffer: Buffer, callback: Callback): void {
    let result: number;
    try {
      result = this.i2cWriteSync(address, length, buffer);
    } catch (error) {
      queueMicrotask(() => callback(error as Error, 0, buffer));
      return;
    }
    queueMicrotask(() => callback(null, result, buffer));
  }

  /**
   * A one-byte read returns the status register (SSD1306 §10.1.21: bit 6 = display off); oled-i2c-bus reads
   * it to poll a "busy" bit before each update.
   */
  i2cReadSync(address: number, length: number, buffer: Buffer): number {
    this.#checkOpen();
    this.#checkAddress(address);
    const status = this.displayOn ? 0x00 : 0x40;
    buffer.fill(status, 0, length);
    this.stats.transactions++;
    this.stats.reads++;
    this.stats.bytesRead += length;
    this.transactions.push({ kind: 'read', bytes: [...buffer.subarray(0, length)] });
    return length;
  }

  i2cRead(address: number, length: number, buffer: Buffer, callback: Callback): void {
    try {
      const read = this.i2cReadSync(address, length, buffer);
      queueMicrotask(() => callback(null, read, buffer));
    } catch (error) {
      queueMicrotask(() => callback(error as Error, 0, buffer));
    }
  }

  closeSync(): void {
    this.closed = true;
  }

  close(callback: (error: Error | null) => void): void {
    this.closed = true;
    queueMicrotask(() => callback(null));
  }

  // ---- what the panel shows ----

  /**
   * The glass as a person sees a module mounted the usual way, in the frame layout (`data[x + 128 * page]`,
   * bit = row within the page): segment remap on and COM scan reversed show RAM upright, as the common
   * modules are wired. Dark while the display is off.
   */
  glass(): Frame {
    const data = new Uint8Array((this.width * this.height) / 8);
    if (!this.displayOn) return { width: this.width, height: this.height, data };
    const rows = Math.min(this.height, this.multiplex + 1);
    const lastSegment = this.ramColumns - 1 - this.columnOffset;
    for (let y = 0; y < rows; y++) {
      const scanRow = this.comReversed ? y : rows - 1 - y;
      const ramRow = (scanRow + this.startLine + this.displayOffset) & 63;
      for (let x = 0; x < this.width; x++) {
        const segment = lastSegment - x;
        const column = this.segmentRemap ? this.ramColumns - 1 - segment : segment;
        let lit = ((this.ram[(ramRow >> 3) * this.ramColumns + column] ?? 0) >> (ramRow & 7)) & 1;
        if (this.entireDisplayOn) lit = 1;
        if (this.inverse) lit ^= 1;
        if (lit) data[x + this.width * (y >> 3)]! |= 1 << (y & 7);
      }
    }
    return { width: this.width, height: this.height, data };
  }

  /** Forgets counters and logs (not RAM or registers): call after init to measure one operation. */
  resetStats(): void {
    this.stats = emptyStats();
    this.transactions.length = 0;
    this.commands.length = 0;
  }

  // ---- decoding ----

  #write(bytes: Uint8Array): void {
    this.stats.transactions++;
    this.stats.writes++;
    this.stats.bytesWritten += bytes.length;
    this.transactions.push({ kind: 'write', bytes: [...bytes] });
    // §8.1.5.2: a control byte; with Co = 1 one byte follows and then another control byte, with Co = 0
    // every remaining byte of the transaction is data (D/C# = 1) or commands (D/C# = 0).
    let i = 0;
    if (bytes.length === 0) this.protocolErrors.push('empty write');
    while (i < bytes.length) {
      const control = bytes[i++] ?? 0;
      if ((control & 0x3f) !== 0) {
        this.protocolErrors.push(`control byte 0x${hex(control)} has low bits set`);
        return;
      }
      const isData = (control & 0x40) !== 0;
      const end = (control & 0x80) !== 0 ? Math.min(i + 1, bytes.length) : bytes.length;
      if (i === end) this.protocolErrors.push(`control byte 0x${hex(control)} ends the transaction`);
      for (; i < end; i++) {
        const byte = bytes[i] ?? 0;
        if (isData) this.#data(byte);
        else this.#command(byte);
      }
    }
  }

  #command(byte: number): void {
    this.stats.commandBytes++;
    const pending = this.#pending;
    if (pending) {
      pending.args.push(byte);
      if (pending.args.length === pending.need) {
        this.#pending = undefined;
        this.#execute(pending.opcode, pending.args);
      }
      return;
    }
    const need = (this.controller === 'ssd1306' ? SSD1306_ARGS : SH1106_ARGS).get(byte);
    if (need !== undefined) this.#pending = { opcode: byte, args: [], need };
    else if (isSingleByteCommand(this.controller, byte)) this.#execute(byte, []);
    else this.protocolErrors.push(`${this.controller} has no command 0x${hex(byte)}`);
  }

  #execute(opcode: number, args: number[]): void {
    this.commands.push([opcode, ...args]);
    const [a = 0, b = 0] = args;
    if (opcode <= 0x0f) this.#column = (this.#column & 0xf0) | opcode;
    else if (opcode <= 0x1f) this.#column = (this.#column & 0x0f) | ((opcode & 0x0f) << 4);
    else if (opcode >= 0x30 && opcode <= 0x33) this.settings.set(0x30, opcode);
    else if (opcode >= 0x40 && opcode <= 0x7f) this.startLine = opcode & 0x3f;
    else if (opcode >= 0xb0 && opcode <= 0xb7) this.#page = opcode & 0x07;
    else if (opcode >= 0xc0 && opcode <= 0xcf) this.comReversed = (opcode & 0x08) !== 0;
    else {
      switch (opcode) {
        case 0x20:
          if ((a & 3) === 3) this.protocolErrors.push('addressing mode 3 is invalid');
          this.addressingMode = a & 3;
          break;
        case 0x21:
          if (a > b || b > 127) this.protocolErrors.push(`bad column window ${a}..${b}`);
          this.#columnStart = this.#column = a & 0x7f;
          this.#columnEnd = b & 0x7f;
          break;
        case 0x22:
          if (a > b || b > 7) this.protocolErrors.push(`bad page window ${a}..${b}`);
          this.#pageStart = this.#page = a & 7;
          this.#pageEnd = b & 7;
          break;
        case 0x2e:
          this.scrolling = false;
          break;
        case 0x2f:
          this.scrolling = true;
          break;
        case 0x81:
          this.contrast = a;
          break;
        case 0xa0:
        case 0xa1:
          this.segmentRemap = opcode === 0xa1;
          break;
        case 0xa4:
        case 0xa5:
          this.entireDisplayOn = opcode === 0xa5;
          break;
        case 0xa6:
        case 0xa7:
          this.inverse = opcode === 0xa7;
          break;
        case 0xa8:
          if (a < 15) this.protocolErrors.push(`multiplex ${a} is below 15`);
          this.multiplex = a & 0x3f;
          break;
        case 0xae:
        case 0xaf:
          this.displayOn = opcode === 0xaf;
          break;
        case 0xd3:
          this.displayOffset = a & 0x3f;
          break;
        default:
          // Settings without a visible effect here (scroll setup, clock, pre-charge, COM pins, VCOM, pumps).
          if (args.length > 0) this.settings.set(opcode, a);
      }
    }
  }

  #data(byte: number): void {
    this.stats.dataBytes++;
    if (this.#pending) {
      this.protocolErrors.push(`data byte while command 0x${hex(this.#pending.opcode)} waits for arguments`);
      return;
    }
    if (this.#column >= this.ramColumns) {
      this.protocolErrors.push(`data written past RAM column ${this.ramColumns - 1} on page ${this.#page}`);
      return;
    }
    this.ram[this.#page * this.ramColumns + this.#column] = byte;
    if (this.controller === 'sh1106' || this.addressingMode === 2) {
      // Page mode: the column advances and the page stays (SSD1306 §10.1.3 wraps at the end of the row; the
      // SH1106 stops at column 131, and a write past it is an error above).
      this.#column++;
      if (this.controller === 'ssd1306' && this.#column > 127) this.#column = 0;
    } else if (this.addressingMode === 0) {
      if (++this.#column > this.#columnEnd) {
        this.#column = this.#columnStart;
        if (++this.#page > this.#pageEnd) this.#page = this.#pageStart;
      }
    } else if (++this.#page > this.#pageEnd) {
      this.#page = this.#pageStart;
      if (++this.#column > this.#columnEnd) this.#column = this.#columnStart;
    }
  }

  #checkAddress(address: number): void {
    if (address !== this.address) {
      // What i2c-dev reports when nothing ACKs the address byte.
      throw Object.assign(new Error('EREMOTEIO: remote I/O error, write'), { code: 'EREMOTEIO', errno: -121, syscall: 'write' });
    }
  }

  #checkOpen(): void {
    if (this.closed) throw Object.assign(new Error('EBADF: bad file descriptor, write'), { code: 'EBADF', errno: -9, syscall: 'write' });
  }
}

/** The frame turned by 180°: what a person sees on a module mounted upside down. */
export function rotate180(frame: Frame): Frame {
  const data = new Uint8Array(frame.data.length);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      if (((frame.data[x + frame.width * (y >> 3)] ?? 0) >> (y & 7)) & 1) {
        const rx = frame.width - 1 - x;
        const ry = frame.height - 1 - y;
        data[rx + frame.width * (ry >> 3)]! |= 1 << (ry & 7);
      }
    }
  }
  return { width: frame.width, height: frame.height, data };
}

function emptyStats(): BusStats {
  return { transactions: 0, writes: 0, reads: 0, bytesWritten: 0, bytesRead: 0, dataBytes: 0, commandBytes: 0 };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
