/**
 * The log line formats (issue #15) and what they never print (issue #3, #7, #13), by table (issue #14 item 6):
 * every event has its severity in both formats, secrets are redacted whatever the caller passes, epoch
 * times are dates, and text from the network reaches a line only through `printable()`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatJsonLine, formatLogLine, streamLogger } from '../../src/daemon/log.js';
import { SEVERITY, type LogEvent, type Severity } from '../../src/log-events.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOW = new Date('2026-11-30T05:00:00.000Z');
const json = (event: LogEvent, fields: Record<string, unknown> = {}) => JSON.parse(formatJsonLine(event, fields, NOW)) as Record<string, unknown>;

/** journald's priority prefix for each severity (sd-daemon(3)). */
const PRIORITY: Record<Severity, string> = { error: '<3>', warning: '<4>', info: '<6>', debug: '<7>' };

/** A few events of each severity; the last three fell through hand-kept sets to info (issue #14 item 5). */
const SAMPLES: [Severity, LogEvent[]][] = [
  // Each provider request: for someone looking into a problem, written only when asked for.
  ['debug', ['oauth.http']],
  ['info', ['ready', 'code_issued', 'state']],
  // What an operator must act on is never info: storage that cannot be written, a socket that is not
  // served, a cache that is not kept (warnings), a key whose loss ends the pairing (an error).
  ['warning', ['poll_failed', 'refresh_failed', 'oauth.http.error', 'stopped_with_request_in_flight', 'state_read_only', 'control_socket_unavailable', 'oauth.discovery.cache_write_failed']],
  ['error', ['pairing_lost', 'fatal', 'api_failed', 'dpop_key_lost']],
];

describe('severity', () => {
  it.each(SAMPLES.flatMap(([level, events]) => events.map((event) => [event, PRIORITY[level], level] as const)))('%s is %s in logfmt and level %s in JSON', (event, priority, level) => {
    expect(formatLogLine(event)).toBe(`${priority}event=${event}`);
    expect(json(event)).toEqual({ time: NOW.toISOString(), level, event });
  });

  it('every event has one, written the same way in both formats', () => {
    for (const [event, severity] of Object.entries(SEVERITY) as [LogEvent, Severity][]) {
      expect(formatLogLine(event), event).toBe(`${PRIORITY[severity]}event=${event}`);
      expect(json(event).level, event).toBe(severity);
    }
    // @ts-expect-error: an event outside the union does not compile (npm test type-checks the tests).
    const unknown: LogEvent = 'no_such_event';
    expect(Object.keys(SEVERITY)).not.toContain(unknown);
  });

  it('the events README and docs/ tell operators to look for are events the agent logs', () => {
    const files = ['README.md', ...readdirSync(`${ROOT}docs`).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const cited = files.flatMap((file) => [...readFileSync(`${ROOT}${file}`, 'utf8').matchAll(/\bevent=([a-z_]+(?:\.[a-z_]+)*)/g)].map((m) => m[1]!));
    expect(cited.length).toBeGreaterThan(3);
    expect(cited.filter((event) => !(event in SEVERITY))).toEqual([]);
  });
});

describe('logfmt', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['plain values bare', { state: 'paired', requests: 2, revoked: false }, 'state=paired requests=2 revoked=false'],
    ['spaces, quotes, = and empty quoted', { reason: 'timed out', note: 'say "hi"', url: 'a=b', empty: '' }, 'reason="timed out" note="say \\"hi\\"" url="a=b" empty=""'],
    ['undefined dropped', { reason: undefined, state: 'paired' }, 'state=paired'],
    ['epoch milliseconds in a *_at field as a date', { expires_at: 1_796_014_800_000 }, 'expires_at=2026-11-30T05:00:00.000Z'],
    ['small numbers in a *_at field left alone (not a time)', { ask_again_at: 5000 }, 'ask_again_at=5000'],
    ['a *_at field that is not a number left alone', { fetched_at: '2026-11-30T05:00:00.000Z' }, 'fetched_at=2026-11-30T05:00:00.000Z'],
    ['a number elsewhere left alone', { retry_in_ms: 1_796_014_800_000 }, 'retry_in_ms=1796014800000'],
  ])('writes %s', (_name, fields, expected) => {
    expect(formatLogLine('state', fields)).toBe(`<6>event=state ${expected}`);
  });

  it('cuts a value at 500 characters', () => {
    expect(formatLogLine('poll_failed', { reason: 'x'.repeat(600) })).toBe(`<4>event=poll_failed reason=${'x'.repeat(500)}`);
  });
});

