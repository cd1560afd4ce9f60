/**
 * A real second user on this machine, for the local-attacker tests of issue #13: another account on
 * the device (an app's user, a guest) that tries to block, redirect or spoof the agent. Created with
 * useradd, so these tests need root; they are skipped with a message otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { finished, output, type ChildResult } from './child.js';

export const isRoot = process.getuid?.() === 0;
export const NOT_ROOT = 'needs root (useradd, setuid children): skipped';

export interface LocalUser {
  name: string;
  uid: number;
  gid: number;
  remove(): void;
}

export function createUser(prefix = 'pa-other'): LocalUser {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const added = spawnSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`useradd ${name}: ${added.stderr}`);
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { name, uid: id('-u'), gid: id('-g'), remove: () => void spawnSync('userdel', [name]) };
}

/**
 * node as `user` with all of its groups: through setpriv(1) --init-groups, because Node's own `uid`
 * and `gid` options drop the supplementary groups (libuv calls setgroups(0)).
 */
function spawnNode(user: LocalUser, script: string) {
  const as = ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups'];
  return spawn('setpriv', [...as, process.execPath, '--input-type=module', '-e', script], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs an ES module snippet with node as `user`; resolves with its exit code and output. */
export function runNodeAs(user: LocalUser, script: string, timeoutMs = 20_000): Promise<ChildResult> {
  return finished(spawnNode(user, script), `script as ${user.name}`, timeoutMs);
}

/** Starts a long-running node snippet as `user` (a squatter holding something open). */
export function spawnNodeAs(user: LocalUser, script: string) {
  const child = spawnNode(user, script);
  return { child, out: output(child) };
}
