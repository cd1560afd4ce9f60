/**
 * The state file's format: `{ "schema": N, "state": {...} }`, checked field by field when read (the
 * disk is untrusted: a half-written card, a hand edit, a downgrade), with a migration path from
 * older schemas. Pure.
 */
import type { PendingCode, State, Tokens } from '../pairing/state.js';

export const SCHEMA_VERSION = 1;

/** The state file's name inside `state_dir`. */
export const STATE_FILE = 'state.json';

export interface StateDocument {
  schema: number;
  state: State;
}

/**
 * Migrations from schema N to N+1, applied in order. Add one for every incompatible change to
 * `State` and bump SCHEMA_VERSION; a file from a newer agent is kept aside, never guessed at.
 */
export const MIGRATIONS: Record<number, (state: unknown) => unknown> = {};

export type ParseResult = { ok: true; state: State | undefined } | { ok: false; problem: string };

/** Reads a parsed state document (or undefined for no file) into a checked State. */
export function parseStateDocument(doc: unknown, migrations = MIGRATIONS, current = SCHEMA_VERSION): ParseResult {
  if (doc === undefined) return { ok: true, state: undefined };
  if (!isRecord(doc)) return { ok: false, problem: 'not a JSON object' };
  if (Object.keys(doc).length === 0) return { ok: true, state: undefined };
  const { schema } = doc;
  if (typeof schema !== 'number' || !Number.isInteger(schema) || schema < 1) return { ok: false, problem: '"schema" must be a positive integer' };
  if (schema > current) return { ok: false, problem: `schema ${schema} is newer than this agent's ${current} (downgraded?)` };
  let state: unknown = doc.state;
  for (let version = schema; version < current; version++) {
    const migrate = migrations[version];
    if (migrate === undefined) return { ok: false, problem: `no migration from schema ${version}` };
    state = migrate(state);
  }
  if (state === undefined) return { ok: true, state: undefined };
  const problem = stateProblem(state);
  return problem === undefined ? { ok: true, state: state as State } : { ok: false, problem };
}

type Check = (value: unknown) => boolean;
const str: Check = (v) => typeof v === 'string' && v.length > 0;
/** Times and numbers: finite and within what a Date can hold (±8.64e15 ms), so they can be printed. */
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e15;
const int: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const bool: Check = (v) => typeof v === 'boolean';
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const oneOf = (...values: string[]): Check => (v) => typeof v === 'string' && values.includes(v);

function fields(value: unknown, spec: Record<string, Check>, where: string): string | undefined {
  if (!isRecord(value)) return `${where} must be an object`;
  for (const [key, check] of Object.entries(spec)) {
    if (!check(value[key])) return `${where}.${key} is missing or has the wrong type`;
  }
  return undefined;
}

const TOKENS: Record<keyof Tokens, Check> = {
  accessToken: str,
  tokenType: str,
  accessExpiresAt: optional(num),
  issuedAt: num,
  refreshToken: optional(str),
  refreshExpiresAt: optional(num),
  idToken: optional(str),
  scope: optional((v) => typeof v === 'string'),
};

const CODE: Record<keyof PendingCode, Check> = {
  deviceCode: str,
  userCode: str,
  verificationUri: str,
  verificationUriComplete: optional(str),
  expiresAt: num,
  expiresIn: num,
  interval: (v) => num(v) && (v as number) > 0,
};

const strings: Check = (v) => Array.isArray(v) && v.length <= 4 && v.every(str);
const IDENTITY = { subject: optional(str), who: optional(str), otherNames: optional(strings) };

/** The problem with a would-be State, or undefined when it is one. */
export function stateProblem(state: unknown): string | undefined {
  if (!isRecord(state)) return 'state must be an object';
  switch (state.name) {
    case 'unpaired':
      return fields(
        state,
        { notice: optional(oneOf('pairing_lost', 'cancelled', 'unpaired')), autoRetryAt: optional(num), revoked: optional((v) => v === false), revokeReason: optional(str), lostReason: optional(str) },
        'state',
      );
    case 'requesting_code':
      return fields(state, { attempt: int, restarts: int }, 'state');
    case 'awaiting_user':
      return (
        fields(state, { nextPollAt: num, failures: int, deadlineTrusted: bool, restarts: int }, 'state') ??
        fields(state.code, CODE, 'state.code')
      );
    case 'paired':
      return (
        fields(state, { refreshAt: optional(num), failures: int, refreshUncertain: optional(bool), unreachable: optional(bool), refused: optional(str), lastFailureAt: optional(num), retryAfterUntil: optional(num) }, 'state') ??
        fields(state.tokens, TOKENS, 'state.tokens') ??
        fields(state.identity, IDENTITY, 'state.identity')
      );
    case 'refreshing':
      return (
        fields(state, { failures: int, refreshUncertain: optional(bool), unreachable: optional(bool), refused: optional(str) }, 'state') ??
        fields(state.tokens, TOKENS, 'state.tokens') ??
        fields(state.identity, IDENTITY, 'state.identity')
      );
    case 'unpairing':
      return fields(state.tokens, TOKENS, 'state.tokens');
    case 'denied':
    case 'code_expired':
      return fields(state, { autoRetryAt: optional(num), restarts: int }, 'state');
    case 'offline':
      return fields(state, { retryAt: num, attempt: int, reason: (v) => typeof v === 'string', restarts: int }, 'state');
    case 'failed':
      return fields(state, { reason: (v) => typeof v === 'string', autoRetryAt: optional(num), restarts: int }, 'state');
    default:
      return `state.name ${JSON.stringify(state.name)} is not a known state`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
