import type { Element, Rect } from './elements.js';
import { lineHeight, textWidth } from './text.js';

/**
 * Characters reserved for a clock: "mm:ss" up to 99:59. Device codes live minutes (RFC 8628 §3.2 example:
 * 1800 s), so the field never grows; longer times are shown as 99:59.
 */
export const CLOCK_CHARS = 5;
const MAX_CLOCK_SECONDS = 99 * 60 + 59;

/** Height of the countdown bar: the digits' 7 rows less one above and one below, centred on them. */
const BAR_HEIGHT = 5;
/** Gap between the bar and the clock. */
const BAR_GAP = 3;

/** Seconds as "m:ss", rounded up so "0:00" appears only when the time is really up. */
export function formatClock(seconds: number): string {
  const whole = Number.isFinite(seconds) ? Math.min(MAX_CLOCK_SECONDS, Math.max(0, Math.ceil(seconds))) : 0;
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** The clock padded on the left to {@link CLOCK_CHARS}, so its right edge (and its region) never moves. */
export function rightAlignedClock(seconds: number): string {
  return formatClock(seconds).padStart(CLOCK_CHARS, ' ');
}

/** Share of the time left, 0–1; 0 when there is no total to compare with. */
export function fractionLeft(secondsLeft: number, totalSeconds: number): number {
  if (!(totalSeconds > 0) || !Number.isFinite(secondsLeft)) return 0;
  return Math.min(1, Math.max(0, secondsLeft / totalSeconds));
}

/** Width of the clock field: what a strip or column reserves for it. */
export const CLOCK_WIDTH = textWidth('0'.repeat(CLOCK_CHARS));

/**
 * A countdown one text line tall across `area`: a bar on the left that empties as time runs out and the
 * clock right-aligned after it. Everything that changes each second stays inside this strip; everything
 * else is placed from values that don't change while a code is shown.
 */
export function countdownStrip(area: Rect, secondsLeft: number, totalSeconds: number): Element[] {
  const clockX = area.x + area.width - CLOCK_WIDTH;
  const barWidth = clockX - BAR_GAP - area.x;
  const clock: Element = { kind: 'text', role: 'countdown', x: clockX, y: area.y, scale: 1, text: rightAlignedClock(secondsLeft) };
  if (barWidth < BAR_HEIGHT * 2) return [clock];
  const bar: Element = {
    kind: 'bar',
    x: area.x,
    y: area.y + Math.floor((lineHeight(1) - 1 - BAR_HEIGHT) / 2),
    width: barWidth,
    height: BAR_HEIGHT,
    fraction: fractionLeft(secondsLeft, totalSeconds),
  };
  return [bar, clock];
}

/**
 * A countdown stacked in a narrow column (the bar above the clock), both at the column's bottom: for the
 * 128x32 code screen, where a two-line code takes the whole height beside it.
 */
export function countdownColumn(area: Rect, secondsLeft: number, totalSeconds: number): Element[] {
  const clockY = area.y + area.height - lineHeight(1);
  return [
    {
      kind: 'bar',
      x: area.x + area.width - CLOCK_WIDTH,
      y: clockY - BAR_GAP - BAR_HEIGHT,
      width: CLOCK_WIDTH,
      height: BAR_HEIGHT,
      fraction: fractionLeft(secondsLeft, totalSeconds),
    },
    { kind: 'text', role: 'countdown', x: area.x + area.width - CLOCK_WIDTH, y: clockY, scale: 1, text: rightAlignedClock(secondsLeft) },
  ];
}
