/**
 * One writer per state directory (issue #4): a second daemon refuses to start, a dead owner's lock
 * is taken over, and concurrent `token` calls without a daemon refresh once, never with a token
 * another process already used. The lock is a listening socket taken without a child process
 * (issue #18); a dead holder's leftover is cleaned under flock(2), and a read-only directory falls
 * back to holding flock(2) (issue #13).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_SOCKET, tryLock, waitLock } from '../../src/daemon/lock.js';
import { answers } from '../../src/daemon/unix-server.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import type { State } from '../../src/pairing/state.js';
import { eventually, runCli, withDaemon } from '../support/cli.js';
import { createUser, isRoot, NOT_ROOT, spawnNodeAs, type LocalUser } from '../support/local-user.js';

const LOCK_MODULE = new URL('../../dist/src/daemon/lock.js', import.meta.url).href;

/**
 * A child process that takes the lock and sleeps. `platform` linux cleans a leftover under flock(1);
 * another platform without it. `deadTemp`: it also leaves a listening temporary name, as a process
 * killed between listening and linking does.
 */
function holder(dir: string, platform: string, deadTemp?: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const { tryLock } = await import(${JSON.stringify(LOCK_MODULE)});
    const { createServer } = await import('node:net');
    const temp = ${JSON.stringify(deadTemp ?? null)};
    if (temp !== null) await new Promise((r) => createServer().listen(temp, r));
    const lock = await tryLock(${JSON.stringify(dir)}, ${JSON.stringify(platform)});
    console.log('release' in lock ? 'held' : 'busy');
    setInterval(() => {}, 1000);
  `]);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return { child, out: () => out };
}

async function killed(child: ReturnType<typeof spawn>): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.on('exit', r));
}

describe('the state lock', () => {
  it.each(['linux', 'darwin'] as const)('(%s) is exclusive, released on request, and free the instant its holder is SIGKILLed', async (platform) => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-lock-'));
    const lock = await tryLock(dir, platform);
    expect('release' in lock).toBe(true);
    expect(await tryLock(dir, platform)).toEqual({ busy: true });
    if ('release' in lock) await lock.release();

    const other = holder(dir, platform);
    await eventually(async () => (other.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
    expect(await tryLock(dir, platform)).toEqual({ busy: true });
    // A power cut or SIGKILL leaves nothing that could block the next start (no pid that may be
    // reused): its socket refuses connections, so the next taker cleans it up at once.
    await killed(other.child);
    const taken = await tryLock(dir, platform);
    expect('release' in taken).toBe(true);
    if ('release' in taken) await taken.release();
  });

  it('two processes never hold it at once, under contention', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-contend-'));
    const log = join(dir, 'log');
    const script = `
      const { waitLock } = await import(${JSON.stringify(LOCK_MODULE)});
      const { appendFileSync } = await import('node:fs');
      for (let i = 0; i < 20; i++) {
        const lock = await waitLock(${JSON.stringify(dir)}, 30000);
        appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
        await lock.release();
      }
    `;
    const children = Array.from({ length: 6 }, () => spawn(process.execPath, ['--input-type=module', '-e', script]));
    await Promise.all(children.map((c) => new Promise((r) => c.on('exit', r))));
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6 * 20 * 2);
    // Every "in" is followed by the same process's "out": never two holders.
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]?.replace('in ', 'out ')).toBe(lines[i + 1]);
    }
  }, 60_000);
  it('is the holder\'s listening socket, reached through its hard link at agent.lock; no other name is left, and none once released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-link-'));
    const lock = await tryLock(dir);
    if (!('release' in lock)) return expect.fail('not taken');
    // The socket was bound under a temporary name, which is gone: only the link leads to it.
    expect(readdirSync(dir)).toEqual([LOCK_SOCKET]);
    expect(lstatSync(join(dir, LOCK_SOCKET)).isSocket()).toBe(true);
    expect(lstatSync(join(dir, LOCK_SOCKET)).nlink).toBe(1);
    expect(await answers(join(dir, LOCK_SOCKET))).toBe(true);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes, refuses and releases without starting a child process (issue #18); only cleaning up after a dead holder does', async () => {
    const stale = mkdtempSync(join(tmpdir(), 'pa-stale-'));
    const dead = holder(stale, 'linux');
    await eventually(async () => (dead.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
    await killed(dead.child);
    // Every way to start a process, counted: the ES module bindings follow the patched built-in.
    const childProcess = createRequire(import.meta.url)('node:child_process') as Record<string, (...args: unknown[]) => unknown>;
    const names = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
    const originals = names.map((name) => childProcess[name]!);
    const started: string[] = [];
    names.forEach((name, i) => (childProcess[name] = (...args: unknown[]) => (started.push(name), originals[i]!(...args))));
    syncBuiltinESMExports();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'pa-fast-'));
      const lock = await tryLock(dir, 'linux');
      expect('release' in lock).toBe(true);
      expect(await tryLock(dir, 'linux')).toEqual({ busy: true });
      if ('release' in lock) await lock.release();
      const waited = await waitLock(dir, 1000, 'linux');
      await waited.release();
      expect(started).toEqual([]);
      // The count is real: cleaning up a SIGKILLed holder's socket takes flock(1).
      const taken = await tryLock(stale, 'linux');
      expect('release' in taken).toBe(true);
      if ('release' in taken) await taken.release();
      expect(started).toEqual(['spawn']);
    } finally {
      names.forEach((name, i) => (childProcess[name] = originals[i]!));
      syncBuiltinESMExports();
    }
  });

  it('two processes never hold it at once while they race to clean up after dead holders', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'pa-race-'));
      const log = join(dir, 'log');
      const dead = holder(dir, 'linux');
      await eventually(async () => (dead.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
      await killed(dead.child);
      // Each one leaves its lock behind as a crash would (exit without release): every taking is a cleanup.
      const script = `
        const { waitLock } = await import(${JSON.stringify(LOCK_MODULE)});
        const { appendFileSync } = await import('node:fs');
        console.log('ready');
        await new Promise((r) => process.stdin.once('data', r));
        const lock = await waitLock(${JSON.stringify(dir)}, 30000);
        appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
        process.exit(0);
      `;
      const children = Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        return { child, out: () => out, exit: new Promise<number | null>((r) => child.on('exit', r)) };
      });
      await eventually(async () => (children.every((c) => c.out().includes('ready')) ? true : undefined), 20_000, 'the racers to be ready');
      for (const c of children) c.child.stdin.write('go\n');
      expect(await Promise.all(children.map((c) => c.exit))).toEqual(Array(6).fill(0));
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(6 * 2);
      for (let i = 0; i < lines.length; i += 2) {
        expect(lines[i]?.replace('in ', 'out ')).toBe(lines[i + 1]);
      }
    }
  }, 60_000);

  it('cleans up the temporary name a process killed while taking it left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-sweep-'));
    const leftover = `${LOCK_SOCKET}.4242-dead`;
    const dead = holder(dir, 'linux', join(dir, leftover));
    await eventually(async () => (dead.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
    expect(readdirSync(dir).sort()).toEqual([LOCK_SOCKET, leftover]);
    await killed(dead.child);
    const taken = await tryLock(dir);
    if (!('release' in taken)) return expect.fail('not taken');
    expect(readdirSync(dir)).toEqual([LOCK_SOCKET]);
    await taken.release();
  });

  it.skipIf(process.platform !== 'linux')('works in a directory whose path is longer than a socket address holds (libuv would truncate it)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pa-long-')), 'd'.repeat(100));
    mkdirSync(dir, { mode: 0o700 });
    const other = holder(dir, 'linux');
    await eventually(async () => (other.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
    expect(await tryLock(dir)).toEqual({ busy: true });
    await killed(other.child);
    const taken = await tryLock(dir);
    if (!('release' in taken)) return expect.fail('not taken');
    expect(readdirSync(dir)).toEqual([LOCK_SOCKET]);
    await taken.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

/** A read-only bind mount of `dir` on itself, as a card the kernel remounted read-only (issue #13). */
function readOnly(dir: string): () => void {
  for (const args of [['--bind', dir, dir], ['-o', 'remount,bind,ro', dir]]) {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
  }
  return () => void spawnSync('umount', [dir]);
}

describe.skipIf(!isRoot)(`the state lock in a read-only directory (issue #13; ${isRoot ? 'root: a read-only bind mount' : NOT_ROOT})`, () => {
  it('holds flock(2) instead: exclusive between processes, free when its holder is SIGKILLed, and busy while a holder from before the remount answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-rolock-'));
    const early = holder(dir, 'linux');
    const children = [early.child];
    await eventually(async () => (early.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
    const unmount = readOnly(dir);
    try {
      expect(await tryLock(dir)).toEqual({ busy: true });
      await killed(early.child);
      // Its socket cannot be removed now; it refuses, so it holds nobody off.
      const lock = await tryLock(dir);
      if (!('release' in lock)) return expect.fail('not taken');
      expect(await tryLock(dir)).toEqual({ busy: true });
      const refused = holder(dir, 'linux');
      children.push(refused.child);
      await eventually(async () => (refused.out().includes('busy') ? true : undefined), 5000, 'the child to find the lock busy');
      await lock.release();
      const next = holder(dir, 'linux');
      children.push(next.child);
      await eventually(async () => (next.out().includes('held') ? true : undefined), 5000, 'the child to hold the lock');
      expect(await tryLock(dir)).toEqual({ busy: true });
      await killed(next.child);
      const taken = await tryLock(dir);
      expect('release' in taken).toBe(true);
      if ('release' in taken) await taken.release();
      expect(readdirSync(dir)).toEqual([LOCK_SOCKET]);
    } finally {
      unmount();
      for (const child of children) await killed(child);
    }
  }, 30_000);
});

