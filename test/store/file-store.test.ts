/**
 * The state file on real disk (issue #4): modes, round trips, recovery from bad files, leftover temp
 * files, and the syscall order of a durable write.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { State } from '../../src/pairing/state.js';
import { FileStateStore } from '../../src/store/file-store.js';
import { parseStateDocument } from '../../src/store/state-schema.js';

const paired: State = {
  name: 'paired',
  tokens: { accessToken: 'at-secret', tokenType: 'Bearer', issuedAt: 1, accessExpiresAt: 300_001, refreshToken: 'rt-secret' },
  identity: { subject: 'alice', who: 'Alice' },
  failures: 0,
  refreshAt: 200_000,
};

const fresh = () => join(mkdtempSync(join(tmpdir(), 'pa-store-')), 'state');
const mode = (path: string) => statSync(path).mode & 0o777;

describe('FileStateStore', () => {
  it('creates a 0700 directory and a 0600 file, and reads back what it wrote', async () => {
    const dir = fresh();
    const { store, state } = FileStateStore.open(dir);
    expect(state).toBeUndefined();
    await store.save(paired);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'state.json'))).toBe(0o600);
    expect(FileStateStore.open(dir).state).toEqual(paired);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ schema: 1, state: paired });
  });

  it('tightens a state directory and file that were made too open', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ schema: 1, state: paired }), { mode: 0o644 });
    const { state } = FileStateStore.open(dir);
    expect(state).toEqual(paired);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'state.json'))).toBe(0o600);
  });

  it.each([
    ['truncated JSON', '{"schema":1,"state":{"name":"pai', /^not valid JSON/],
    ['a JSON array', '[1,2]', /^not a JSON object/],
    ['a state with a mistyped field', JSON.stringify({ schema: 1, state: { ...paired, failures: 'x' } }), /^state.failures is missing or has the wrong type/],
    ['an unknown state', JSON.stringify({ schema: 1, state: { name: 'dancing' } }), /^state.name "dancing" is not a known state/],
    ['a time no date can hold', JSON.stringify({ schema: 1, state: { ...paired, tokens: { ...paired.tokens, accessExpiresAt: 1e300 } } }), /^state.tokens.accessExpiresAt/],
    ['a newer schema', JSON.stringify({ schema: 99, state: paired }), /^schema 99 is newer than this agent's 1/],
    ['tokens without an access token', JSON.stringify({ schema: 1, state: { ...paired, tokens: { tokenType: 'Bearer', issuedAt: 1 } } }), /^state.tokens.accessToken/],
  ])('keeps a file with %s aside, reports it, and starts unpaired', async (_name, content, problem) => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'state.json'), content, { mode: 0o600 });
    const opened = FileStateStore.open(dir, () => new Date('2026-11-25T06:00:00.000Z'));
    expect(opened.state).toBeUndefined();
    expect(opened.recovered?.problem).toMatch(problem);
    expect(opened.recovered?.keptAs).toBe(join(dir, 'state.json.corrupt-2026-11-25T06-00-00-000Z'));
    // Kept, byte for byte: it may hold the only copy of a pairing.
    expect(readFileSync(opened.recovered?.keptAs ?? '', 'utf8')).toBe(content);
    // And the agent can carry on writing.
    await opened.store.save({ name: 'unpaired' });
    expect(FileStateStore.open(dir).state).toEqual({ name: 'unpaired' });
  });

  it('never quotes the file in its report', () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'state.json'), 'rt-secret-and-more');
    const opened = FileStateStore.open(dir);
    expect(opened.recovered?.problem).toBe('not valid JSON');
  });

  it('removes temp files left by a killed write, and nothing else', () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'state.json.tmp-1764050000a1b2c3'), '{"half":');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const opened = FileStateStore.open(dir);
    expect(opened.removedTemps).toEqual(['state.json.tmp-1764050000a1b2c3']);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt']);
  });

  it('wipe leaves no token on disk', async () => {
    const dir = fresh();
    const { store } = FileStateStore.open(dir);
    await store.save(paired);
    await store.wipe();
    const text = readFileSync(join(dir, 'state.json'), 'utf8');
    expect(text).not.toContain('secret');
    expect(FileStateStore.open(dir).state).toBeUndefined();
  });
});

describe('parseStateDocument', () => {
  it('runs migrations from older schemas in order', () => {
    const migrations = {
      1: (s: unknown) => ({ ...(s as object), name: 'unpaired' }),
      2: (s: unknown) => ({ ...(s as object), notice: 'unpaired' }),
    };
    expect(parseStateDocument({ schema: 1, state: { name: 'old' } }, migrations, 3)).toEqual({ ok: true, state: { name: 'unpaired', notice: 'unpaired' } });
    expect(parseStateDocument({ schema: 1, state: {} }, {}, 2)).toEqual({ ok: false, problem: 'no migration from schema 1' });
  });

  it('treats an empty document (a wiped store) as no state', () => {
    expect(parseStateDocument({})).toEqual({ ok: true, state: undefined });
    expect(parseStateDocument({ schema: 1 })).toEqual({ ok: true, state: undefined });
  });

  it('checks the fields the screen reads (issue #16): names to fall back to, an unreachable provider, a failed revocation', () => {
    const tokens = { accessToken: 'at', tokenType: 'Bearer', issuedAt: 0 };
    const paired = (extra: object, identity: object = {}) => parseStateDocument({ schema: 1, state: { name: 'paired', tokens, identity, failures: 1, ...extra } });
    expect(paired({ unreachable: true }, { who: '山田太郎', otherNames: ['taro@example.jp', 'taro'] }).ok).toBe(true);
    expect(paired({ unreachable: 'yes' })).toEqual({ ok: false, problem: 'state.unreachable is missing or has the wrong type' });
    expect(paired({}, { otherNames: 'taro' })).toEqual({ ok: false, problem: 'state.identity.otherNames is missing or has the wrong type' });
    expect(paired({}, { otherNames: [''] }).ok).toBe(false);
    const unpaired = (extra: object) => parseStateDocument({ schema: 1, state: { name: 'unpaired', notice: 'unpaired', ...extra } });
    expect(unpaired({ revoked: false, revokeReason: 'HTTP 401' }).ok).toBe(true);
    expect(unpaired({ revoked: true })).toEqual({ ok: false, problem: 'state.revoked is missing or has the wrong type' });
  });
});

const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' });
const hasStrace = strace.status === 0;

describe('durable write order', () => {
  it.skipIf(!hasStrace)('writes temp → fsync → rename → fsync(dir) (strace)', () => {
    const dir = fresh();
    const module = new URL('../../dist/src/store/file-store.js', import.meta.url).href;
    expect(existsSync(new URL(module))).toBe(true);
    const script = `
      const { FileStateStore } = await import(${JSON.stringify(module)});
      const { store } = FileStateStore.open(${JSON.stringify(dir)});
      process.stderr.write('--- save ---\\n');
      await store.save({ name: 'unpaired' });
      process.stderr.write('--- done ---\\n');
    `;
    const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2,write', '-e', 'signal=none', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    const lines = run.stderr.split('\n');
    const start = lines.findIndex((l) => l.includes('--- save ---'));
    const end = lines.findIndex((l) => l.includes('--- done ---'));
    const calls = lines.slice(start, end).filter((l) => /\b(openat|fsync|rename\w*)\(/.test(l) && l.includes(dir) || /\bfsync\(/.test(l));
    // Reduce to the steps that matter, in order.
    const steps = calls.map((l) => {
      if (/openat\(.*state\.json\.tmp-.*O_CREAT/.test(l)) return 'open temp';
      if (/rename\w*\(.*state\.json\.tmp-.*state\.json"/.test(l)) return 'rename';
      if (/openat\(.*"[^"]*\/state", O_RDONLY/.test(l)) return 'open dir';
      if (/fsync\(/.test(l)) return 'fsync';
      return undefined;
    }).filter((s) => s !== undefined);
    const from = steps.indexOf('open temp');
    expect(steps.slice(from)).toEqual(['open temp', 'fsync', 'rename', 'open dir', 'fsync']);
  });
});
