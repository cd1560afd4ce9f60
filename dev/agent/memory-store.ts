import type { State } from '../../src/pairing/state.js';
import type { StateStore } from '../../src/store/state-store.js';

/** A state store that forgets everything on exit: for the demo and tests that need no disk. */
export function memoryStore(initial?: State): StateStore & { readonly current: State | undefined } {
  let current = initial === undefined ? undefined : structuredClone(initial);
  return {
    get current() {
      return current;
    },
    load: async () => (current === undefined ? undefined : structuredClone(current)),
    save: async (state) => {
      current = structuredClone(state);
    },
    wipe: async () => {
      current = undefined;
    },
  };
}
