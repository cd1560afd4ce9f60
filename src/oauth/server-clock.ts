/**
 * The servers' clocks, learned from the `Date` header of their answers (RFC 9110 §6.6.1), so that a
 * DPoP proof's `iat` (RFC 9449 §4.2) is right by the clock of the server that checks it (§11.1), not
 * by the device's. A Raspberry Pi has no real-time clock: it boots with the time fake-hwclock saved at
 * its last shutdown (hours or days behind), or 1970, until NTP syncs, and a kiosk may have no NTP at
 * all; every proof would be refused although nothing else is wrong (issue #19).
 *
 * The pure half (parsing, what is plausible, when to move) and a small per-origin memory.
 */
import type { HttpResponse } from './types.js';

/**
 * Offsets up to this size are not kept, and a kept one moves only by more: a `Date` names a whole
 * second, cut down (RFC 9110 §5.6.7), and is stamped before the answer travels, so two answers of
 * one server a second apart can say times 1-2 s apart. Following that noise would only make `iat`
 * jitter back and forth; servers allow far more (oidc-provider 300 s either way, RFC 9449 §11.1
 * "a few seconds or minutes"), so a few seconds off is as good as right.
 */
export const CLOCK_OFFSET_TOLERANCE_MS = 5_000;

/** A `Date` before this is not a server's clock (or a server we can work with): ignored. */
export const PLAUSIBLE_DATE_MIN_MS = Date.UTC(2020, 0, 1);
/**
 * How far ahead of a plausible local clock (one past {@link PLAUSIBLE_DATE_MIN_MS}) a `Date` may be:
 * a device can lie in a drawer for a year or two and boot with the time it was put away, but a
 * server's clock years ahead of that is a broken header. With the local clock before 2020 (a Pi that
 * booted at 1970) nothing local can judge, and only {@link PLAUSIBLE_DATE_MAX_MS} bounds it.
 */
export const PLAUSIBLE_AHEAD_MS = 3 * 366 * 86_400_000;
export const PLAUSIBLE_DATE_MAX_MS = Date.UTC(2100, 0, 1);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const MONTH = '([A-Za-z]{3})';
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^[A-Za-z]{3}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** The obsolete RFC 850 form: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(`^[A-Za-z]{6,9}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** The obsolete asctime form: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(`^[A-Za-z]{3} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * An HTTP-date in ms since the epoch, or undefined when the value is none: IMF-fixdate and the two
 * obsolete forms a recipient must accept (RFC 9110 §5.6.7). The weekday is not checked against the
 * date (it says nothing the date does not). A two-digit RFC 850 year is taken as 20yy: a 19yy one
 * would be before any plausible server clock anyway.
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined || value.length > 64) return undefined;
  const text = value.trim();
  let parts: [day: string, month: string, year: number, hh: string, mm: string, ss: string] | undefined;
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(text)) !== null) parts = [m[1]!, m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!];
  else if ((m = RFC850_DATE.exec(text)) !== null) parts = [m[1]!, m[2]!, 2000 + Number(m[3]), m[4]!, m[5]!, m[6]!];
  else if ((m = ASCTIME_DATE.exec(text)) !== null) parts = [m[2]!.trim(), m[1]!, Number(m[6]), m[3]!, m[4]!, m[5]!];
  if (parts === undefined) return undefined;
  const [dayText, monthText, year, hh, mm, ss] = parts;
  const month = MONTHS.indexOf(monthText.toLowerCase());
  const [day, hour, minute, second] = [Number(dayText), Number(hh), Number(mm), Number(ss)];
  // A leap second (60) is allowed by the grammar; it is the next second's start for our purpose.
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, second);
  // 31 Feb and the like roll over in Date.UTC: refuse them instead.
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return undefined;
  return ms;
}

/** Whether a server's `Date` can be its clock, judged with the local clock where that is plausible itself. */
export function isPlausibleDate(dateMs: number, localMs: number): boolean {
  if (dateMs < PLAUSIBLE_DATE_MIN_MS || dateMs > PLAUSIBLE_DATE_MAX_MS) return false;
  return localMs < PLAUSIBLE_DATE_MIN_MS || dateMs <= localMs + PLAUSIBLE_AHEAD_MS;
}

/** The `Date` of an answer as the server's time, or undefined when absent, unparsable or absurd. */
export function serverDateOf(response: Pick<HttpResponse, 'headers'>, localMs: number): number | undefined {
  const raw = response.headers.date;
  const date = parseHttpDate(Array.isArray(raw) ? raw[0] : raw);
  return date !== undefined && isPlausibleDate(date, localMs) ? date : undefined;
}

