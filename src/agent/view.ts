/**
 * What the panel shows for each state: a pure view of the state machine (state in, screen model out;
 * `src/screens` turns the model into pixels). Time-dependent parts (countdowns) take `now`, so the
 * shell re-renders once a second while one is visible.
 */
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

export function screenFor(state: State, now: number, hasButton: boolean): Screen {
  switch (state.name) {
    case 'unpaired':
      // Issue #4: a pairing lost at the server (invalid_grant) says so instead of silently resetting.
      if (state.notice === 'pairing_lost') return { kind: 'error', reason: hasButton ? 'Pairing lost. Press to pair again' : 'Pairing lost' };
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
      };
    }
    case 'paired':
    case 'refreshing':
      // Refreshing is invisible (issue #6).
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
      return { kind: 'error', reason: state.reason };
  }
}

/** Screens with a countdown need a re-render every second. */
export function hasCountdown(state: State): boolean {
  return state.name === 'awaiting_user' || state.name === 'offline';
}
