/**
 * A GPIO input line as the button sees it: raw electrical levels, from whichever backend could open the pin
 * (sysfs via onoff, or libgpiod's `gpiomon` on the character device; see `hal/rpi`).
 */

/** Electrical level: 0 = low (0 V), 1 = high (3.3 V). */
export type Level = 0 | 1;

export interface GpioLine {
  /** The level when the line was opened, when the backend can tell; undefined means "assume released". */
  readonly initialLevel: Level | undefined;
  /**
   * Starts reporting levels: `listener` gets the level after each edge. Backends may repeat a level or miss
   * an edge in a burst (a sysfs interrupt reads the value after it fired, fivdi/onoff's watch callback), so
   * listeners must treat reports as samples, not as a strict alternation.
   */
  watch(listener: (level: Level) => void): void;
  /** Stops reporting and releases the pin (sysfs: unexport). */
  close(): Promise<void>;
}
