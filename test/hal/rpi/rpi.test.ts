import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Level } from '../../../hal/button/line.js';
import { OledDisplay } from '../../../hal/oled/display.js';
import { panelFor } from '../../../hal/oled/panel.js';
import { HardwareError, toHardwareError } from '../../../hal/rpi/hardware-error.js';
import type { HardwareContext, HardwareErrorKind } from '../../../hal/rpi/hardware-error.js';
import { withHardwareErrors } from '../../../hal/rpi/i2c.js';
import { loadNative } from '../../../hal/rpi/native.js';
import type { RpiConfig } from '../../../hal/rpi/index.js';
import { DEFAULTS } from '../../../src/config/schema.js';
import { AgentError } from '../../../src/errors.js';
import { renderScreen } from '../../../src/screens/index.js';
import { SimulatedGpio, pressScript } from '../../support/gpio-line.js';
import { OledEmulator } from '../../support/ssd1306-emulator.js';

/**
 * The native modules are replaced for this file: the factories record that they ran (i.e. that something
 * imported the module), and hand out the protocol emulator as the I2C bus and a simulated line as the GPIO.
 */
const native = vi.hoisted(() => ({
  loaded: [] as string[],
  bus: undefined as unknown,
  gpio: undefined as unknown,
  gpioCalls: [] as unknown[][],
}));
vi.mock('i2c-bus', () => {
  native.loaded.push('i2c-bus');
  return { openSync: () => native.bus };
});
vi.mock('onoff', () => {
  native.loaded.push('onoff');
  return {
    Gpio: class {
      constructor(...args: unknown[]) {
        native.gpioCalls.push(args);
        return native.gpio as object;
      }
    },
  };
});

/** The documented default wiring (the configuration's defaults), with a shorter long press. */
const CONFIG: RpiConfig = { ...DEFAULTS, long_press_ms: 1000 };

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'hal-rpi-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('loading the Raspberry Pi layer', () => {
  it('importing hal/rpi/index.js loads neither i2c-bus nor onoff', async () => {
    await import('../../../hal/rpi/index.js');
    expect(native.loaded).toEqual([]);
  });

  it('on a machine without /dev/i2c-1 (this one) createRpiHal throws a named error saying what to do, still without loading i2c-bus', async () => {
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    const creating = createRpiHal(CONFIG, { devDir: join(scratch, 'empty-dev') });
    await expect(creating).rejects.toBeInstanceOf(HardwareError);
    await expect(creating).rejects.toMatchObject({
      code: 'ERR_HARDWARE',
      kind: 'not_found',
      errno: 'ENOENT',
      message: expect.stringMatching(/^I2C bus 1 not found: enable I2C with raspi-config/),
    });
    await expect(createRpiHal(CONFIG)).rejects.toMatchObject({ kind: 'not_found' });
    expect(native.loaded).toEqual([]);
  });

  it('a native addon that cannot be loaded: one not_installed error saying how to rebuild it, the loader\'s error as its cause', async () => {
    const unbuilt = new Error("Cannot find module 'build/Release/epoll.node'");
    const loading = loadNative(() => Promise.reject(unbuilt), 'the onoff module could not be loaded: rebuild it on the device (npm rebuild epoll)');
    await expect(loading).rejects.toBeInstanceOf(HardwareError);
    await expect(loading).rejects.toMatchObject({ code: 'ERR_HARDWARE', kind: 'not_installed', message: 'the onoff module could not be loaded: rebuild it on the device (npm rebuild epoll)', cause: unbuilt });
    await expect(loadNative(async () => ({ openSync: 1 }), 'unused')).resolves.toEqual({ openSync: 1 });
  });

  it('refuses an SH1106 at 128x32 before touching any hardware', async () => {
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    await expect(createRpiHal({ ...CONFIG, display_controller: 'sh1106', display_height: 32 })).rejects.toMatchObject({
      kind: 'unsupported',
      message: expect.stringContaining('display_height to 64'),
    });
  });

  it.skipIf(process.getuid?.() === 0)('reports an I2C device node the user may not open as a permission problem', async () => {
    const dev = join(scratch, 'locked-dev');
    await mkdir(dev, { recursive: true });
    await writeFile(join(dev, 'i2c-1'), '');
    await chmod(join(dev, 'i2c-1'), 0o000);
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    await expect(createRpiHal(CONFIG, { devDir: dev })).rejects.toMatchObject({ kind: 'permission' });
  });
});

