/**
 * The bus layer (luma.core's `serial.i2c`): the part of i2c-bus 5.x's `Bus` the OLED drivers call. The real
 * bus comes from `hal/rpi`; tests hand the drivers the protocol emulator instead.
 */

export type I2cWriteCallback = (error: Error | null, bytesWritten: number, buffer: Buffer) => void;

export interface I2cBus {
  /**
   * One plain I2C write transaction (i2c-bus `i2cWrite`: a `write(2)` on `/dev/i2c-N`, in libuv's thread
   * pool, so a 1 KiB frame does not block the event loop for the ~25 ms it takes at 400 kHz).
   */
  i2cWrite(address: number, length: number, buffer: Buffer, callback: I2cWriteCallback): void;
  /** The synchronous write oled-i2c-bus calls (i2c-bus `i2cWriteSync`); used only to initialise an SSD1306. */
  i2cWriteSync?(address: number, length: number, buffer: Buffer): number;
  close?(callback: (error: Error | null) => void): void;
}

/** Writes `bytes` as one transaction; a short write is an error (the panel got part of a command). */
export function writeTransaction(bus: I2cBus, address: number, bytes: Uint8Array): Promise<void> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Promise((resolve, reject) => {
    bus.i2cWrite(address, buffer.length, buffer, (error, written) => {
      if (error) reject(error);
      else if (written !== buffer.length) {
        reject(Object.assign(new Error(`short I2C write: ${written} of ${buffer.length} bytes`), { code: 'EIO' }));
      } else resolve();
    });
  });
}

export function closeBus(bus: I2cBus): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!bus.close) return resolve();
    bus.close((error) => (error ? reject(error) : resolve()));
  });
}
