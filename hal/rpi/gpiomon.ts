/**
 * The button line on the GPIO character device, where sysfs GPIO is absent (deprecated, and missing from
 * newer kernels: fivdi/onoff#206): libgpiod's `gpiomon` watches the line and prints one line per edge.
 * No native addon: a child process and its stdout.
 *
 * Both command-line generations are handled: libgpiod 1.x (Bookworm's `gpiod` 1.6: `gpiomon CHIP OFFSET`,
 * `%e` = 1 rising / 0 falling) and 2.x (`gpiomon -c CHIP OFFSET`, `%e` = 1 rising / 2 falling).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { GpioLine, Level } from '../button/line.js';
import { pickHeaderChip } from './gpio-chips.js';
import { HardwareError, errnoOf, toHardwareError } from './hardware-error.js';

export interface GpiodTools {
  gpiomon: string;
  gpiodetect: string;
}

export const GPIOD_TOOLS: GpiodTools = { gpiomon: 'gpiomon', gpiodetect: 'gpiodetect' };

/**
 * How long gpiomon must stay up before the line counts as open. gpiomon 1.x prints nothing until an edge,
 * so a failed request (busy line, no permission) only shows as an early exit.
 */
export const GPIOMON_STARTUP_MS = 300;

export type Bias = 'pull-up' | 'pull-down';

export interface DetectedChip {
  readonly name: string;
  readonly label: string;
  readonly lines: number;
}

/** `gpiodetect` output, e.g. `gpiochip0 [pinctrl-bcm2711] (58 lines)` (the same in libgpiod 1.x and 2.x). */
export function parseGpiodetect(stdout: string): DetectedChip[] {
  const chips: DetectedChip[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^(\S+)\s+\[(.*)\]\s+\((\d+) lines?\)\s*$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined && match[3]) {
      chips.push({ name: match[1], label: match[2], lines: Number.parseInt(match[3], 10) });
    }
  }
  return chips;
}

/**
 * The libgpiod major version from `gpiomon --version`: `gpiomon (libgpiod) v1.6.3` (1.x, 2.0–2.1) or
 * `gpiomon v2.2.1 (libgpiod v2.2.1)` (2.2+).
 */
export function parseLibgpiodMajor(stdout: string): number | undefined {
  const match = /\bv(\d+)\.\d+/.exec(stdout);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
}

/**
 * gpiomon's arguments: both edges, the bias the wiring needs, and the bare event type as output. 1.x needs
 * `--line-buffered` or its stdout (a pipe) is block-buffered; 2.x flushes after each batch of events.
 */
export function gpiomonArgs(major: number, chip: string, offset: number, bias: Bias): string[] {
  if (major < 2) return ['--line-buffered', `--bias=${bias}`, '--format=%e', chip, String(offset)];
  return [`--bias=${bias}`, '--edges=both', '--format=%e', `--chip=${chip}`, String(offset)];
}

/** The level after the edge an output line reports; undefined for anything else. */
export function parseGpiomonLevel(line: string, major: number): Level | undefined {
  const type = line.trim();
  if (type === '1') return 1;
  if (type === (major < 2 ? '0' : '2')) return 0;
  return undefined;
}

/** The errno behind a libgpiod tool's message (they end with strerror text). */
export function errnoFromMessage(text: string): string | undefined {
  const known: [RegExp, string][] = [
    [/permission denied/i, 'EACCES'],
    [/operation not permitted/i, 'EPERM'],
    [/device or resource busy/i, 'EBUSY'],
    [/no such file or directory/i, 'ENOENT'],
    [/invalid argument/i, 'EINVAL'],
  ];
  return known.find(([pattern]) => pattern.test(text))?.[1];
}

export interface GpiomonLineOptions {
  bias: Bias;
  onError: (error: Error) => void;
  /** @default GPIOD_TOOLS */
  tools?: GpiodTools;
  /** @default GPIOMON_STARTUP_MS */
  startupMs?: number;
}

