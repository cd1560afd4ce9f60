/**
 * The pairing state and its DPoP key as one thing on disk (issue #19): wiping the state deletes the
 * key, and a DPoP pairing whose key file is gone is a lost pairing — its tokens are bound to that key
 * (RFC 9449 §5) and useless without it — said once, clearly, and written down.
 */
import type { Logger } from '../log-events.js';
import type { StateStore } from './state-store.js';
import type { State } from '../pairing/state.js';
import type { DpopKeyFile } from './dpop-key.js';

/** States whose tokens are used with a proof. `unpairing` is not one: revocation needs no proof. */
const USES_KEY = new Set<State['name']>(['paired', 'refreshing']);

/** Whether `state` is a DPoP pairing that needs a key, so that no key file means a lost pairing. Pure. */
export function needsDpopKey(state: State | undefined): boolean {
  return state !== undefined && USES_KEY.has(state.name) && 'tokens' in state && state.tokens.tokenType === 'DPoP';
}

export function withDpopKey(store: StateStore, keys: DpopKeyFile, log: Logger): StateStore {
  return {
    async load() {
      const state = await store.load();
      if (!needsDpopKey(state)) return state;
      if ((await keys.load()) !== undefined) return state;
      log('dpop_key_lost', {
        path: keys.path,
        reason: 'the DPoP key file is missing: the tokens are bound to it and cannot be used or refreshed without it; the pairing is lost, pair again',
      });
      const lost: State = { name: 'unpaired', notice: 'pairing_lost' };
      await store.wipe();
      await store.save(lost);
      return lost;
    },
    save: (state) => store.save(state),
    async wipe() {
      await store.wipe();
      await keys.delete();
    },
  };
}