describe.skipIf(!isRoot)(`the state lock against another local user (issue #13; ${isRoot ? 'root' : NOT_ROOT})`, () => {
  let other: LocalUser;
  beforeAll(() => {
    other = createUser('pa-squat');
  });
  afterAll(() => other?.remove());

  it('cannot be squatted: another user holding every name and file it can reach does not keep the daemon from starting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-squat-'));
    chmodSync(dir, 0o755); // the config's directory is readable by all, as /etc/pairing-agent is
    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o700 });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:9/', client_id: 'device', hal: 'sim', state_dir: state, socket_path: join(dir, 'agent.sock') }));
    // What the other user can try: bind the abstract name the agent used to lock with (its names are
    // listed in /proc/net/unix, so it is predictable), and flock the state directory or a file in it.
    const abstractName = `\0pairing-agent/${createHash('sha256').update(realpathSync(state)).digest('hex').slice(0, 32)}`;
    const squatter = spawnNodeAs(other, `
      const { createServer } = await import('node:net');
      const { execFileSync } = await import('node:child_process');
      createServer().listen(${JSON.stringify(abstractName)}, () => console.log('bound abstract'));
      for (const target of [${JSON.stringify(state)}, ${JSON.stringify(join(state, 'agent.lock'))}]) {
        try { execFileSync('flock', ['-n', target, 'true'], { stdio: 'ignore' }); console.log('locked ' + target); }
        catch { console.log('refused ' + target); }
      }
      console.log('squatting');
      setInterval(() => {}, 1000);
    `);
    try {
      await eventually(async () => (squatter.out().includes('squatting') ? true : undefined), 10_000, 'the squatter to try everything');
      // Where the other user could not even open the directory, it holds nothing of ours.
      expect(squatter.out()).toContain(`refused ${state}`);
      await withDaemon(config, async (daemon) => {
        expect(daemon.log()).toMatch(/event=ready/);
        // And the lock still does its job against the agent's own user.
        const second = await runCli(['--config', config, 'run']);
        expect(second.status).toBe(1);
        expect(second.stderr).toMatch(/another pairing-agent is already running on /);
      });
    } finally {
      squatter.child.kill('SIGKILL');
    }
  }, 60_000);
});

