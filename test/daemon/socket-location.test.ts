/**
 * The token socket is where the README says, and reachable by whom it says (issue #13 item 7): apps
 * in the agent's group, not other users; outside the 0700 state directory when there is a runtime
 * directory; its path in the `ready` log line and in the daemon's `status --json`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { callDaemon } from '../../src/daemon/client.js';
import { CLI, eventually } from '../support/cli.js';
import { createUser, isRoot, NOT_ROOT, runNodeAs, type LocalUser } from '../support/local-user.js';

describe('the default socket path', () => {
  const file = { issuer: 'https://idp.example.com', client_id: 'dev' };
  it('is systemd\'s runtime directory, else /run/pairing-agent for the default state directory: outside the 0700 state directory either way', () => {
    expect(validateConfig({ file, path: '/etc/pairing-agent/config.json', env: { RUNTIME_DIRECTORY: '/run/x' } }).socket_path).toBe('/run/x/agent.sock');
    expect(validateConfig({ file, path: '/etc/pairing-agent/config.json', env: {} }).socket_path).toBe('/run/pairing-agent/agent.sock');
    expect(validateConfig({ file, path: '/etc/pairing-agent/config.json', env: {} }).state_dir).toBe('/var/lib/pairing-agent');
  });
});

describe.skipIf(!isRoot)(`who reaches the token socket (${isRoot ? 'root' : NOT_ROOT})`, () => {
  let agentUser: LocalUser;
  let app: LocalUser;
  let outsider: LocalUser;
  beforeAll(() => {
    agentUser = createUser('pa-agent');
    app = createUser('pa-app');
    outsider = createUser('pa-out');
    // The app is a member of the agent's group, as install.sh documents for the device's apps.
    const added = spawnSync('usermod', ['-a', '-G', agentUser.name, app.name], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(added.stderr);
  });
  afterAll(() => {
    for (const u of [app, outsider, agentUser]) u?.remove();
  });

  it('apps in the agent\'s group reach it even under UMask=0077, other users do not; the path is logged and in status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-sockdir-'));
    chmodSync(dir, 0o755);
    // Where the runtime directory gets made: the agent's to write, as /run is root's for systemd.
    chownSync(dir, agentUser.uid, agentUser.gid);
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    chownSync(stateDir, agentUser.uid, agentUser.gid);
    const socket = join(dir, 'run', 'agent.sock');
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:9', client_id: 'dev', hal: 'sim', state_dir: stateDir, socket_path: socket }));
    // As systemd runs it: the agent's own user and group, UMask=0077.
    const child = spawn('/bin/sh', ['-c', 'umask 077; exec "$0" "$@"', process.execPath, CLI, '--config', config, 'run'], { uid: agentUser.uid, gid: agentUser.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await eventually(async () => (/event=ready/.test(log) ? true : child.exitCode !== null ? expect.fail(log) : undefined), 15_000, 'the daemon');
      expect(log).toContain(`event=ready state=unpaired socket=${socket}`);
      expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o750);
      const ask = (who: LocalUser) =>
        runNodeAs(who, `
          const { request } = await import('node:http');
          const req = request({ socketPath: ${JSON.stringify(socket)}, path: '/status' }, (res) => { console.log('status ' + res.statusCode); res.resume(); });
          req.on('error', (e) => console.log('error ' + e.code));
          req.end();
        `);
      expect((await ask(app)).stdout.trim()).toBe('status 200');
      expect((await ask(outsider)).stdout.trim()).toBe('error EACCES');
      const status = await callDaemon(socket, 'GET', '/status', 5_000);
      expect(status?.json()).toMatchObject({ state: 'unpaired', socket, daemon: true });
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.on('exit', r));
      }
    }
  }, 40_000);
});
