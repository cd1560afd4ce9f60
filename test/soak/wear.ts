/**
 * SD-card wear (issue #18): what the agent writes to its state directory, counted at the store on the
 * soak's virtual clock. A real `FileStateStore` in a real directory does every write (temp file →
 * fsync → rename → fsync of the directory); this wrapper records, per write, the virtual time, the
 * bytes that went into the temp file (the file's size after the rename) and the document written.
 */
import { readFileSync, statSync } from 'node:fs';
import type { StateStore } from '../../src/store/state-store.js';
import type { State } from '../../src/pairing/state.js';
import { FileStateStore } from '../../src/store/file-store.js';

export interface StateWrite {
  at: number;
  bytes: number;
  /** The state written (`wipe` writes none). */
  state: State['name'] | 'wiped';
  /** True when the file already held exactly this document: a write that was not needed. */
  repeated: boolean;
  /** What conf (before issue #18) would have written for the same document: tab-indented JSON. */
  confBytes: number;
}

export interface WearMeter {
  store: StateStore;
  writes: StateWrite[];
}

/** Each write costs two fsyncs (the temp file, then the directory), as the strace test in test/store/file-store.test.ts shows. */
export const FSYNCS_PER_WRITE = 2;

export function wearMeter(dir: string, now: () => number): WearMeter {
  const { store } = FileStateStore.open(dir);
  const writes: WearMeter['writes'] = [];
  const counted = (write: () => Promise<void>, state: StateWrite['state']) => async () => {
    let before: string | undefined;
    try {
      before = readFileSync(store.path, 'utf8');
    } catch {
      before = undefined;
    }
    await write();
    const after = readFileSync(store.path, 'utf8');
    const confBytes = Buffer.byteLength(JSON.stringify(JSON.parse(after) as unknown, undefined, '\t'));
    writes.push({ at: now(), bytes: statSync(store.path).size, state, repeated: before === after, confBytes });
  };
  return {
    writes,
    store: {
      load: () => store.load(),
      save: (state) => counted(() => store.save(state), state.name)(),
      wipe: () => counted(() => store.wipe(), 'wiped')(),
    },
  };
}
