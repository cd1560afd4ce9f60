import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DebouncedButton } from '../../../hal/button/button.js';
import { openButtonLine } from '../../../hal/rpi/gpio.js';
import { pickHeaderChip, readSysfsChips, resolveSysfsGpio } from '../../../hal/rpi/gpio-chips.js';
import {
  errnoFromMessage,
  gpiomonArgs,
  openGpiomonLine,
  parseGpiodetect,
  parseGpiomonLevel,
  parseLibgpiodMajor,
} from '../../../hal/rpi/gpiomon.js';
import { HardwareError } from '../../../hal/rpi/hardware-error.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'hal-gpio-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

type ChipSpec = [name: string, label: string, base: number, ngpio: number];

/** A /sys/class/gpio tree as the kernel lays it out: `export`, `unexport`, and `gpiochipN/{label,base,ngpio}`. */
async function fakeSysfs(name: string, chips: readonly ChipSpec[]): Promise<string> {
  const root = join(scratch, name);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'export'), '');
  await writeFile(join(root, 'unexport'), '');
  for (const [chip, label, base, ngpio] of chips) {
    await mkdir(join(root, chip));
    await writeFile(join(root, chip, 'label'), `${label}\n`);
    await writeFile(join(root, chip, 'base'), `${base}\n`);
    await writeFile(join(root, chip, 'ngpio'), `${ngpio}\n`);
  }
  return root;
}

// Chip lists as Raspberry Pi OS reports them (kernel 6.6+ numbers sysfs chips from 512; raspberrypi/linux#6084).
const PI4_BOOKWORM: ChipSpec[] = [
  ['gpiochip512', 'pinctrl-bcm2711', 512, 58],
  ['gpiochip570', 'raspberrypi-exp-gpio', 570, 8],
];
const PI5_BOOKWORM: ChipSpec[] = [
  ['gpiochip512', 'gpio-brcmstb@107d508500', 512, 32],
  ['gpiochip544', 'gpio-brcmstb@107d508520', 544, 4],
  ['gpiochip548', 'gpio-brcmstb@107d517c00', 548, 17],
  ['gpiochip565', 'gpio-brcmstb@107d517c20', 565, 6],
  ['gpiochip571', 'pinctrl-rp1', 571, 54],
];
const PI3_BOOKWORM: ChipSpec[] = [
  ['gpiochip512', 'pinctrl-bcm2835', 512, 54],
  ['gpiochip566', 'raspberrypi-exp-gpio', 566, 8],
];
const PI4_BULLSEYE: ChipSpec[] = [
  ['gpiochip0', 'pinctrl-bcm2711', 0, 58],
  ['gpiochip504', 'raspberrypi-exp-gpio', 504, 8],
];

describe('sysfs GPIO numbers from the gpiochip labels (fake sysfs trees)', () => {
  it.each<[string, ChipSpec[], number, string]>([
    ['Pi 4, Bookworm: base 512', PI4_BOOKWORM, 529, 'pinctrl-bcm2711'],
    ['Pi 5, Bookworm: the RP1 at 571, not the first chip (brcmstb at 512)', PI5_BOOKWORM, 588, 'pinctrl-rp1'],
    ['Pi 3 / Zero, Bookworm: base 512', PI3_BOOKWORM, 529, 'pinctrl-bcm2835'],
    ['Pi 4, Bullseye (kernel < 6.6): base 0, the bare BCM number', PI4_BULLSEYE, 17, 'pinctrl-bcm2711'],
  ])('%s', async (name, chips, expected, label) => {
    const root = await fakeSysfs(name.replace(/\W+/g, '-'), chips);
    const resolved = await resolveSysfsGpio(17, root);
    expect(resolved.number).toBe(expected);
    expect(resolved.chip.label).toBe(label);
  });

  it('reads every chip with its label, base and line count, in base order', async () => {
    const root = await fakeSysfs('listing', [...PI5_BOOKWORM].reverse());
    const chips = await readSysfsChips(root);
    expect(chips.map((c) => [c.name, c.label, c.base, c.ngpio])).toEqual(PI5_BOOKWORM);
  });

  it('says when no Raspberry Pi controller is listed, naming what was found', async () => {
    const root = await fakeSysfs('not-a-pi', [['gpiochip0', 'gpio-mockup-A', 0, 8]]);
    await expect(resolveSysfsGpio(17, root)).rejects.toMatchObject({
      kind: 'not_found',
      message: expect.stringContaining('gpiochip0 "gpio-mockup-A"'),
    });
  });

  it('rejects a pin beyond the controller’s lines', async () => {
    const root = await fakeSysfs('range', PI4_BOOKWORM);
    await expect(resolveSysfsGpio(58, root)).rejects.toMatchObject({ kind: 'invalid', code: 'ERR_HARDWARE' });
  });

  it('picks by label, in the same way for gpiodetect’s list', () => {
    expect(pickHeaderChip([{ label: 'gpio-brcmstb@107d508500' }, { label: 'pinctrl-rp1' }])).toEqual({ label: 'pinctrl-rp1' });
    expect(pickHeaderChip([{ label: 'raspberrypi-exp-gpio' }])).toBeUndefined();
  });
});

