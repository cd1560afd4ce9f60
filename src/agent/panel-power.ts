/**
 * When the panel dims and sleeps (issue #16). An OLED's pixels wear with the hours they are lit: an SSD1306
 * left showing "Paired" day and night burns that image in within months. Only the paired screen rests — a
 * code, an error or a countdown is something a person must read, so those stay on at full contrast. Pure:
 * the agent applies the mode and wakes at `until`.
 */
import { INITIAL_CONTRAST } from '../../hal/oled/init-sequence.js';

/** Idle time on the paired screen before it dims (issue #16: "after a minute"). */
export const DIM_AFTER_MS = 60_000;
/** How long a short press shows the status at full brightness (issue #16). */
export const WAKE_MS = 30_000;
/** Full brightness: the contrast the SSD1306 init sequence sets. */
export const FULL_CONTRAST = INITIAL_CONTRAST.ssd1306;
/**
 * Dimmed (`0x81` contrast, SSD1306 §10.1.7): still readable up close, a small fraction of the segment current
 * (brightness is not linear in the setting; the low end falls off fastest).
 */
export const DIM_CONTRAST = 0x08;

export type PanelMode = 'on' | 'dim' | 'off';

export interface PanelInputs {
  /** The screen may rest: it is the paired status, with nothing to read against a clock. */
  readonly restful: boolean;
  /** When the paired screen appeared. */
  readonly idleSince: number;
  /** The last short press while it showed, if any. */
  readonly wokenAt?: number | undefined;
  readonly now: number;
  /** `screen_timeout` in ms; 0 keeps the panel on (dimmed after a minute, never off). */
  readonly timeoutMs: number;
}

export interface PanelPlan {
  readonly mode: PanelMode;
  /** When the mode changes next by itself; undefined when it stays until something happens. */
  readonly until?: number | undefined;
}

export function panelPlan({ restful, idleSince, wokenAt, now, timeoutMs }: PanelInputs): PanelPlan {
  if (!restful) return { mode: 'on' };
  if (wokenAt !== undefined && now < wokenAt + WAKE_MS) return { mode: 'on', until: wokenAt + WAKE_MS };
  const offAt = timeoutMs > 0 ? idleSince + timeoutMs : undefined;
  const dimAt = idleSince + DIM_AFTER_MS;
  if (offAt !== undefined && now >= offAt) return { mode: 'off' };
  if (now >= dimAt) return { mode: 'dim', until: offAt };
  return { mode: 'on', until: offAt === undefined ? dimAt : Math.min(dimAt, offAt) };
}
