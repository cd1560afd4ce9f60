/**
 * Structured logs, one line per event. By default logfmt for journald: `event=name key=value …`, with
 * the syslog priority prefix journald understands (`<6>` info, `<4>` warning, `<3>` error;
 * sd-daemon(3)). With `log_format: "json"`, one JSON object per line (`time`, `level`, `event`,
 * fields) for fleets that ship logs (issue #15). Times are ISO 8601 in both: a field named `*_at`
 * holding epoch milliseconds is written as a date (issue #15).
 * Secrets never reach a log line: fields that look like tokens are dropped here as a last defence,
 * whatever the caller passed (issue #3, #7).
 */
import type { Logger } from '../log-events.js';
import { SEVERITY, type LogEvent, type Severity } from '../log-events.js';
import { printable } from '../text/printable.js';

export type LogFormat = 'logfmt' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json'];

/** Keys whose values are secrets. `user_code` is shown on screen anyway and may be logged (issue #3). */
const SECRET_KEY = /token|secret|password|device_code|authorization|cookie/i;

/** journald's priorities for each severity (sd-daemon(3)): `<3>` error, `<4>` warning, `<6>` info, `<7>` debug. */
const PRIORITY: Record<Severity, number> = { error: 3, warning: 4, info: 6, debug: 7 };

/** Epoch milliseconds from 2001 to 2286: a number in a `*_at` field in that range is a time. */
const EPOCH_MS = { min: 1e12, max: 1e13 };

/** The fields as they may be written: secrets redacted, times as ISO 8601, undefined dropped. */
function safeFields(fields: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (SECRET_KEY.test(key) && key !== 'user_code') out.push([key, '<redacted>']);
    else if (key.endsWith('_at') && typeof value === 'number' && value >= EPOCH_MS.min && value < EPOCH_MS.max) out.push([key, new Date(value).toISOString()]);
    // Text from the network (an error description, a user code), printable in both formats (issue #13).
    else out.push([key, typeof value === 'string' ? printable(value) : value]);
  }
  return out;
}

export function formatLogLine(event: LogEvent, fields: Record<string, unknown> = {}): string {
  const parts = [`event=${event}`, ...safeFields(fields).map(([key, value]) => `${key}=${quote(String(value))}`)];
  return `<${PRIORITY[SEVERITY[event]]}>${parts.join(' ')}`;
}

/** One JSON object; `time` is when it was written. Strings are cut like logfmt values. */
export function formatJsonLine(event: LogEvent, fields: Record<string, unknown> = {}, now: Date = new Date()): string {
  const record: Record<string, unknown> = { time: now.toISOString(), level: SEVERITY[event], event };
  for (const [key, value] of safeFields(fields)) {
    if (key in record) continue; // a field never overwrites the line's own time, level or event
    record[key] = typeof value === 'string' ? value.slice(0, 500) : value;
  }
  return JSON.stringify(record);
}

function quote(value: string): string {
  // Controls, bidi and zero-width characters (a provider's error text, a user code) are escaped, so
  // a line can neither be split nor rewrite the terminal that shows it (issue #13); values with
  // spaces or quotes are quoted.
  const clean = printable(value.slice(0, 500));
  return /[\s"=]/.test(clean) || clean === '' ? JSON.stringify(clean) : clean;
}

/** A logger writing lines to `write`; `debug` events only when `debug` is set (`--debug`, PAIRING_AGENT_DEBUG). */
export function streamLogger(write: (line: string) => void, format: LogFormat = 'logfmt', debug = false): Logger {
  const line = format === 'json' ? formatJsonLine : formatLogLine;
  return (event, fields) => {
    if (debug || SEVERITY[event] !== 'debug') write(`${line(event, fields)}\n`);
  };
}
