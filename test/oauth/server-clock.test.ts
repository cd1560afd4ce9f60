/**
 * The servers' clocks from their `Date` headers (RFC 9110 §5.6.7, §6.6.1), for DPoP proofs' `iat`
 * (RFC 9449 §11.1, issue #19): the parsing, what is plausible, and when the known time moves.
 */
import { describe, expect, it } from 'vitest';
import { CLOCK_OFFSET_TOLERANCE_MS, isPlausibleDate, nextServerTime, parseHttpDate, ServerClocks } from '../../src/oauth/server-clock.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 30, 9, 0, 0);
const imf = (ms: number) => new Date(ms).toUTCString();

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it('reads IMF-fixdate and the two obsolete forms', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(Date.UTC(2094, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Mon, 30 Nov 2026 09:00:00 GMT')).toBe(T);
    expect(parseHttpDate(imf(T + 1234))).toBe(T + 1000);
  });

  it('refuses what is not an HTTP-date', () => {
    for (const bad of [undefined, '', 'yesterday', '1764493200', '2026-11-30T09:00:00Z', 'Mon, 30 Nov 2026 09:00:00 UTC', 'Mon, 31 Feb 2026 09:00:00 GMT',
      'Mon, 30 Foo 2026 09:00:00 GMT', 'Mon, 30 Nov 2026 24:00:00 GMT', 'Mon, 30 Nov 2026 09:60:00 GMT', `Mon, 30 Nov 2026 09:00:00 GMT${' '.repeat(80)}`]) {
      expect(parseHttpDate(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('what a Date may say', () => {
  it('nothing before 2020; not years ahead of a plausible local clock; anything sane when the local clock is 1970', () => {
    expect(isPlausibleDate(Date.UTC(2019, 11, 31), T)).toBe(false);
    expect(isPlausibleDate(Date.UTC(2019, 11, 31), 0)).toBe(false);
    expect(isPlausibleDate(T + 2 * DAY, T)).toBe(true);
    expect(isPlausibleDate(T - 365 * DAY, T)).toBe(true);
    expect(isPlausibleDate(T + 2 * 365 * DAY, T)).toBe(true);
    expect(isPlausibleDate(T + 10 * 365 * DAY, T)).toBe(false);
    // A Pi that booted at the epoch: the real time is far ahead of it, and accepted.
    expect(isPlausibleDate(T, 5_000)).toBe(true);
    expect(isPlausibleDate(Date.UTC(2150, 0, 1), 5_000)).toBe(false);
  });
});

describe('nextServerTime: when the known time moves', () => {
  it('a server within the tolerance of the local clock needs none', () => {
    expect(nextServerTime(undefined, T + 3_000, T, 0)).toBeUndefined();
    expect(nextServerTime(undefined, T - 4_000, T, 0)).toBeUndefined();
  });

  it('one further off is anchored on the monotonic clock, at the middle of the second the header names', () => {
    expect(nextServerTime(undefined, T + 2 * DAY, T, 42)).toEqual({ serverMs: T + 2 * DAY + 500, monotonicMs: 42 });
  });

  it('kept while answers agree with it within the tolerance, whatever the wall clock does', () => {
    const known = { serverMs: T, monotonicMs: 1_000 };
    // 60 s later by the monotonic clock, the server says 60 s ± a few: kept (no jitter).
    expect(nextServerTime(known, T + 60_000 - 2_000, T - 2 * DAY, 61_000)).toBe('kept');
    expect(nextServerTime(known, T + 60_000 + 3_000, T + 5 * DAY, 61_000)).toBe('kept');
    // NTP has set the wall clock right meanwhile: still kept (the anchor does not need it).
    expect(nextServerTime(known, T + 60_000, T + 60_000, 61_000)).toBe('kept');
  });

  it('moved when the server says otherwise by more than the tolerance, back included', () => {
    const known = { serverMs: T, monotonicMs: 0 };
    expect(nextServerTime(known, T - 60_000, T - 2 * DAY, 0)).toEqual({ serverMs: T - 60_000 + 500, monotonicMs: 0 });
    expect(nextServerTime(known, T + CLOCK_OFFSET_TOLERANCE_MS + 1_000, T - 2 * DAY, 0)).toEqual({ serverMs: T + CLOCK_OFFSET_TOLERANCE_MS + 1_500, monotonicMs: 0 });
  });
});

describe('ServerClocks', () => {
  const answer = (date?: string) => ({ headers: date === undefined ? {} : { date } });

  it('a server two days ahead of the device is stamped by its time, and said once; the wall clock stepping moves it neither back nor ahead', () => {
    let mono = 0;
    const told: [string, number][] = [];
    const clocks = new ServerClocks({ monotonic: () => mono, onOffset: (origin, seconds) => told.push([origin, seconds]) });
    const local = T - 2 * DAY;
    clocks.observe('https://idp.example/token', answer(imf(T)), local);
    expect(clocks.now('https://idp.example/device', local)).toBe(T + 500);
    // An answer without a Date teaches nothing.
    clocks.observe('https://idp.example/token', answer(), local);
    expect(clocks.now('https://idp.example/token', local)).toBe(T + 500);
    expect(told).toEqual([['https://idp.example', 172_800]]);
    expect(clocks.changes('https://idp.example/token')).toBe(1);

    // Time passes (monotonic), NTP steps the wall clock right: the server's time goes on with the
    // monotonic clock, neither back nor two days ahead; the log says the device's clock caught up.
    mono += 30_000;
    expect(clocks.now('https://idp.example/token', T + 30_000)).toBe(T + 30_500);
    clocks.observe('https://idp.example/token', answer(imf(T + 30_000)), T + 30_000);
    expect(clocks.changes('https://idp.example/token')).toBe(1);
    expect(told).toEqual([['https://idp.example', 172_800], ['https://idp.example', 0]]);
    // The wall clock stepping back a day does not move iat back.
    expect(clocks.now('https://idp.example/token', T - DAY)).toBe(T + 30_500);
  });

  it('a server not heard from is stamped by the one heard from last (an app’s API: servers keep good time, the device may not)', () => {
    const clocks = new ServerClocks({ monotonic: () => 0 });
    expect(clocks.now('https://api.example/x', T)).toBe(T);
    clocks.observe('https://idp.example/token', answer(imf(T + 2 * DAY)), T);
    expect(clocks.now('https://api.example/x', T)).toBe(T + 2 * DAY + 500);
    // Its own answer, agreeing with the device, wins for it; the last one heard agrees too.
    clocks.observe('https://api.example/x', answer(imf(T)), T);
    expect(clocks.now('https://api.example/x', T)).toBe(T);
    expect(clocks.now('https://other.example/y', T)).toBe(T);
    expect(clocks.now('https://idp.example/token', T)).toBe(T + 2 * DAY + 500);
  });

  it('ignores unparsable, absent and absurd dates; small offsets are neither kept nor told', () => {
    const told: number[] = [];
    const clocks = new ServerClocks({ monotonic: () => 0, onOffset: (_o, s) => told.push(s) });
    for (const date of ['garbage', 'Thu, 01 Jan 1970 00:00:00 GMT', imf(T + 20 * 365 * DAY), imf(T + 3_000)]) {
      clocks.observe('https://idp.example/token', answer(date), T);
      expect(clocks.now('https://idp.example/token', T)).toBe(T);
    }
    clocks.observe('https://idp.example/token', { headers: { date: [imf(T - 365 * DAY)] } }, T);
    expect(clocks.now('https://idp.example/token', T)).toBe(T - 365 * DAY + 500);
    expect(told).toEqual([-31_536_000]);
  });
});