let idp: EmbeddedIdp;
const grants: string[] = [];
beforeAll(async () => {
  idp = await startEmbeddedIdp({ ttl: { accessToken: 60 } });
  const provider = idp.provider as { on(event: string, fn: (ctx: { oidc?: { params?: { grant_type?: string } } }, error?: Error) => void): void };
  provider.on('grant.success', (ctx) => grants.push(String(ctx.oidc?.params?.grant_type)));
  provider.on('grant.error', (_ctx, error) => grants.push(`error: ${error?.message}`));
});
afterAll(async () => {
  await idp.close();
});

/**
 * A device paired through plain HTTP, its state written as an agent would have left it: `shape` turns
 * the IdP's tokens into that state. Returns the config path and the tokens.
 */
async function deviceWithState(prefix: string, shape: (tokens: { access_token: string; refresh_token: string }, now: number) => State) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, hal: 'sim', state_dir: join(dir, 'state') }));
  const tokens = await pairDirectly();
  mkdirSync(join(dir, 'state'), { mode: 0o700 });
  writeFileSync(join(dir, 'state', 'state.json'), JSON.stringify({ schema: 1, state: shape(tokens, Date.now()) }), { mode: 0o600 });
  grants.length = 0;
  return { config, tokens };
}

/** Pairs through plain HTTP and returns the token set, as a paired agent would hold it. */
async function pairDirectly(): Promise<{ access_token: string; refresh_token: string }> {
  const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  const da = (await (await fetch(`${idp.issuer}/device/auth`, form({ client_id: idp.publicClientId, scope: 'openid offline_access' }))).json()) as { device_code: string; user_code: string };
  await idp.approve(da.user_code, 'carol');
  return (await (
    await fetch(`${idp.issuer}/token`, form({ client_id: idp.publicClientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.device_code }))
  ).json()) as { access_token: string; refresh_token: string };
}

