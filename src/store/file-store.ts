/**
 * The pairing state on disk (issue #4): `state.json` (0600) in `state_dir` (0700), written as temp
 * file → fsync → rename → fsync of the directory (`fs-durable.ts`; conf until issue #18), one compact
 * JSON document per write.
 * A corrupt or unreadable file is renamed aside, reported, and the agent starts unpaired instead of
 * crash-looping; leftover temp files of a killed write are removed at start.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError, jsonSyntaxProblem } from '../errors.js';
import type { State } from '../pairing/state.js';
import type { StateStore } from '../agent/types.js';
import { fsyncDirectory, writeFileDurably } from './fs-durable.js';
import { SCHEMA_VERSION, STATE_FILE, parseStateDocument } from './state-schema.js';

export { STATE_FILE };

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Temp names (ours and, before issue #18, conf's atomically's): `state.json.tmp-` + 10 digits + 6 hex. */
const TEMP_FILE = /^state\.json\.tmp-\d{10}[0-9a-f]{6}$/;

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
}

type Document = { schema?: number; state?: State };

export class FileStateStore implements StateStore {
  readonly dir: string;
  readonly path: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.path = join(dir, STATE_FILE);
  }

  /** Opens (creating) the state directory and reads the state, recovering from a bad file. */
  static open(dir: string, now: () => Date = () => new Date()): OpenedStore {
    ensurePrivateDirectory(dir);
    const removedTemps = readdirSync(dir).filter((name) => TEMP_FILE.test(name));
    for (const name of removedTemps) unlinkSync(join(dir, name));

    const store = new FileStateStore(dir);
    let parsed = store.#read();
    let recovered: Recovery | undefined;
    if (!parsed.ok) {
      recovered = keepAside(dir, parsed.problem, now());
      parsed = { ok: true, state: undefined };
    }
    tightenMode(store.path, FILE_MODE);
    return { store, state: parsed.state, ...(recovered ? { recovered } : {}), removedTemps };
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
  #write(doc: Document): void {
    writeFileDurably(this.dir, STATE_FILE, `${JSON.stringify(doc)}\n`, FILE_MODE);
  }

  /** The file as a checked state; a missing file is no state. The disk is untrusted (issue #4). */
  #read(): ReturnType<typeof parseStateDocument> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, state: undefined };
      return { ok: false, problem: describe(error) };
    }
    try {
      return parseStateDocument(JSON.parse(text) as unknown);
    } catch (error) {
      return { ok: false, problem: describe(error) };
    }
  }
}

function ensurePrivateDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    tightenMode(dir, DIR_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AgentError('ERR_STATE', `state_dir ${dir}: cannot create or secure it (${code ?? describe(error)})`, { cause: error });
  }
}

/** Narrows permissions that are wider than `mode` (a directory made by hand with 0755, say). */
function tightenMode(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function keepAside(dir: string, problem: string, when: Date): Recovery {
  const keptAs = join(dir, `${STATE_FILE}.corrupt-${when.toISOString().replace(/[:.]/g, '-')}`);
  renameSync(join(dir, STATE_FILE), keptAs);
  fsyncDirectory(dir);
  return { problem, keptAs };
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return `cannot read it (${code})`;
  return error instanceof SyntaxError ? jsonSyntaxProblem(error) : String((error as Error)?.message ?? error);
}
