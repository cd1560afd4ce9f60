/**
 * One writer per state directory (issue #4): a second daemon refuses to start, a dead owner's lock
 * is taken over, and concurrent `token` calls without a daemon refresh once, never with a token
 * another process already used.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryLock } from '../../src/daemon/lock.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import type { State } from '../../src/pairing/state.js';
import { eventually, runCli, withDaemon } from '../support/cli.js';
import { createUser, isRoot, NOT_ROOT, spawnNodeAs, type LocalUser } from '../support/local-user.js';

const LOCK_MODULE = new URL('../../dist/src/daemon/lock.js', import.meta.url).href;

/** A child process that takes the lock (Linux: abstract socket; or the socket-file fallback) and sleeps. */
function holder(dir: string, platform: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const { tryLock } = await import(${JSON.stringify(LOCK_MODULE)});
    const lock = await tryLock(${JSON.stringify(dir)}, ${JSON.stringify(platform)});
    console.log('release' in lock ? 'held' : 'busy');
    setInterval(() => {}, 1000);
  `]);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return { child, out: () => out };
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
    // A power cut or SIGKILL leaves nothing behind that could block the next start (a reused pid, a
    // stale file): the lock is free at once.
    other.child.kill('SIGKILL');
    await new Promise((r) => other.child.on('exit', r));
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