describe('one writer', () => {
  it('refuses a second daemon on the same state directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-two-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, hal: 'sim', state_dir: join(dir, 'state') }));
    await withDaemon(config, async () => {
      const second = await runCli(['--config', config, 'run']);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/another pairing-agent is already running on /);
    });
  });

  it('10 concurrent `token` calls without a daemon refresh once, with no reuse', async () => {
    // Saved a minute ago, with 5 s left: every caller wants a fresh token.
    const { config, tokens } = await deviceWithState('pa-many-', (t, now) => ({
      name: 'paired',
      tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: now - 55_000, accessExpiresAt: now + 5_000, refreshToken: t.refresh_token },
      identity: { subject: 'carol' },
      failures: 0,
      refreshAt: now,
    }));
    const results = await Promise.all(Array.from({ length: 10 }, () => runCli(['--config', config, 'token'])));
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const handed = new Set(results.map((r) => r.stdout.trimEnd()));
    expect(handed.has(tokens.access_token)).toBe(false);
    expect(handed.size).toBe(1);
    expect(grants).toEqual(['refresh_token']);
  }, 60_000);

  it('`token` without a daemon recovers a refresh a killed process left in flight', async () => {
    const { config, tokens } = await deviceWithState('pa-inflight-', (t, now) => ({
      name: 'refreshing',
      tokens: { accessToken: t.access_token, tokenType: 'Bearer', issuedAt: now - 5_000, accessExpiresAt: now + 55_000, refreshToken: t.refresh_token },
      identity: { subject: 'carol' },
      failures: 0,
    }));
    const r = await runCli(['--config', config, 'token']);
    // The access token is still good: handed out at once, and the uncertain refresh token is not
    // replayed in a hurry (it waits for its deliberate pause).
    expect(r).toMatchObject({ status: 0, stdout: `${tokens.access_token}\n` });
    expect(grants).toEqual([]);
  }, 30_000);
});
