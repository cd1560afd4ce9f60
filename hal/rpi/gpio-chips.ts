/**
 * Which GPIO controller carries the 40-pin header, and the sysfs number of a BCM pin on it.
 *
 * Since kernel 6.6 (Raspberry Pi OS Bookworm) sysfs GPIO numbers are offset: the header's BCM pin n is
 * `base + n`, where `base` belongs to the gpiochip labelled `pinctrl-bcm2835` (Pi 1–3, Zero),
 * `pinctrl-bcm2711` (Pi 4) or `pinctrl-rp1` (Pi 5) — 512 or 571, not 0. Writing the bare BCM number to
 * `export` fails with EINVAL (fivdi/onoff#199, #200; raspberrypi/linux#6084). The chip must be picked by
 * label: on a Pi 5 the first chips listed are the SoC's `gpio-brcmstb@…` banks, not the header.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HardwareError, toHardwareError } from './hardware-error.js';

/** Where sysfs lists GPIO chips and exports lines. */
export const SYSFS_GPIO_ROOT = '/sys/class/gpio';

/** Labels of the controllers whose line offsets are the header's BCM numbers, Pi 5 first. */
export const HEADER_GPIO_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface GpioChip {
  /** `gpiochip512` in sysfs, `gpiochip0` from gpiodetect. */
  readonly name: string;
  readonly label: string;
  /** First sysfs number of the chip (sysfs only; 0 for character-device chips). */
  readonly base: number;
  /** Number of lines. */
  readonly ngpio: number;
}

/** The chip wired to the header, chosen by label; undefined when none is there (not a Pi?). */
export function pickHeaderChip<T extends { readonly label: string }>(chips: readonly T[]): T | undefined {
  for (const label of HEADER_GPIO_LABELS) {
    const chip = chips.find((candidate) => candidate.label === label);
    if (chip) return chip;
  }
  return undefined;
}

/** Every `gpiochipN` under a sysfs GPIO root, with its label, base and line count. */
export async function readSysfsChips(root: string = SYSFS_GPIO_ROOT): Promise<GpioChip[]> {
  const names = (await readdir(root)).filter((name) => /^gpiochip\d+$/.test(name));
  const chips = await Promise.all(
    names.map(async (name): Promise<GpioChip | undefined> => {
      try {
        const read = (file: string) => readFile(join(root, name, file), 'utf8').then((text) => text.trim());
        const [label, base, ngpio] = await Promise.all([read('label'), read('base'), read('ngpio')]);
        return { name, label, base: Number.parseInt(base, 10), ngpio: Number.parseInt(ngpio, 10) };
      } catch {
        return undefined; // A chip directory without the attributes is not one we can use.
      }
    }),
  );
  return chips.filter((chip): chip is GpioChip => chip !== undefined).sort((a, b) => a.base - b.base);
}

/**
 * The sysfs number of BCM pin `gpio`: the header chip's base plus the pin.
 * @throws HardwareError `not_found` when no header chip is listed, `invalid` when the pin is beyond it.
 */
export async function resolveSysfsGpio(gpio: number, root: string = SYSFS_GPIO_ROOT): Promise<{ number: number; chip: GpioChip }> {
  let chips: GpioChip[];
  try {
    chips = await readSysfsChips(root);
  } catch (error) {
    throw toHardwareError(error, { device: 'gpio', gpio, path: root });
  }
  const chip = pickHeaderChip(chips);
  if (!chip) {
    const found = chips.map((c) => `${c.name} "${c.label}"`).join(', ') || 'no chips';
    throw new HardwareError(
      'not_found',
      `no Raspberry Pi GPIO controller (${HEADER_GPIO_LABELS.join(', ')}) under ${root} (found ${found}): is this a Raspberry Pi?`,
    );
  }
  if (!Number.isInteger(gpio) || gpio < 0 || gpio >= chip.ngpio) {
    throw new HardwareError('invalid', `GPIO ${gpio} is not on ${chip.label} (lines 0–${chip.ngpio - 1}): check button_gpio`);
  }
  return { number: chip.base + gpio, chip };
}
