/**
 * Nobody else on the device can redirect the agent's writes or starve its sockets (issue #13, items
 * 2 and 5): real symbolic links to a real other user's file, a directory that user owns, many real
 * connections to the token socket, an oversized state file.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/daemon/client.js';
import type { State } from '../../src/pairing/state.js';
import { FileStateStore, MAX_STATE_BYTES } from '../../src/store/file-store.js';
import { CLI, eventually, runCli, withDaemon } from '../support/cli.js';
import { createUser, isRoot, NOT_ROOT, type LocalUser } from '../support/local-user.js';

const paired = (extra: Partial<Extract<State, { name: 'paired' }>['tokens']> = {}): State => ({
  name: 'paired',
  tokens: { accessToken: 'at-secret', tokenType: 'Bearer', issuedAt: Date.now(), accessExpiresAt: Date.now() + 3_600_000, refreshToken: 'rt-secret', ...extra },
  identity: { subject: 'erin' },
  failures: 0,
  refreshAt: Date.now() + 3_000_000,
});

/** A device whose provider cannot be reached (port 9, discard): revocation fails at once, the rest works. */
function device(prefix: string, state?: State, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const stateDir = join(dir, 'state');
  const config = join(dir, 'config.json');
  const socket = join(dir, 'agent.sock');
  writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:9', client_id: 'device', hal: 'sim', state_dir: stateDir, socket_path: socket, ...extra }));
  mkdirSync(stateDir, { mode: 0o700 });
  if (state !== undefined) writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ schema: 1, state }), { mode: 0o600 });
  return { dir, stateDir, config, socket, stateFile: join(stateDir, 'state.json') };
}

