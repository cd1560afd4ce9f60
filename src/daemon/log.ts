/**
 * Structured logs for journald: one line per event, `event=name key=value …` (logfmt), with the
 * syslog priority prefix journald understands (`<6>` info, `<4>` warning, `<3>` error; sd-daemon(3)).
 * Secrets never reach a log line: fields that look like tokens are dropped here as a last defence,
 * whatever the caller passed (issue #3, #7).
 */
import type { Logger } from '../agent/types.js';

/** Keys whose values are secrets. `user_code` is shown on screen anyway and may be logged (issue #3). */
const SECRET_KEY = /token|secret|password|device_code|authorization|cookie/i;

const WARNINGS = new Set(['offline', 'poll_failed', 'refresh_failed', 'revoke_failed', 'userinfo_failed', 'id_token_unchecked', 'state_recovered', 'code_expired', 'denied']);
const ERRORS = new Set(['effect_failed', 'idp_error', 'pairing_lost', 'io_failed', 'display_failed', 'fatal']);

export function formatLogLine(event: string, fields: Record<string, unknown> = {}): string {
  const priority = ERRORS.has(event) ? 3 : WARNINGS.has(event) ? 4 : 6;
  const parts = [`event=${event}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (SECRET_KEY.test(key) && key !== 'user_code') {
      parts.push(`${key}=<redacted>`);
      continue;
    }
    parts.push(`${key}=${quote(String(value))}`);
  }
  return `<${priority}>${parts.join(' ')}`;
}

function quote(value: string): string {
  // Values with spaces, quotes or control characters are quoted; newlines never split a line.
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 500);
  return /[\s"=]/.test(clean) || clean === '' ? JSON.stringify(clean) : clean;
}

export function streamLogger(write: (line: string) => void): Logger {
  return (event, fields) => write(`${formatLogLine(event, fields)}\n`);
}
