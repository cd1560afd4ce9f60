/**
 * Exponential backoff with full jitter, as a pure function (got's `calculate-retry-delay.ts`).
 * Full jitter spreads a fleet of devices that lost the network at the same moment, so they do not
 * reconnect in lockstep (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 */

export interface BackoffPolicy {
  /** Delay scale of the first retry, in ms. @example 1000 */
  baseMs: number;
  /** Upper bound of any delay, in ms. @example 300000 */
  capMs: number;
  /** Uniform random number in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): uniform in
 * [0, min(capMs, baseMs · 2^attempt)). When the server sent `Retry-After`, wait at least that.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const { baseMs, capMs, random = Math.random } = policy;
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number ≥ 0, got ${attempt}`);
  if (!(baseMs >= 0) || !(capMs >= 0)) throw new RangeError('baseMs and capMs must be ≥ 0');
  // 2 ** 1100 is Infinity, which min() handles; no overflow to guard against.
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}