describe('JSON', () => {
  it('one object: time, level, event, then the fields as they are', () => {
    expect(formatJsonLine('paired', { subject: 'erin', expires_at: 1_796_014_800_000, refresh_expires_at: undefined, ok: true, n: 3 }, NOW)).toBe(
      '{"time":"2026-11-30T05:00:00.000Z","level":"info","event":"paired","subject":"erin","expires_at":"2026-11-30T05:00:00.000Z","ok":true,"n":3}',
    );
  });

  it("a field never overwrites the line's own time, level or event", () => {
    expect(json('fatal', { time: 'then', level: 'info', event: 'ready', error: 'boom' })).toEqual({ time: NOW.toISOString(), level: 'error', event: 'fatal', error: 'boom' });
  });

  it('cuts a string at 500 characters', () => {
    expect(json('poll_failed', { reason: 'x'.repeat(600) }).reason).toBe('x'.repeat(500));
  });
});

describe('redaction: tokens, secrets and device codes never reach a line (issue #3, #7)', () => {
  const SECRET = 'eyJhbGciOiJFUzI1NiJ9.c2VjcmV0.c2ln';
  it.each(['access_token', 'refresh_token', 'id_token', 'token', 'client_secret', 'secret', 'password', 'device_code', 'authorization', 'Authorization', 'cookie', 'set_cookie', 'dpop_token'])(
    '%s',
    (key) => {
      const logfmt = formatLogLine('state', { [key]: SECRET });
      expect(logfmt).toBe(`<6>event=state ${key}=<redacted>`);
      expect(json('state', { [key]: SECRET })[key]).toBe('<redacted>');
      expect(formatJsonLine('state', { [key]: SECRET }, NOW)).not.toContain(SECRET);
    },
  );

  it('whatever the value: a number, a boolean, a time', () => {
    expect(formatLogLine('state', { token_count: 3, has_token: true, token_expires_at: 1_796_014_800_000 })).toBe('<6>event=state token_count=<redacted> has_token=<redacted> token_expires_at=<redacted>');
  });

  it('keeps the user code, which the panel shows anyway, and the outcome code', () => {
    expect(formatLogLine('code_issued', { user_code: 'WDJB-MJHT', device_code: 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS' })).toBe('<6>event=code_issued user_code=WDJB-MJHT device_code=<redacted>');
    expect(formatLogLine('refresh_failed', { code: 'no_answer' })).toBe('<4>event=refresh_failed code=no_answer');
  });

  it('a stream logger redacts as the formatters do, in either format', () => {
    for (const format of ['logfmt', 'json'] as const) {
      const lines: string[] = [];
      streamLogger((line) => lines.push(line), format)('paired', { access_token: 'at-secret', refresh_token: 'rt-secret', subject: 'erin' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/\n$/);
      expect(lines[0]).not.toMatch(/at-secret|rt-secret/);
      expect(lines[0]).toContain('erin');
    }
  });
});

describe('debug lines', () => {
  it('a stream logger writes them only with --debug (PAIRING_AGENT_DEBUG), every other line always', () => {
    for (const debug of [false, true]) {
      const lines: string[] = [];
      const log = streamLogger((line) => lines.push(line), 'logfmt', debug);
      log('oauth.http', { method: 'POST', url: 'https://idp.example.com/token', status: 200 });
      log('oauth.http.error', { method: 'POST', url: 'https://idp.example.com/token', reason: 'ECONNREFUSED' });
      expect(lines.map((line) => line.split(' ')[0])).toEqual([...(debug ? ['<7>event=oauth.http'] : []), '<4>event=oauth.http.error']);
    }
  });
});

describe('untrusted text goes through printable() (issue #13)', () => {
  it.each<[string, string, string]>([
    ['a newline cannot forge a second line', 'denied\nevent=paired subject=mallory', '"denied\\\\u{a}event=paired subject=mallory"'],
    ['ESC and BEL cannot reach the terminal', '\u001b]0;owned\u0007Eve', '\\u{1b}]0;owned\\u{7}Eve'],
    ['bidi and zero-width characters are shown', 'WDJB\u202e-\u200bMJHT', 'WDJB\\u{202e}-\\u{200b}MJHT'],
    ['C1 CSI', 'a\u009b2J', 'a\\u{9b}2J'],
  ])('logfmt: %s', (_name, value, written) => {
    const line = formatLogLine('poll_failed', { reason: value });
    expect(line).toBe(`<4>event=poll_failed reason=${written}`);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202e]/);
  });

  it('JSON: escaped before encoding, so the decoded value holds no control character either', () => {
    const record = json('poll_failed', { reason: '\u001b[2JEve\u2066\nnext' });
    expect(record.reason).toBe('\\u{1b}[2JEve\\u{2066}\\u{a}next');
  });
});