describe('createRpiHal wired to the emulated panel and a simulated sysfs line (native modules mocked)', () => {
  async function fakeSystem(name: string) {
    const dev = join(scratch, `${name}-dev`);
    const sysfs = join(scratch, `${name}-sysfs`);
    await mkdir(dev, { recursive: true });
    await writeFile(join(dev, 'i2c-1'), '');
    await mkdir(join(sysfs, 'gpiochip512'), { recursive: true });
    await writeFile(join(sysfs, 'export'), '');
    await writeFile(join(sysfs, 'gpiochip512', 'label'), 'pinctrl-bcm2711\n');
    await writeFile(join(sysfs, 'gpiochip512', 'base'), '512\n');
    await writeFile(join(sysfs, 'gpiochip512', 'ngpio'), '58\n');
    return { devDir: dev, sysfsRoot: sysfs };
  }

  it('opens the panel and the button at base + BCM, shows frames, presses, and closes cleanly', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', height: 64 });
    const gpio = new SimulatedGpio(1 as Level);
    native.bus = emulator;
    native.gpio = gpio;
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    const hal = await createRpiHal({ ...CONFIG, display_rotation: 180 }, await fakeSystem('wired'));
    expect(native.loaded.sort()).toEqual(['i2c-bus', 'onoff']);
    // Raw levels on sysfs number 512 + 17, both edges, no onoff debounce (the press logic debounces).
    expect(native.gpioCalls).toEqual([[529, 'in', 'both', { activeLow: false }]]);

    const frame = renderScreen({ kind: 'paired', who: 'alice@example.com' }, { width: 128, height: 64 });
    await hal.display.show(frame);
    expect(emulator.segmentRemap).toBe(false);
    expect(emulator.comReversed).toBe(false);

    const presses: string[] = [];
    hal.button?.on('press', () => presses.push('press'));
    vi.useFakeTimers();
    try {
      gpio.play(pressScript({ at: 10, holdMs: 200, bounces: 2 }));
      await vi.advanceTimersByTimeAsync(1000);
    } finally {
      vi.useRealTimers();
    }
    expect(presses).toEqual(['press']);

    await hal.close();
    expect(gpio.unexported).toBe(true);
    expect(emulator.closed).toBe(true);
    expect(emulator.displayOn).toBe(true);
  });

  it('an SSD1306 is initialised by oled-i2c-bus, then corrected, cleared and switched on by the driver', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', height: 32 });
    native.bus = emulator;
    native.gpio = new SimulatedGpio(1 as Level);
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    const hal = await createRpiHal({ ...CONFIG, display_height: 32 }, await fakeSystem('library-init'));
    const writes = emulator.transactions.filter((t) => t.kind === 'write').map((t) => t.bytes);
    // oled-i2c-bus 1.0.12 sends its sequence one command byte per transaction, for the 128x32 size.
    const library = [0xae, 0xd5, 0x80, 0xa8, 0x1f, 0xd3, 0x00, 0x00, 0x8d, 0x14, 0x20, 0x00, 0xa1, 0xc8, 0xda, 0x02, 0x81, 0x8f, 0xd9, 0xf1, 0xdb, 0x40, 0xa4, 0xa6, 0xaf];
    expect(writes.slice(0, library.length)).toEqual(library.map((byte) => [0x00, byte]));
    // Then the driver: off, the real start line, scroll stopped, orientation — one transaction.
    expect(writes[library.length]).toEqual([0x00, 0xae, 0x40, 0x2e, 0xa1, 0xc8]);
    const frame = renderScreen({ kind: 'paired', who: 'alice@example.com' }, { width: 128, height: 32 });
    await hal.display.show(frame);
    expect(emulator.displayOn).toBe(true);
    expect(emulator.glass().data).toEqual(frame.data);
    await hal.close();
  });

  it('a kiosk with auto_pair gets no button and no GPIO is touched', async () => {
    native.bus = new OledEmulator({ controller: 'sh1106' });
    native.gpioCalls.length = 0;
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    const hal = await createRpiHal({ ...CONFIG, auto_pair: true, display_controller: 'sh1106' }, await fakeSystem('kiosk'));
    expect(hal.button).toBeUndefined();
    expect(native.gpioCalls).toEqual([]);
    await hal.close();
  });

  it('nothing at the configured address: a no_device error naming address and bus, and the bus is closed', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306', address: 0x3d });
    native.bus = emulator;
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    await expect(createRpiHal(CONFIG, await fakeSystem('absent'))).rejects.toMatchObject({
      kind: 'no_device',
      errno: 'EREMOTEIO',
      message: expect.stringContaining('no device answered at 0x3C on I2C bus 1'),
    });
    expect(emulator.closed).toBe(true);
  });

  it('a button that cannot be opened blanks and releases the panel before the error surfaces', async () => {
    const emulator = new OledEmulator({ controller: 'ssd1306' });
    native.bus = emulator;
    const system = await fakeSystem('bad-pin');
    const { createRpiHal } = await import('../../../hal/rpi/index.js');
    await expect(createRpiHal({ ...CONFIG, button_gpio: 60 }, system)).rejects.toMatchObject({ kind: 'invalid' });
    expect(emulator.displayOn).toBe(false);
    expect(emulator.closed).toBe(true);
  });
});