/**
 * What one server's clock is known to be: its time at a moment of this process's monotonic clock.
 * Anchored on the monotonic clock, not the wall clock, so NTP stepping the device's clock (forward at
 * last, or back) does not move the server's time with it: `iat` then never goes back, nor leaps ahead,
 * with the device's clock (issue #19).
 */
export interface ServerTime {
  serverMs: number;
  monotonicMs: number;
}

/**
 * Where one server's clock stands after an answer: `undefined` while none is needed (the server agrees
 * with the local clock within {@link CLOCK_OFFSET_TOLERANCE_MS}), `kept` when the known time is still
 * right within that tolerance (no jitter: `iat` goes back only when the server's clock says it must),
 * or a new anchor. Once anchored, a server stays so: its time follows the monotonic clock from then on,
 * whatever the wall clock does.
 */
export function nextServerTime(known: ServerTime | undefined, dateMs: number, localMs: number, monotonicMs: number): ServerTime | 'kept' | undefined {
  // The header cuts the second down: the server's time is, on average, half a second later.
  const serverMs = dateMs + 500;
  if (known !== undefined && Math.abs(serverMs - (known.serverMs + monotonicMs - known.monotonicMs)) <= CLOCK_OFFSET_TOLERANCE_MS) return 'kept';
  if (known === undefined && Math.abs(serverMs - localMs) <= CLOCK_OFFSET_TOLERANCE_MS) return undefined;
  return { serverMs, monotonicMs };
}

export interface ServerClocksOptions {
  /** Milliseconds that never step. @default process.hrtime, in ms (not perf_hooks: issue #18) */
  monotonic?: () => number;
  /**
   * Told once when a server's offset from the local clock is learned (more than the tolerance), and
   * again whenever it changes by more (0 when the local clock has caught up, NTP at last).
   */
  onOffset?: (origin: string, seconds: number) => void;
}

/**
 * The servers' clocks by origin, like their nonces (`DpopNonces`): the token endpoint and a resource
 * server may be different servers with different clocks. In memory only: a restart learns again from
 * its first answer.
 */
export class ServerClocks {
  /** Per origin: its time (once known to differ), how often that was corrected, the offset last told. */
  readonly #byOrigin = new Map<string, { time?: ServerTime; changes: number; logged?: number }>();
  /** The origin whose `Date` came last. */
  #latest: { time?: ServerTime } | undefined;
  readonly #monotonic: () => number;
  readonly #onOffset: (origin: string, seconds: number) => void;

  constructor(options: ServerClocksOptions = {}) {
    this.#monotonic = options.monotonic ?? (() => Number(process.hrtime.bigint()) / 1e6);
    this.#onOffset = options.onOffset ?? (() => {});
  }

  /**
   * The time to stamp a proof to `url` with: its server's time when that is known to differ, else
   * `localMs`. A server not heard from yet (an app's API, via `POST /dpop-proof`) gets the time of the
   * one heard from last: servers keep good time, the device may not, so the provider's clock is a far
   * better guess than the device's; its own first answer corrects it.
   */
  now(url: string, localMs: number): number {
    const time = (this.#byOrigin.get(new URL(url).origin) ?? this.#latest)?.time;
    return time === undefined ? localMs : time.serverMs + this.#monotonic() - time.monotonicMs;
  }

  /** How many times the server's time was corrected: a proof stamped before a change may be worth a retry. */
  changes(url: string): number {
    return this.#byOrigin.get(new URL(url).origin)?.changes ?? 0;
  }

  /** Learns from an answer's `Date`; one without a usable one changes nothing. */
  observe(url: string, response: Pick<HttpResponse, 'headers'>, localMs: number): void {
    const dateMs = serverDateOf(response, localMs);
    if (dateMs === undefined) return;
    const origin = new URL(url).origin;
    let entry = this.#byOrigin.get(origin);
    if (entry === undefined) this.#byOrigin.set(origin, (entry = { changes: 0 }));
    this.#latest = entry;
    const next = nextServerTime(entry.time, dateMs, localMs, this.#monotonic());
    if (next !== undefined && next !== 'kept') {
      entry.time = next;
      entry.changes++;
    }
    // The offset from the local clock, said when first beyond the tolerance and when it moves by more
    // (NTP setting the device's clock at last: 0).
    const offsetMs = dateMs - localMs;
    const seconds = Math.abs(offsetMs) <= CLOCK_OFFSET_TOLERANCE_MS ? 0 : Math.round(offsetMs / 1000);
    if (entry.logged === undefined ? seconds !== 0 : Math.abs(offsetMs - entry.logged * 1000) > CLOCK_OFFSET_TOLERANCE_MS) {
      entry.logged = seconds;
      this.#onOffset(origin, seconds);
    }
  }
}
