/**
 * One module writes the agent's files durably and reads them back (issue #14 item 3): the state, the
 * DPoP key and the discovery cache all go through `src/store/private-files.ts`, and `status` without a
 * daemon reads the state with the store's own `readState`. Real files in a real directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DPOP_KEY_FILE, DpopKeyFile } from '../../src/store/dpop-key.js';
import { MAX_STATE_BYTES, readState } from '../../src/store/file-store.js';
import { moveFile, removeFile, removeTempFiles, replaceFile, tempFilePattern } from '../../src/store/private-files.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fresh = (prefix = 'pa-files-') => mkdtempSync(join(tmpdir(), prefix));

describe('the one durable writer', () => {
  it('replaces a file with the given mode, through no link, and leaves no temp file', () => {
    const dir = fresh();
    const outside = join(fresh(), 'victim');
    writeFileSync(outside, 'theirs', { mode: 0o644 });
    symlinkSync(outside, join(dir, 'a.json'));
    replaceFile(join(dir, 'a.json'), 'ours\n');
    expect(lstatSync(join(dir, 'a.json')).isFile()).toBe(true);
    expect(statSync(join(dir, 'a.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('ours\n');
    expect(readFileSync(outside, 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('a write that fails removes its temp file and throws the OS error', () => {
    const dir = fresh();
    // A non-empty directory where the file should go: the rename fails after the temp was written.
    mkdirSync(join(dir, 'a.json', 'x'), { recursive: true });
    expect(() => replaceFile(join(dir, 'a.json'), 'ours\n')).toThrow(expect.objectContaining({ syscall: 'rename' }));
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('removes a file (a link itself, not its target), saying whether there was one', () => {
    const dir = fresh();
    const outside = join(fresh(), 'victim');
    writeFileSync(outside, 'theirs');
    symlinkSync(outside, join(dir, 'link'));
    expect(removeFile(join(dir, 'link'))).toBe(true);
    expect(removeFile(join(dir, 'link'))).toBe(false);
    expect(readFileSync(outside, 'utf8')).toBe('theirs');
  });

  it('moves a file aside and removes only the temp files it is asked to', () => {
    const dir = fresh();
    for (const name of ['state.json', 'state.json.tmp-1764050000a1b2c3', 'state.json.tmp-x', 'other.json.tmp-1764050000a1b2c3']) writeFileSync(join(dir, name), '{}');
    expect(removeTempFiles(dir, (name) => tempFilePattern('state.json').test(name))).toEqual(['state.json.tmp-1764050000a1b2c3']);
    moveFile(join(dir, 'state.json'), join(dir, 'state.json.corrupt'));
    expect(readdirSync(dir).sort()).toEqual(['other.json.tmp-1764050000a1b2c3', 'state.json.corrupt', 'state.json.tmp-x']);
  });

  it('writes the DPoP key: a key write that fails leaves no half key behind', async () => {
    const dir = fresh('pa-dpop-files-');
    mkdirSync(join(dir, DPOP_KEY_FILE, 'x'), { recursive: true });
    await expect(new DpopKeyFile(dir).create()).rejects.toThrow(/ENOTEMPTY|EISDIR|EEXIST/);
    expect(readdirSync(dir)).toEqual([DPOP_KEY_FILE]);
  });

  it('is the only code in src/ that renames or fsyncs (the state, the DPoP key and the discovery cache use it)', () => {
    const hits = execFileSync('grep', ['-rlE', '\\b(renameSync|fsyncSync|fdatasyncSync|writeSync)\\b|fs/promises', 'src'], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((path) => relative('', path));
    // And the command's output, which goes to its inherited fd 1 with writeSync (issue #18): it opens,
    // renames and syncs nothing.
    expect(hits).toEqual(['src/cli/write-out.ts', 'src/store/private-files.ts']);
    expect(readFileSync(join(ROOT, 'src/cli/write-out.ts'), 'utf8')).not.toMatch(/\b(open|rename|fsync|fdatasync)\w*\(/);
  });
});

describe("the store's read of the state file, which status uses too", () => {
  const paired = { name: 'paired', tokens: { accessToken: 'a', tokenType: 'Bearer', issuedAt: 1 }, identity: {}, failures: 0 };
  const cases: [string, (path: string) => void, ReturnType<typeof readState>][] = [
    ['no file', () => {}, { ok: true, state: undefined }],
    ['an empty document', (p) => writeFileSync(p, '{}'), { ok: true, state: undefined }],
    ['a paired state', (p) => writeFileSync(p, JSON.stringify({ schema: 1, state: paired })), { ok: true, state: paired as never }],
    ['truncated JSON', (p) => writeFileSync(p, '{"schema":1,"state":{"name":"pai'), { ok: false, problem: 'not valid JSON (error at byte 32)' }],
    ['an unknown state', (p) => writeFileSync(p, JSON.stringify({ schema: 1, state: { name: 'dancing' } })), { ok: false, problem: 'state.name "dancing" is not a known state' }],
    ['a symbolic link', (p) => symlinkSync('/etc/hostname', p), { ok: false, problem: 'a symbolic link, not a file the agent wrote' }],
    ['a directory', (p) => mkdirSync(p), { ok: false, problem: 'a directory, not a file the agent wrote' }],
    ['a file over the cap', (p) => writeFileSync(p, ' '.repeat(MAX_STATE_BYTES + 1)), { ok: false, problem: `larger than ${MAX_STATE_BYTES} bytes (${MAX_STATE_BYTES + 1}): not read` }],
  ];
  it.each(cases)('%s', (_name, make, expected) => {
    const path = join(fresh(), 'state.json');
    make(path);
    expect(readState(path)).toEqual(expected);
    if (existsSync(path)) expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
  });
});
