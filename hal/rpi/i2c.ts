/**
 * Opens `/dev/i2c-N` with i2c-bus (a native addon, imported only here), and makes its failures named
 * hardware errors. i2c-bus opens the device lazily on the first write, so the device node is checked first:
 * a missing bus or a missing group membership is reported at start-up, before anything is sent.
 */
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { I2cBus } from '../oled/i2c-bus.js';
import { toHardwareError } from './hardware-error.js';
import { loadNative } from './native.js';
import type { HardwareContext } from './hardware-error.js';

export interface I2cOpenOptions {
  /**
   * Where the device nodes are checked. i2c-bus itself always opens `/dev/i2c-N`; this is a parameter so the
   * checks can be tested on a temp dir.
   * @default "/dev"
   */
  devDir?: string;
}

export async function openI2cBus(busNumber: number, options: I2cOpenOptions = {}): Promise<I2cBus> {
  const path = join(options.devDir ?? '/dev', `i2c-${busNumber}`);
  const context = { device: 'i2c', bus: busNumber, path } as const;
  try {
    await access(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw toHardwareError(error, context);
  }
  const i2c = await loadNative(
    () => import('i2c-bus'),
    'the i2c-bus native module could not be loaded: rebuild it on the device (npm rebuild i2c-bus; needs build-essential)',
  );
  return withHardwareErrors(i2c.openSync(busNumber), context);
}

/** The same bus, with each failure turned into a HardwareError naming the bus and the address written. */
export function withHardwareErrors(bus: I2cBus, context: Extract<HardwareContext, { device: 'i2c' }>): I2cBus {
  return {
    i2cWrite(address, length, buffer, callback) {
      bus.i2cWrite(address, length, buffer, (error, written, sent) => {
        callback(error ? toHardwareError(error, { ...context, address }) : null, written, sent);
      });
    },
    ...(bus.i2cWriteSync === undefined
      ? {}
      : {
          i2cWriteSync(address: number, length: number, buffer: Buffer): number {
            try {
              return bus.i2cWriteSync?.(address, length, buffer) ?? 0;
            } catch (error) {
              throw toHardwareError(error, { ...context, address });
            }
          },
        }),
    close(callback) {
      if (bus.close) bus.close(callback);
      else callback(null);
    },
  };
}