describe.skipIf(!isRoot)(`files another user planted or owns (issue #13 item 2; ${isRoot ? 'root' : NOT_ROOT})`, () => {
  let other: LocalUser;
  let victimDir: string;
  beforeAll(() => {
    other = createUser('pa-victim');
    victimDir = mkdtempSync(join(tmpdir(), 'pa-victim-'));
    chownSync(victimDir, other.uid, other.gid);
    chmodSync(victimDir, 0o755);
  });
  afterAll(() => other?.remove());

  const victimFile = (name: string) => {
    const path = join(victimDir, name);
    writeFileSync(path, "the other user's own data\n", { mode: 0o644 });
    chownSync(path, other.uid, other.gid);
    return path;
  };
  const untouched = (path: string) => {
    expect(readFileSync(path, 'utf8')).toBe("the other user's own data\n");
    const st = statSync(path);
    expect([st.uid, st.mode & 0o777]).toEqual([other.uid, 0o644]);
  };

  it('a state.json swapped for a link to their file: the unpairing write (tokens!) replaces the link, never their file', async () => {
    const d = device('pa-link-', paired());
    await withDaemon(d.config, async () => {
      const target = victimFile('notes.txt');
      unlinkSync(d.stateFile);
      symlinkSync(target, d.stateFile);
      // logout persists `unpairing` (with the tokens) first, then wipes.
      await runCli(['--config', d.config, 'logout']);
      untouched(target);
      expect(readdirSync(victimDir)).toEqual(['notes.txt']);
      const st = lstatSync(d.stateFile);
      expect(st.isFile() && (st.mode & 0o777) === 0o600).toBe(true);
    });
  }, 30_000);

  it('a state.json that is a link at start is kept aside (the link itself), and their file is never read into the state', async () => {
    const d = device('pa-link-start-');
    const target = victimFile('state-look-alike.json');
    symlinkSync(target, d.stateFile);
    await withDaemon(d.config, async (daemon) => {
      expect(daemon.log()).toMatch(/event=state_recovered problem="a symbolic link, not a file the agent wrote"/);
      untouched(target);
    });
  }, 30_000);

  it('refuses a state directory another user owns, in one line saying what to fix, and writes nothing there', async () => {
    const d = device('pa-foreign-');
    chownSync(d.stateDir, other.uid, other.gid);
    const r = await runCli(['--config', d.config, 'run']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^pairing-agent: state_dir ${d.stateDir} belongs to uid ${other.uid}, not to the agent's user \\(uid 0\\): .*chown`, 'm'));
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(readdirSync(d.stateDir)).toEqual([]);
    // The one-shot commands refuse it the same way.
    const t = await runCli(['--config', d.config, 'token']);
    expect(t.stderr).toMatch(/belongs to uid/);
  }, 30_000);
});

describe('the state directory and the socket paths (issue #13 item 2)', () => {
  it('narrows a state directory others may write to 0700, and says so in the log', async () => {
    const d = device('pa-wide-');
    chmodSync(d.stateDir, 0o777);
    await withDaemon(d.config, async (daemon) => {
      expect(daemon.log()).toMatch(new RegExp(`event=state_mode_tightened path=${d.stateDir} from=777 to=700`));
      expect(statSync(d.stateDir).mode & 0o777).toBe(0o700);
    });
  }, 30_000);

  it('never removes a file that is not a socket at socket_path: one line, the file stays', async () => {
    const d = device('pa-sockfile-');
    writeFileSync(d.socket, 'precious\n');
    const r = await runCli(['--config', d.config, 'run']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`pairing-agent: ${d.socket} exists and is not a socket`);
    expect(readFileSync(d.socket, 'utf8')).toBe('precious\n');
  }, 30_000);

  it('gives the sockets their modes from the start: 0600 control, 0660 token', async () => {
    const d = device('pa-modes-');
    await withDaemon(d.config, async () => {
      expect(lstatSync(join(d.stateDir, 'control.sock')).mode & 0o777).toBe(0o600);
      expect(lstatSync(d.socket).mode & 0o777).toBe(0o660);
    });
  }, 30_000);
});

describe('the token socket cannot be starved (issue #13 item 5)', () => {
  const open = (path: string) =>
    new Promise<Socket>((resolve, reject) => {
      const s = createConnection(path);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });

  it('1,100 idle connections under a 1,024-descriptor limit: another app still gets its answer at once', async () => {
    const d = device('pa-starve-', paired());
    // A Pi's default soft limit: the daemon under it, as systemd would start it without LimitNOFILE.
    const child = spawn('prlimit', ['--nofile=1024:1024', process.execPath, CLI, '--config', d.config, 'run'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const idle: Socket[] = [];
    try {
      await eventually(async () => (/event=ready/.test(log) ? true : undefined), 15_000, 'the daemon');
      // 1,100 connections held open, each retried while the listen queue is full (EAGAIN), as a
      // misbehaving app would.
      for (let i = 0; i < 1100; i++) {
        for (let attempt = 0; attempt < 100; attempt++) {
          const s = await open(d.socket).catch(() => undefined);
          if (s !== undefined) {
            s.on('error', () => undefined);
            idle.push(s);
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      // Until the daemon has taken in what it will take in (its descriptor count stops growing).
      const fds = () => readdirSync(`/proc/${child.pid}/fd`).length;
      let last = -1;
      await eventually(async () => {
        const now = fds();
        const settled = now === last;
        last = now;
        return settled ? true : undefined;
      }, 20_000, 'the daemon to settle');
      const started = Date.now();
      // As an app would: a full listen queue (EAGAIN) is retried, for at most the 5 s budget.
      const reply = await eventually(() => callDaemon(d.socket, 'GET', '/token', 5_000).catch(() => undefined), 5_000, 'an answer');
      expect(reply?.status).toBe(200);
      expect((reply?.json() as { access_token?: string }).access_token).toBe('at-secret');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const s of idle) s.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  }, 60_000);

  it('closes connections that send no request, or never finish its headers, within a few seconds', async () => {
    const d = device('pa-slow-');
    await withDaemon(d.config, async () => {
      const closedAfter = async (first: string) => {
        const s = await open(d.socket);
        const t = Date.now();
        if (first !== '') s.write(first);
        s.on('error', () => undefined);
        s.resume();
        return new Promise<number>((resolve) => {
          const timer = setTimeout(() => resolve(Infinity), 20_000);
          s.once('close', () => {
            clearTimeout(timer);
            resolve(Date.now() - t);
          });
        }).finally(() => s.destroy());
      };
      // Node's defaults would keep both for a minute or more.
      const [silent, slow] = await Promise.all([closedAfter(''), closedAfter('GET /status HTTP/1.1\r\nHost: agent\r\n')]);
      expect(silent).toBeLessThan(15_000);
      expect(slow).toBeLessThan(15_000);
    });
  }, 40_000);
});

describe('an oversized state file (issue #13 item 5)', () => {
  it('is kept aside unread, and the agent starts unpaired', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pa-huge-')), 'state');
    mkdirSync(dir, { mode: 0o700 });
    // Valid in every field: only its size gives it away.
    const huge = JSON.stringify({ schema: 1, state: paired({ scope: 'x'.repeat(2 * MAX_STATE_BYTES) }) });
    writeFileSync(join(dir, 'state.json'), huge, { mode: 0o600 });
    const opened = FileStateStore.open(dir);
    expect(opened.state).toBeUndefined();
    expect(opened.recovered?.problem).toBe(`larger than ${MAX_STATE_BYTES} bytes (${huge.length}): not read`);
    expect(statSync(opened.recovered?.keptAs ?? '').size).toBe(huge.length);
  });
});
