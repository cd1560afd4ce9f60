/**
 * The pairing state on disk, through conf (issue #4): `state.json` (0600) in `state_dir` (0700),
 * written as temp file → fsync → rename (conf's `atomically`) → fsync of the directory (ours).
 * A corrupt or unreadable file is renamed aside, reported, and the agent starts unpaired instead of
 * crash-looping; leftover temp files of a killed write are removed at start.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type Conf from 'conf';
import { AgentError, jsonSyntaxProblem } from '../errors.js';
import type { State } from '../pairing/state.js';
import type { StateStore } from '../agent/types.js';
import { fsyncDirectory } from './fs-durable.js';
import { SCHEMA_VERSION, STATE_FILE, parseStateDocument } from './state-schema.js';

export { STATE_FILE };

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** atomically's temp names: `state.json.tmp-` + 10 timestamp digits + 6 hex digits. */
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
  /** conf, opened on the first write: reading needs only our parser, so start-up skips conf's import (issue #9). */
  #conf: Promise<Conf<Document>> | undefined;

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
    // One write for the whole document (conf rewrites the file on every set).
    (await this.#writer()).store = { schema: SCHEMA_VERSION, state };
    fsyncDirectory(this.dir);
  }

  async wipe(): Promise<void> {
    (await this.#writer()).store = { schema: SCHEMA_VERSION };
    fsyncDirectory(this.dir);
  }

  #writer(): Promise<Conf<Document>> {
    this.#conf ??= import('conf').then(({ default: Conf }) =>
      new Conf<Document>({
        cwd: this.dir,
        configName: 'state',
        // conf defaults to 0o666 (NOTES.md): tokens live here.
        configFileMode: FILE_MODE,
        // Never silently drop a pairing on a parse error: `open` keeps a bad file aside itself.
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        watch: false,
      }),
    );
    return this.#conf;
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
