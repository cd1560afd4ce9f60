/** The soak's virtual clock (issue #9): where it starts, and its units in ms. */

/** 2025-01-01T00:00:00Z: any fixed instant will do; virtual time starts here. */
export const T0 = Date.UTC(2025, 0, 1);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