describe('libgpiod tool output', () => {
  it('parses gpiodetect (libgpiod 1.x and 2.x print the same)', () => {
    const pi5 = 'gpiochip0 [gpio-brcmstb@107d508500] (32 lines)\ngpiochip4 [pinctrl-rp1] (54 lines)\n';
    expect(parseGpiodetect(pi5)).toEqual([
      { name: 'gpiochip0', label: 'gpio-brcmstb@107d508500', lines: 32 },
      { name: 'gpiochip4', label: 'pinctrl-rp1', lines: 54 },
    ]);
    expect(parseGpiodetect('')).toEqual([]);
  });

  it.each([
    ['gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski', 1],
    ['gpiomon (libgpiod) v2.1.2', 2],
    ['gpiomon v2.2.1 (libgpiod v2.2.1)', 2],
    ['something else', undefined],
  ])('reads the major version of %j', (text, major) => {
    expect(parseLibgpiodMajor(text)).toBe(major);
  });

  it('builds gpiomon arguments for each generation', () => {
    expect(gpiomonArgs(1, 'gpiochip0', 17, 'pull-up')).toEqual(['--line-buffered', '--bias=pull-up', '--format=%e', 'gpiochip0', '17']);
    expect(gpiomonArgs(2, 'gpiochip4', 17, 'pull-down')).toEqual([
      '--bias=pull-down',
      '--edges=both',
      '--format=%e',
      '--chip=gpiochip4',
      '17',
    ]);
  });

  it.each([
    ['1', 1, 1],
    ['0', 1, 0],
    ['1', 2, 1],
    ['2', 2, 0],
    ['0', 2, undefined],
    ['Monitoring line 17...', 2, undefined],
  ] as const)('reads %j from gpiomon %i.x as level %s', (line, major, level) => {
    expect(parseGpiomonLevel(line, major)).toBe(level);
  });

  it('maps the strerror text of libgpiod messages to errno codes', () => {
    expect(errnoFromMessage("gpiomon: unable to request lines on chip '/dev/gpiochip0': Device or resource busy")).toBe('EBUSY');
    expect(errnoFromMessage("gpiomon: error opening gpiochip 'gpiochip0': Permission denied")).toBe('EACCES');
    expect(errnoFromMessage('something odd')).toBeUndefined();
  });
});

/**
 * Stand-ins for libgpiod's tools (the real ones need a gpiochip): shell scripts that answer `--version`,
 * print a chip list, and, as gpiomon, record their arguments and print events once the test creates `go`.
 */
