/**
 * What the panel shows for each state: a pure view of the state machine (state in, screen model out;
 * `src/screens` turns the model into pixels). Time-dependent parts (countdowns) take `now`, so the
 * shell re-renders once a second while one is visible.
 */
import { explainFailure } from './failure-words.js';
import { CODE_PAGE_SECONDS } from '../screens/layout-code.js';
import type { Screen } from '../screens/model.js';
import { drawableText } from '../screens/text.js';
import type { Identity, State } from '../pairing/state.js';

/**
 * The name the paired screen shows: `who`, else the email or preferred username when `who` is in a script
 * the panel cannot draw (CJK, Arabic…), else the subject; never a row of "?" (issue #16). Undefined when no
 * name is known or none can be drawn: the screen then says the device is linked, without a name.
 */
export function displayName(identity: Identity): string | undefined {
  const names = [identity.who, ...(identity.otherNames ?? [])].filter((name): name is string => name !== undefined && name.trim() !== '');
  if (names.length === 0) return undefined;
  return [...names, identity.subject].find((name) => name !== undefined && drawableText(name) !== undefined);
}

/**
 * `storage` is 'read_only' when the state directory cannot be written (issue #13): the panel says so
 * instead of a pairing screen that could not be kept.
 */
export function screenFor(state: State, now: number, hasButton: boolean, storage: 'writable' | 'read_only' = 'writable'): Screen {
  if (storage === 'read_only') {
    const paired = state.name === 'paired' || state.name === 'refreshing';
    return { kind: 'error', reason: paired ? 'Storage read-only. Token served, not renewed' : 'Storage read-only. Cannot pair' };
  }
  switch (state.name) {
    case 'unpaired':
      // Issue #4, #16: a pairing ended at the server says so instead of silently resetting; so does an unpairing
      // whose tokens the server did not revoke (issue #13).
      if (state.notice === 'pairing_lost') return { kind: 'press_to_pair', hasButton, notice: 'pairing_lost' };
      if (state.revoked === false) return { kind: 'press_to_pair', hasButton, notice: 'not_revoked' };
      return { kind: 'press_to_pair', hasButton };
    case 'requesting_code':
      return { kind: 'connecting' };
    case 'awaiting_user': {
      const { code } = state;
      return {
        kind: 'code',
        userCode: code.userCode,
        verificationUri: code.verificationUri,
        verificationUriComplete: code.verificationUriComplete,
        secondsLeft: Math.max(0, Math.ceil((code.expiresAt - now) / 1000)),
        totalSeconds: code.expiresIn,
        // Pages turn on the time since the code was issued, so the QR page comes first (issue #16).
        page: Math.max(0, Math.floor((now - (code.expiresAt - code.expiresIn * 1000)) / (CODE_PAGE_SECONDS * 1000))),
      };
    }
    case 'paired':
      // Refreshes that cannot reach the provider: still paired, and the next try counts down (issue #16).
      if (state.unreachable && state.refreshAt !== undefined) {
        return { kind: 'offline', retryInSeconds: Math.max(0, Math.ceil((state.refreshAt - now) / 1000)), paired: true };
      }
      return { kind: 'paired', who: displayName(state.identity) };
    case 'refreshing':
      // Refreshing is invisible (issue #6): the screen stays what it was while the request is out.
      if (state.unreachable) return { kind: 'offline', retryInSeconds: 0, paired: true };
      return { kind: 'paired', who: displayName(state.identity) };
    case 'unpairing':
      return { kind: 'unpairing' };
    case 'denied':
      return { kind: 'denied' };
    case 'code_expired':
      return { kind: 'expired' };
    case 'offline':
      return { kind: 'offline', retryInSeconds: Math.max(0, Math.ceil((state.retryAt - now) / 1000)), paired: false };
    case 'failed':
      return { kind: 'error', reason: explainFailure(state.reason) };
  }
}

/** Screens with a countdown need a re-render every second. */
export function hasCountdown(state: State): boolean {
  return state.name === 'awaiting_user' || state.name === 'offline' || (state.name === 'paired' && state.unreachable === true);
}
