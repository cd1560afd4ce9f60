/**
 * The one home of RFC 8628's `slow_down` rule (issue #12): the OAuth core applies it when it reads an
 * answer, the pairing state machine when it acts on one, so neither can drift from the other.
 */

/** RFC 8628 §3.5: on `slow_down` "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_INCREMENT_S = 5;

/**
 * The polling interval after a `slow_down` answer: the server's own new `interval` when it is longer
 * than the current one (issue #3), else the current one + 5 s — never the same or faster, whatever
 * the answer says.
 * @param current the interval in use, in seconds
 * @param sent the `interval` the server sent beside `slow_down`, if any usable one
 * @see RFC 8628 §3.5
 */
export function slowDownInterval(current: number, sent?: number): number {
  return sent !== undefined && sent > current ? sent : current + SLOW_DOWN_INCREMENT_S;
}