/**
 * Watches BCM pin `gpio` on the header's gpiochip (found by label with `gpiodetect`, as for sysfs).
 * The initial level is unknown (reading it would claim the line a second time): the button assumes released.
 * @throws HardwareError `not_installed` when libgpiod's tools are missing, or as mapped from gpiomon's error.
 */
export async function openGpiomonLine(gpio: number, options: GpiomonLineOptions): Promise<GpioLine> {
  const tools = options.tools ?? GPIOD_TOOLS;
  const chip = pickHeaderChip(parseGpiodetect(await runTool(tools.gpiodetect, [], gpio)));
  if (!chip) throw new HardwareError('not_found', `no Raspberry Pi GPIO controller in ${tools.gpiodetect}'s list: is this a Raspberry Pi?`);
  if (!Number.isInteger(gpio) || gpio < 0 || gpio >= chip.lines) {
    throw new HardwareError('invalid', `GPIO ${gpio} is not on ${chip.label} (lines 0–${chip.lines - 1}): check button_gpio`);
  }
  const major = parseLibgpiodMajor(await runTool(tools.gpiomon, ['--version'], gpio));
  if (major === undefined) throw new HardwareError('unsupported', `could not tell the libgpiod version of ${tools.gpiomon}`);

  const child = spawn(tools.gpiomon, gpiomonArgs(major, chip.name, gpio, options.bias), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  // 'close', not 'exit': it comes after stdio has drained, so stderr is complete.
  const exited = once(child, 'close').catch(() => undefined);
  const spawnFailed = once(child, 'error').then(([error]) => error as Error);
  const outcome = await Promise.race([
    spawnFailed,
    exited.then(() => 'exited' as const),
    new Promise<'running'>((resolve) => setTimeout(resolve, options.startupMs ?? GPIOMON_STARTUP_MS, 'running').unref()),
  ]);
  const context = { device: 'gpio', gpio, path: `/dev/${chip.name}` } as const;
  if (outcome instanceof Error) throw toHardwareError(outcome, context);
  if (outcome === 'exited') throw gpiomonFailure(stderr, child.exitCode, context);

  let listener: ((level: Level) => void) | undefined;
  let closing = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const level = parseGpiomonLevel(line, major);
    if (level !== undefined && !closing) listener?.(level);
  });
  child.on('close', (code) => {
    if (!closing) options.onError(gpiomonFailure(stderr, code, context));
  });
  child.on('error', (error) => {
    if (!closing) options.onError(toHardwareError(error, context));
  });
  return {
    initialLevel: undefined,
    watch(next) {
      listener = next;
    },
    async close() {
      if (closing) return;
      closing = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function gpiomonFailure(stderr: string, code: number | null, context: { device: 'gpio'; gpio: number; path: string }): HardwareError {
  const said = stderr.trim() || `exit code ${code}`;
  const errno = errnoFromMessage(said);
  const mapped = toHardwareError(Object.assign(new Error(said), errno ? { code: errno } : {}), context);
  // An unmapped failure already quotes what gpiomon said.
  const message = mapped.kind === 'io' ? mapped.message : `${mapped.message} (gpiomon: ${said})`;
  return new HardwareError(mapped.kind, message, { cause: mapped.cause, ...(errno ? { errno } : {}) });
}

/** Runs a libgpiod tool and returns its stdout; a missing tool is `not_installed`. */
async function runTool(command: string, args: string[], gpio: number): Promise<string> {
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(command, args, { timeout: 5000 }, (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr: String(stderr) }));
        else resolve(String(stdout));
      });
    });
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') {
      throw new HardwareError('not_installed', `libgpiod's tools are not installed (no ${command}): sudo apt install gpiod`, {
        cause: error,
        errno: 'ENOENT',
      });
    }
    const said = String((error as { stderr?: unknown }).stderr ?? '').trim();
    const errno = errnoFromMessage(said);
    throw toHardwareError(Object.assign(new Error(said || String(error)), errno ? { code: errno } : {}), {
      device: 'gpio',
      gpio,
      path: '/dev/gpiochip*',
    });
  }
}
