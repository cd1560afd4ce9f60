/**
 * Hardware failures as a few named errors whose messages say what to fix (luma.core's
 * `DeviceNotFoundError`, `DevicePermissionError`). `toHardwareError` is pure: an OS error (its errno code)
 * and what we were doing → a `HardwareError`. Tested by table.
 */
import { CodedError } from '../errors.js';

export type HardwareErrorKind =
  /** The bus, the GPIO interface or the chip is not there (ENOENT). */
  | 'not_found'
  /** The user may not open it (EACCES, EPERM, EROFS). */
  | 'permission'
  /** Something else holds it (EBUSY). */
  | 'busy'
  /** Nothing answered at the I2C address (EREMOTEIO, ENXIO, EIO, ETIMEDOUT). */
  | 'no_device'
  /** The kernel rejected the number or request (EINVAL, ENOTTY). */
  | 'invalid'
  /** A native module or a tool we need is not installed. */
  | 'not_installed'
  /** A configuration the drivers do not support. */
  | 'unsupported'
  /** Any other I/O failure. */
  | 'io';

export class HardwareError extends CodedError<'ERR_HARDWARE'> {
  readonly kind: HardwareErrorKind;
  /** The OS error code behind it (`ENOENT`, `EBUSY`, …), when there was one. */
  readonly errno: string | undefined;

  constructor(kind: HardwareErrorKind, message: string, options: { cause?: unknown; errno?: string } = {}) {
    super('ERR_HARDWARE', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.errno = options.errno;
  }

  override get name(): string {
    return 'HardwareError';
  }
}

export type HardwareContext =
  | {
      readonly device: 'i2c';
      readonly bus: number;
      /** The device node, `/dev/i2c-N`. */
      readonly path: string;
      /** The 7-bit address being written, once past opening the bus. */
      readonly address?: number;
    }
  | {
      readonly device: 'gpio';
      /** BCM number (config `button_gpio`). */
      readonly gpio: number;
      /** The file or device we were using: `/sys/class/gpio/export`, `/dev/gpiochip0`, … */
      readonly path: string;
      /** The sysfs number written to `export` (base + BCM on Bookworm), when sysfs was used. */
      readonly sysfsNumber?: number;
    };

/** The errno code of a Node or native-addon error (`code: 'ENOENT'`), if it has one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Maps an OS error to a named hardware error for `context`; a HardwareError passes through unchanged. */
export function toHardwareError(error: unknown, context: HardwareContext): HardwareError {
  if (error instanceof HardwareError) return error;
  const errno = errnoOf(error);
  const [kind, message] = context.device === 'i2c' ? i2cProblem(errno, context) : gpioProblem(errno, context);
  const detail = error instanceof Error ? error.message : String(error);
  return new HardwareError(kind, kind === 'io' ? `${message} (${detail})` : message, { cause: error, ...(errno ? { errno } : {}) });
}

function i2cProblem(errno: string | undefined, c: Extract<HardwareContext, { device: 'i2c' }>): [HardwareErrorKind, string] {
  const at = c.address === undefined ? '' : `0x${c.address.toString(16).toUpperCase()} `;
  switch (errno) {
    case 'ENOENT':
    case 'ENODEV':
      return [
        'not_found',
        `I2C bus ${c.bus} not found: enable I2C with raspi-config (Interface Options > I2C) and reboot ` +
          `(${c.path} does not exist; or set i2c_bus to the bus the OLED is on)`,
      ];
    case 'EACCES':
    case 'EPERM':
      return [
        'permission',
        `permission denied on ${c.path}: add the user to group i2c (sudo usermod -aG i2c USER, then log in again); ` +
          'under systemd, allow the device with DeviceAllow=char-i2c rw',
      ];
    case 'EBUSY':
      return [
        'busy',
        `I2C address ${at}on bus ${c.bus} is claimed by a kernel driver: remove the dtoverlay that drives the display, ` +
          'or check i2c_address',
      ];
    case 'EREMOTEIO':
    case 'ENXIO':
    case 'EIO':
    case 'ETIMEDOUT':
    case 'EAGAIN':
      return [
        'no_device',
        `no device answered at ${at}on I2C bus ${c.bus}: check the OLED's wiring and power, and its address with ` +
          `i2cdetect -y ${c.bus} (0x3C or 0x3D; set i2c_address)`,
      ];
    case 'EINVAL':
    case 'ENOTTY':
      return ['invalid', `${c.path} is not an I2C adapter the kernel lets us use (${errno})`];
    default:
      return ['io', `I2C error on bus ${c.bus}${errno ? ` (${errno})` : ''}`];
  }
}

function gpioProblem(errno: string | undefined, c: Extract<HardwareContext, { device: 'gpio' }>): [HardwareErrorKind, string] {
  switch (errno) {
    case 'ENOENT':
    case 'ENODEV':
      return ['not_found', `GPIO ${c.gpio}: ${c.path} not found: is this a Raspberry Pi, with the GPIO driver loaded?`];
    case 'EACCES':
    case 'EPERM':
      return [
        'permission',
        `permission denied on ${c.path}: add the user to group gpio (sudo usermod -aG gpio USER, then log in again); ` +
          'under systemd, allow DeviceAllow=char-gpiochip rw',
      ];
    case 'EROFS':
      // systemd's ProtectKernelTunables=yes mounts /sys read-only (NOTES.md "onoff").
      return [
        'permission',
        `${c.path} is read-only: sysfs GPIO needs a writable /sys, which the unit's ProtectKernelTunables=yes forbids; ` +
          'install the sysfs-gpio drop-in (sudo deploy/install.sh --sysfs-gpio)',
      ];
    case 'EBUSY':
      return ['busy', `GPIO ${c.gpio} is in use by another program or driver: free it (see gpioinfo) or choose another button_gpio`];
    case 'EINVAL':
      return [
        'invalid',
        c.sysfsNumber === undefined
          ? `GPIO ${c.gpio} was rejected by the kernel (EINVAL): check button_gpio`
          : `GPIO ${c.gpio} (sysfs number ${c.sysfsNumber}) was rejected by the kernel (EINVAL): sysfs numbers are ` +
            'the gpiochip base + BCM number since kernel 6.6 (fivdi/onoff#199); check button_gpio',
      ];
    default:
      return ['io', `GPIO ${c.gpio} error on ${c.path}${errno ? ` (${errno})` : ''}`];
  }
}
