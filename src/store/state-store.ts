import type { State } from '../pairing/state.js';

/** Where the state lives between runs. `save` returns once the state is durable. */
export interface StateStore {
  load(): Promise<State | undefined>;
  save(state: State): Promise<void>;
  /** Forgets every secret (the state file is rewritten by the `persist` that follows). */
  wipe(): Promise<void>;
}
