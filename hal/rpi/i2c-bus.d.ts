/**
 * The part of i2c-bus 5.2.x the Raspberry Pi layer uses (the package ships no types). Its `openSync` does
 * no I/O: `/dev/i2c-N` is opened, and the address set with the I2C_SLAVE ioctl, on the first transfer.
 */
declare module 'i2c-bus' {
  interface Bus {
    i2cWrite(
      address: number,
      length: number,
      buffer: Buffer,
      callback: (error: Error | null, bytesWritten: number, buffer: Buffer) => void,
    ): void;
    i2cWriteSync(address: number, length: number, buffer: Buffer): number;
    close(callback: (error: Error | null) => void): void;
  }
  export function openSync(busNumber: number, options?: { forceAccess?: boolean }): Bus;
}