describe('OS errors → named hardware errors (pure mapping)', () => {
  const i2c: HardwareContext = { device: 'i2c', bus: 1, path: '/dev/i2c-1', address: 0x3c };
  const { address: _address, ...i2cBusOnly } = i2c;
  const gpio: HardwareContext = { device: 'gpio', gpio: 17, path: '/sys/class/gpio/export', sysfsNumber: 529 };

  it.each<[string, HardwareContext, string, HardwareErrorKind, RegExp]>([
    ['missing bus', i2cBusOnly, 'ENOENT', 'not_found', /^I2C bus 1 not found: enable I2C with raspi-config/],
    ['not in group i2c', i2c, 'EACCES', 'permission', /^permission denied on \/dev\/i2c-1: add the user to group i2c/],
    ['EPERM like EACCES', i2c, 'EPERM', 'permission', /group i2c/],
    ['address claimed by a kernel driver', i2c, 'EBUSY', 'busy', /0x3C on bus 1 is claimed by a kernel driver/],
    ['no ACK', i2c, 'EREMOTEIO', 'no_device', /^no device answered at 0x3C on I2C bus 1: .*i2cdetect -y 1/],
    ['ENXIO like no ACK', i2c, 'ENXIO', 'no_device', /no device answered/],
    ['bus timeout', i2c, 'ETIMEDOUT', 'no_device', /no device answered/],
    ['not an adapter', i2c, 'ENOTTY', 'invalid', /not an I2C adapter/],
    ['anything else', i2c, 'ENOSPC', 'io', /^I2C error on bus 1 \(ENOSPC\)/],
    ['not in group gpio', gpio, 'EACCES', 'permission', /^permission denied on \/sys\/class\/gpio\/export: add the user to group gpio/],
    ['read-only /sys under systemd', gpio, 'EROFS', 'permission', /^\/sys\/class\/gpio\/export is read-only: .*--sysfs-gpio/],
    ['pin in use', gpio, 'EBUSY', 'busy', /^GPIO 17 is in use by another program/],
    ['bare BCM number on Bookworm', gpio, 'EINVAL', 'invalid', /sysfs number 529.*fivdi\/onoff#199/],
    ['no GPIO interface', gpio, 'ENOENT', 'not_found', /GPIO 17: \/sys\/class\/gpio\/export not found/],
  ])('%s (%s)', (_name, context, errno, kind, message) => {
    const cause = Object.assign(new Error(`${errno}: something`), { code: errno });
    const error = toHardwareError(cause, context);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ name: 'HardwareError', code: 'ERR_HARDWARE', kind, errno, cause });
    expect(error.message).toMatch(message);
  });

  it('passes a HardwareError through, and maps an error without errno to io', () => {
    const named = new HardwareError('busy', 'x');
    expect(toHardwareError(named, i2c)).toBe(named);
    expect(toHardwareError(new Error('odd'), i2c)).toMatchObject({ kind: 'io', errno: undefined, message: 'I2C error on bus 1 (odd)' });
  });

  it('the I2C wrapper turns a failed write into a no_device error for the address written', async () => {
    const bus = withHardwareErrors(new OledEmulator({ controller: 'ssd1306', address: 0x3d }), { device: 'i2c', bus: 3, path: '/dev/i2c-3' });
    await expect(OledDisplay.open(bus, { panel: panelFor('ssd1306', 128, 64), address: 0x3c })).rejects.toMatchObject({
      kind: 'no_device',
      message: expect.stringContaining('no device answered at 0x3C on I2C bus 3'),
    });
  });
});
