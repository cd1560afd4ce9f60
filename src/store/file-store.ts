/**
 * The pairing state on disk (issue #4): `state.json` (0600) in `state_dir` (0700), replaced as temp
 * file → fsync → rename → fsync of the directory (`private-files.ts`; conf until issue #18), never
 * through a symbolic link (issue #13). A corrupt, oversized or foreign file (a link, a FIFO) is renamed aside,
 * reported, and the agent starts unpaired instead of crash-looping; leftover temp files of a killed
 * write are removed at start. A read-only directory is reported and read; writes then fail and the
 * agent keeps the state it has (a refresh is only sent after its state was saved).
 */
import { join } from 'node:path';
import { AgentError, jsonSyntaxProblem } from '../errors.js';
import type { State } from '../pairing/state.js';
import type { StateStore } from './state-store.js';
import { moveFile, readSmallFile, removeTempFiles, replaceFile, tempFilePattern, tightenFile } from './private-files.js';
import { securePrivateDirectory } from './private-dir.js';
import { SCHEMA_VERSION, STATE_FILE, parseStateDocument } from './state-schema.js';

export { STATE_FILE };

const FILE_MODE = 0o600;
/**
 * A state file is a few kB; one over this is not ours and is kept aside unread (issue #13: a 300 MB
 * file took 660 MB of memory to read whole).
 */
export const MAX_STATE_BYTES = 1024 * 1024;
const TEMP_FILE = tempFilePattern(STATE_FILE);

export interface Recovery {
  /** What was wrong with the file. */
  problem: string;
  /** Where the bad file was kept (never deleted: it may hold the only copy of a pairing). */
  keptAs: string;
}

export interface OpenedStore {
  store: FileStateStore;
  state: State | undefined;
  /** Set when the file was unusable and kept aside. */
  recovered?: Recovery;
  /** Temp files of interrupted writes that were removed. */
  removedTemps: string[];
  /** Paths whose mode was narrowed, with the mode they had (octal), for the log. */
  tightened: { path: string; from: string }[];
  /** The directory cannot be written: the state is served as read, and nothing is saved. */
  readOnly: boolean;
}

export class FileStateStore implements StateStore {
  readonly dir: string;
  readonly path: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.path = join(dir, STATE_FILE);
  }

  /** Opens (creating) the state directory and reads the state, recovering from a bad file. */
  static open(dir: string, now: () => Date = () => new Date()): OpenedStore {
    const secured = securePrivateDirectory(dir);
    const tightened = secured.tightenedFrom === undefined ? [] : [{ path: dir, from: secured.tightenedFrom.toString(8) }];
    const store = new FileStateStore(dir);
    let parsed = store.#read();
    if (secured.readOnly) {
      // Nothing can be removed, renamed or narrowed: serve what is there, or start unpaired.
      if (!parsed.ok) return { store, state: undefined, recovered: { problem: parsed.problem, keptAs: store.path }, removedTemps: [], tightened, readOnly: true };
      return { store, state: parsed.state, removedTemps: [], tightened, readOnly: true };
    }
    const removedTemps = removeTempFiles(dir, (name) => TEMP_FILE.test(name));
    let recovered: Recovery | undefined;
    if (!parsed.ok) {
      recovered = keepAside(dir, parsed.problem, now());
      parsed = { ok: true, state: undefined };
    }
    const from = tightenFile(store.path, FILE_MODE);
    if (from !== undefined) tightened.push({ path: store.path, from: from.toString(8) });
    return { store, state: parsed.state, ...(recovered ? { recovered } : {}), removedTemps, tightened, readOnly: false };
  }

  async load(): Promise<State | undefined> {
    const parsed = this.#read();
    if (!parsed.ok) throw new AgentError('ERR_STATE', `${this.path}: ${parsed.problem}`);
    return parsed.state;
  }

  async save(state: State): Promise<void> {
    this.#write({ schema: SCHEMA_VERSION, state });
  }

  async wipe(): Promise<void> {
    this.#write({ schema: SCHEMA_VERSION });
  }

  /**
   * One write for the whole document. Compact: every byte is written to the SD card twice a refresh
   * (issue #18), and the reader is our parser, not a person.
   */
  #write(document: { schema: number; state?: State }): void {
    try {
      replaceFile(this.path, `${JSON.stringify(document)}\n`, FILE_MODE);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EROFS' ? 'the file system is read-only' : code === 'ENOSPC' ? 'the disk is full' : (code ?? String(error));
      throw new AgentError('ERR_STATE', `cannot save the state in ${this.dir}: ${why}`, { cause: error });
    }
  }

  #read(): StateRead {
    return readState(this.path);
  }
}

/** What the state file holds, or what is wrong with it. */
export type StateRead = { ok: true; state: State | undefined } | { ok: false; problem: string };

/**
 * The state file as a checked state, read as the agent reads it and changing nothing (`status` without a
 * daemon reads it this way too): never through a link, never more than MAX_STATE_BYTES, and the disk is
 * untrusted (issue #4, #13). A missing file is no state.
 */
export function readState(path: string): StateRead {
  const read = readStateFile(path);
  if (read === undefined) return { ok: true, state: undefined };
  if ('problem' in read) return { ok: false, problem: read.problem };
  let doc: unknown;
  try {
    doc = JSON.parse(read.text) as unknown;
  } catch (error) {
    return { ok: false, problem: jsonSyntaxProblem(error) };
  }
  return parseStateDocument(doc);
}

/** The file's text, undefined when there is none, or what is wrong with it. */
function readStateFile(path: string): { text: string } | { problem: string } | undefined {
  let file: ReturnType<typeof readSmallFile>;
  try {
    file = readSmallFile(path, MAX_STATE_BYTES);
  } catch (error) {
    return { problem: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  switch (file.kind) {
    case 'missing':
      return undefined;
    case 'text':
      return { text: file.text };
    case 'too_large':
      return { problem: `larger than ${MAX_STATE_BYTES} bytes (${file.size}): not read` };
    case 'not_a_file':
      return { problem: `${file.what}, not a file the agent wrote` };
  }
}

function keepAside(dir: string, problem: string, when: Date): Recovery {
  const keptAs = join(dir, `${STATE_FILE}.corrupt-${when.toISOString().replace(/[:.]/g, '-')}`);
  // rename(2) moves a link itself, never its target.
  moveFile(join(dir, STATE_FILE), keptAs);
  return { problem, keptAs };
}