async function fakeGpiod(name: string, options: { version: string; events?: readonly string[]; stderr?: string }): Promise<{ gpiomon: string; gpiodetect: string; dir: string }> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  const gpiodetect = join(dir, 'gpiodetect');
  const gpiomon = join(dir, 'gpiomon');
  await writeFile(gpiodetect, '#!/bin/sh\necho "gpiochip0 [gpio-brcmstb@107d508500] (32 lines)"\necho "gpiochip4 [pinctrl-rp1] (54 lines)"\n');
  const run = options.stderr
    ? `echo "${options.stderr}" >&2\nexit 1\n`
    : `while [ ! -e "${dir}/go" ]; do sleep 0.01; done\n${(options.events ?? []).map((e) => `echo ${e}; sleep 0.1`).join('\n')}\nexec sleep 30\n`;
  await writeFile(gpiomon, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${options.version}"; exit 0; fi\necho "$@" > "${dir}/args"\n${run}`);
  await chmod(gpiodetect, 0o755);
  await chmod(gpiomon, 0o755);
  return { gpiomon, gpiodetect, dir };
}

describe('the gpiomon backend (fake libgpiod tools)', () => {
  it.each([
    ['1.x', 'gpiomon (libgpiod) v1.6.3', ['0', '1'], '--line-buffered --bias=pull-up --format=%e gpiochip4 17'],
    ['2.x', 'gpiomon v2.2.1 (libgpiod v2.2.1)', ['2', '1'], '--bias=pull-up --edges=both --format=%e --chip=gpiochip4 17'],
  ])('libgpiod %s: watches the header chip found by label and turns events into a press', async (name, version, events, args) => {
    const tools = await fakeGpiod(`gpiomon-${name}`, { version, events });
    const errors: Error[] = [];
    const line = await openGpiomonLine(17, { bias: 'pull-up', onError: (e) => errors.push(e), tools, startupMs: 50 });
    expect(line.initialLevel).toBeUndefined();
    const button = new DebouncedButton(line, { activeLow: true, longPressMs: 1000, debounceMs: 5 });
    const pressed = new Promise<void>((resolve) => button.once('press', resolve));
    await writeFile(join(tools.dir, 'go'), '');
    await pressed;
    expect((await readFile(join(tools.dir, 'args'), 'utf8')).trim()).toBe(args);
    await button.close();
    expect(errors).toEqual([]);
  });

  it('reports a line held by another program as busy, quoting gpiomon', async () => {
    const tools = await fakeGpiod('gpiomon-busy', {
      version: 'gpiomon (libgpiod) v1.6.3',
      stderr: 'gpiomon: error requesting GPIO lines: Device or resource busy',
    });
    const opening = openGpiomonLine(17, { bias: 'pull-up', onError: () => undefined, tools, startupMs: 2000 });
    await expect(opening).rejects.toMatchObject({
      kind: 'busy',
      errno: 'EBUSY',
      message: expect.stringMatching(/GPIO 17 is in use .*Device or resource busy/),
    });
  });
});

describe('choosing the GPIO interface', () => {
  it('says clearly when there is neither sysfs GPIO nor gpiomon', async () => {
    const missing = { gpiomon: join(scratch, 'no-such-gpiomon'), gpiodetect: join(scratch, 'no-such-gpiodetect') };
    const opening = openButtonLine(17, { activeLow: true, onError: () => undefined, sysfsRoot: join(scratch, 'no-sysfs'), gpiodTools: missing });
    await expect(opening).rejects.toBeInstanceOf(HardwareError);
    await expect(opening).rejects.toMatchObject({
      kind: 'not_found',
      message: expect.stringMatching(/no GPIO interface for the button on GPIO 17: .* is absent .* gpiomon is not installed .*apt install gpiod/),
    });
  });

  it('falls back to gpiomon where sysfs is absent, asking for the pull-up an active-low button needs', async () => {
    const tools = await fakeGpiod('fallback', { version: 'gpiomon (libgpiod) v2.1.2' });
    const line = await openButtonLine(17, {
      activeLow: true,
      onError: () => undefined,
      sysfsRoot: join(scratch, 'no-sysfs'),
      gpiodTools: tools,
      gpiomonStartupMs: 50,
    });
    expect(await readFile(join(tools.dir, 'args'), 'utf8')).toContain('--bias=pull-up');
    await line.close();
  });
});
