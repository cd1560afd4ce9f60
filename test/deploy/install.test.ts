/**
 * Issue #8: deploy/install.sh into a temporary root (DESTDIR, --no-npm), and the systemd unit it
 * installs scored and verified offline by systemd-analyze. Needs the built app (dist/; `npm test`
 * builds first) and systemd-analyze (systemd 252 here): without it these tests fail, never skip.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NODE = process.execPath;
const UNIT = 'etc/systemd/system/pairing-agent.service';
const DROPIN = 'etc/systemd/system/pairing-agent.service.d/sysfs-gpio.conf';
const CONFIG = 'etc/pairing-agent/config.json';
const STATE = 'var/lib/pairing-agent';
const APP = 'opt/pairing-agent';
/** Every line the installer prints starts with one of these. */
const LINE = /^(target: |checked |created |updated |unchanged |kept |skipped |chowned |removed |would |dry run)/;

let work: string;
/** A copy of the installer's inputs, so a rebuild of dist/ during the run cannot change them. */
let src: string;
/**
 * A node that answers the installer's version check without starting V8 (a node start is most of
 * an install run's time on a busy machine); anything else goes to the real node. The unit tests
 * below install with the real node.
 */
let shim: string;
let rootCount = 0;

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/pairing-agent.cjs'))) {
    throw new Error('dist/pairing-agent.cjs is missing: run "npm run build" first (npm test does)');
  }
  work = mkdtempSync(join(tmpdir(), 'pa-deploy-'));
  src = join(work, 'src');
  for (const entry of ['dist', 'deploy', 'scripts', 'package.json', 'package-lock.json']) {
    cpSync(join(REPO, entry), join(src, entry), { recursive: true });
  }
  shim = join(work, 'node');
  writeFileSync(shim, `#!/bin/sh\n[ "$*" = "-p process.versions.node" ] && exec echo ${process.versions.node}\nexec ${NODE} "$@"\n`, { mode: 0o755 });
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function newRoot(): string {
  const root = join(work, `root${++rootCount}`);
  mkdirSync(root);
  return root;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs the staged installer with DESTDIR=root (from the environment, as `make install` would). */
function install(root: string, args: string[] = [], options: { node?: string } = {}): Run {
  const r = spawnSync('bash', [join(src, 'deploy/install.sh'), '--node', options.node ?? shim, ...args], {
    env: { ...process.env, DESTDIR: root },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines };
}

function installOk(root: string, args: string[] = [], options: { node?: string } = {}): Run {
  const r = install(root, ['--no-npm', ...args], options);
  expect(r.stderr, r.stdout).toBe('');
  expect(r.status).toBe(0);
  for (const line of r.lines) expect(line).toMatch(LINE);
  return r;
}

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

/** Every path under root with its type, mode, mtime and content hash (or link target). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const key = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(path);
      const meta = `${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`;
      if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(path)} ${meta}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${meta}`;
        walk(path, key);
      } else out[key] = `file ${createHash('sha256').update(readFileSync(path)).digest('hex')} ${meta}`;
    }
  };
  walk(root, '');
  return out;
}

/**
 * The host's users and groups that the installer could create or change (its user, its groups, the
 * hardware groups). Only these lines: other test files add and remove throwaway users (the local
 * security tests run as real other users) while this file runs.
 */
const hostUsers = () =>
  ['/etc/passwd', '/etc/group']
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((line) => /^(pairing-agent|gpio|i2c):|[:,]pairing-agent(,|$)/.test(line))
    .join('\n');

const changes = (r: Run) => r.lines.filter((l) => /^(created|updated|removed|chowned|would) /.test(l));

describe('deploy/install.sh into DESTDIR', () => {
  let root: string;
  let first: Run;
  let hostUsersBefore: string;
  beforeAll(() => {
    hostUsersBefore = hostUsers();
    root = newRoot();
    first = installOk(root);
  });

  it('installs the app, the command, the config and the unit with the right modes', () => {
    const at = (p: string) => join(root, p);
    for (const f of ['dist/pairing-agent.cjs', 'package.json', 'package-lock.json']) {
      expect(readFileSync(at(`${APP}/${f}`))).toEqual(readFileSync(join(src, f)));
      expect(mode(at(`${APP}/${f}`))).toBe('0644');
    }
    expect(mode(at(`${APP}/dist`))).toBe('0755');
    // --no-npm: no dependencies; the state directory is systemd's job (StateDirectory=).
    expect(existsSync(at(`${APP}/node_modules`))).toBe(false);
    expect(existsSync(at(STATE))).toBe(false);
    expect(existsSync(at('var'))).toBe(false);

    expect(mode(at('etc/pairing-agent'))).toBe('0750');
    expect(mode(at(CONFIG))).toBe('0640');
    expect(readFileSync(at(CONFIG), 'utf8')).toBe(readFileSync(join(src, 'deploy/config.example.json'), 'utf8'));

    expect(mode(at(UNIT))).toBe('0644');
    expect(existsSync(at(DROPIN))).toBe(false);
    const unit = readFileSync(at(UNIT), 'utf8');
    expect(unit).not.toMatch(/@[A-Z]+@/);
    expect(unit).toContain(`\nExecStart=${shim} /opt/pairing-agent/dist/pairing-agent.cjs run --config /etc/pairing-agent/config.json\n`);
    expect(unit).toBe(readFileSync(join(src, 'deploy/pairing-agent.service'), 'utf8').replaceAll('@NODE@', shim).replaceAll('@PREFIX@', '/opt/pairing-agent'));

    expect(mode(at(`${APP}/bin/pairing-agent`))).toBe('0755');
    expect(readFileSync(at(`${APP}/bin/pairing-agent`), 'utf8')).toBe(
      `#!/bin/sh\n# The pairing-agent command, installed by deploy/install.sh: the node the service runs.\nexec ${shim} /opt/pairing-agent/dist/pairing-agent.cjs "$@"\n`,
    );
    expect(lstatSync(at('usr/local/bin/pairing-agent')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('usr/local/bin/pairing-agent'))).toBe('/opt/pairing-agent/bin/pairing-agent');
  });

  it('copies only what runs on the device: none of dist/dev or dist/testing (issue #14 item 2)', () => {
    // The staged build has them (npm run build makes dist/testing, vitest's global setup dist/dev).
    for (const dir of ['dist/dev/idp', 'dist/dev/demo', 'dist/testing']) expect(existsSync(join(src, dir)), dir).toBe(true);
    const installed = Object.keys(snapshot(join(root, APP)));
    expect(installed).toContain('dist/src/cli/main.js');
    const devOnly = /^dist\/(dev|testing)(\/|$)|^dist\/(src|hal)\/(idp|demo|testing)\/|memory-store|quiet\./;
    expect(installed.filter((path) => devOnly.test(path))).toEqual([]);
    // And it counts what it copies: the code cache is not copied but made here, for the service's node.
    const copied = installed.filter((path) => path.startsWith('dist/') && !path.startsWith('dist/v8-cache/') && statSync(join(root, APP, path)).isFile());
    expect(first.lines).toContain(`created ${root}/${APP}/dist/ (${copied.length} files)`);
    expect(first.lines).toContain(`created ${root}/${APP}/dist/v8-cache/ (V8 code cache for node ${process.versions.node})`);
  });

  it("makes the command's code cache with the service's node, which V8 then takes (issue #18)", () => {
    const caches = Object.keys(snapshot(join(root, APP))).filter((path) => path.startsWith('dist/v8-cache/'));
    expect(caches.filter((path) => path.endsWith('.bin')).map((path) => path.replace(/\.[0-9a-f]{16}\.bin$/, ''))).toEqual(
      expect.arrayContaining(['dist/v8-cache/pairing-agent-cli.cjs', 'dist/v8-cache/pairing-agent-daemon.cjs']),
    );
    for (const path of caches) expect(mode(join(root, APP, path)), path).toBe('0644');
    const report = join(work, 'report.cjs');
    writeFileSync(report, "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(globalThis[Symbol.for('pairing-agent.load')].loaded.map((l) => l.rejected)) + '\\n'));");
    const r = spawnSync(NODE, ['-r', report, join(root, APP, 'dist/pairing-agent.cjs'), '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.stderr).toContain('LOADED [false]');
  });

  it('leaves the real system alone and says so, one line per action', () => {
    expect(first.lines).toContain(`target: DESTDIR ${root}`);
    expect(first.lines.find((l) => l.startsWith('skipped user pairing-agent: DESTDIR is set'))).toContain('useradd --system --user-group');
    expect(first.lines).toContain('skipped systemctl enable --now pairing-agent: DESTDIR is set (run it on the target)');
    expect(first.lines).toContain(`skipped npm ci --omit=dev in ${root}/${APP} (--no-npm)`);
    expect(first.lines).toContain(`created ${root}/${UNIT} (mode 0644)`);
    // Every path it reports is inside DESTDIR, and the system's users are as they were.
    for (const line of changes(first)) expect(line).toContain(root);
    expect(hostUsers()).toEqual(hostUsersBefore);
  });

  it('installs an app that runs: the version and a config check from the installed tree', () => {
    const main = join(root, APP, 'dist/pairing-agent.cjs');
    const version = spawnSync(NODE, [main, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')) as { version: string }).version);
    const check = spawnSync(NODE, [main, '--config', join(root, CONFIG), 'config', 'check'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it('is idempotent: a second run changes nothing and says so', () => {
    const before = snapshot(root);
    const again = installOk(root);
    expect(changes(again)).toEqual([]);
    expect(again.lines).toContain(`unchanged ${root}/${UNIT}`);
    expect(again.lines).toContain(`kept ${root}/${CONFIG} (an existing configuration is never overwritten)`);
    expect(snapshot(root)).toEqual(before);
  });

  it('never overwrites an edited config, and repairs what it owns', () => {
    const edited = '{ "client_id": "kitchen-display", "issuer": "https://id.example.org" }\n';
    writeFileSync(join(root, CONFIG), edited);
    writeFileSync(join(root, UNIT), 'tampered\n');
    chmodSync(join(root, `${APP}/package.json`), 0o600);
    const r = installOk(root);
    expect(readFileSync(join(root, CONFIG), 'utf8')).toBe(edited);
    expect(mode(join(root, CONFIG))).toBe('0640');
    expect(changes(r)).toEqual([`updated ${root}/${APP}/package.json (mode 0644)`, `updated ${root}/${UNIT} (mode 0644)`]);
    expect(readFileSync(join(root, UNIT), 'utf8')).toContain('ExecStart=');
    expect(mode(join(root, `${APP}/package.json`))).toBe('0644');
  });

  it('--dry-run changes nothing', () => {
    const before = snapshot(root);
    const r = installOk(root, ['--dry-run', '--sysfs-gpio']);
    expect(r.lines[0]).toBe('dry run: nothing is changed');
    expect(r.lines).toContain(`would create ${root}/${DROPIN} (mode 0644)`);
    const u = installOk(root, ['--dry-run', '--uninstall', '--purge']);
    expect(u.lines).toContain(`would remove ${root}/${UNIT}`);
    expect(u.lines).toContain(`would remove ${root}/etc/pairing-agent`);
    expect(snapshot(root)).toEqual(before);
    const empty = newRoot();
    installOk(empty, ['--dry-run']);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('deploy/install.sh --sysfs-gpio', () => {
  it('adds the drop-in, keeps it on a plain rerun, removes it with --no-sysfs-gpio', () => {
    const root = newRoot();
    installOk(root, ['--sysfs-gpio']);
    expect(readFileSync(join(root, DROPIN), 'utf8')).toBe(readFileSync(join(src, 'deploy/sysfs-gpio.conf'), 'utf8'));
    expect(mode(join(root, DROPIN))).toBe('0644');
    expect(changes(installOk(root))).toEqual([]);
    expect(existsSync(join(root, DROPIN))).toBe(true);
    const r = installOk(root, ['--no-sysfs-gpio']);
    expect(changes(r)).toEqual([`removed ${root}/${DROPIN}`, `removed ${root}/${DROPIN.replace('/sysfs-gpio.conf', '')}/`]);
    expect(existsSync(join(root, 'etc/systemd/system/pairing-agent.service.d'))).toBe(false);
  });
});

describe('deploy/install.sh --uninstall', () => {
  let template: string;
  beforeAll(() => {
    template = newRoot();
    installOk(template, ['--sysfs-gpio']);
    // What systemd and the agent would have made by now.
    mkdirSync(join(template, STATE), { recursive: true, mode: 0o700 });
    writeFileSync(join(template, STATE, 'state.json'), '{"refresh_token":"x"}', { mode: 0o600 });
  });
  /** A copy of one installed tree: cheaper than installing again. */
  function installedWithTokens(): string {
    const root = join(work, `root${++rootCount}`);
    cpSync(template, root, { recursive: true, verbatimSymlinks: true });
    return root;
  }

  it('removes the app, the command and the unit, keeps the config and the tokens', () => {
    const root = installedWithTokens();
    const r = installOk(root, ['--uninstall']);
    for (const gone of [APP, UNIT, DROPIN, 'usr/local/bin/pairing-agent']) expect(existsSync(join(root, gone)), gone).toBe(false);
    expect(existsSync(join(root, 'opt'))).toBe(true);
    expect(readFileSync(join(root, STATE, 'state.json'), 'utf8')).toContain('refresh_token');
    expect(existsSync(join(root, CONFIG))).toBe(true);
    expect(r.lines).toContain(`kept ${root}/${CONFIG} (--purge removes it)`);
    expect(r.lines).toContain(`kept ${root}/${STATE} (tokens; --wipe-tokens or --purge removes them)`);
    // Uninstalling twice is fine.
    expect(changes(installOk(root, ['--uninstall']))).toEqual([]);
  });

  it('--wipe-tokens also deletes the tokens, --purge the config too', () => {
    const root = installedWithTokens();
    const w = installOk(root, ['--uninstall', '--wipe-tokens']);
    expect(w.lines).toContain(`removed ${root}/${STATE} (tokens and pairing state; not revoked at the identity provider)`);
    expect(existsSync(join(root, STATE))).toBe(false);
    expect(existsSync(join(root, CONFIG))).toBe(true);

    const p = installedWithTokens();
    installOk(p, ['--uninstall', '--purge']);
    expect(existsSync(join(p, STATE))).toBe(false);
    expect(existsSync(join(p, 'etc/pairing-agent'))).toBe(false);
  });

  it('does not delete a prefix it did not install', () => {
    const root = newRoot();
    mkdirSync(join(root, 'srv/other'), { recursive: true });
    writeFileSync(join(root, 'srv/other/package.json'), '{"name": "other"}');
    const r = install(root, ['--uninstall', '--prefix', '/srv/other']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('has no pairing-agent package.json: not removing it');
    expect(existsSync(join(root, 'srv/other/package.json'))).toBe(true);
  });
});

describe.runIf(process.getuid?.() === 0)('deploy/install.sh --create-user (root: useradd --root)', () => {
  it('creates the user and groups inside DESTDIR only, and owns the config root:pairing-agent', () => {
    const hostUsersBefore = hostUsers();
    const root = newRoot();
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\ngpio:x:997:\n');
    writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
    writeFileSync(join(root, 'etc/gshadow'), 'root:*::\ngpio:!::\n', { mode: 0o640 });
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/sbin/nologin'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const r = installOk(root, ['--create-user']);
    expect(r.lines).toContain('created group i2c (no such group here: Raspberry Pi OS\'s udev rules give /dev/i2c-* to it, other systems need a rule)');
    expect(r.lines).toContain('created user pairing-agent (system user, groups gpio,i2c, no login)');
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
    expect(passwd).toMatch(/^pairing-agent:x:\d+:\d+:pairing-agent daemon:\/var\/lib\/pairing-agent:\/usr\/sbin\/nologin$/m);
    const group = readFileSync(join(root, 'etc/group'), 'utf8');
    expect(group).toMatch(/^gpio:x:997:pairing-agent$/m);
    expect(group).toMatch(/^i2c:x:\d+:pairing-agent$/m);
    const gid = Number(/^pairing-agent:x:(\d+):/m.exec(group)?.[1]);
    expect(statSync(join(root, CONFIG))).toMatchObject({ uid: 0, gid });
    expect(statSync(join(root, 'etc/pairing-agent'))).toMatchObject({ uid: 0, gid });
    expect(hostUsers()).toEqual(hostUsersBefore);
    expect(changes(installOk(root, ['--create-user']))).toEqual([]);

    const u = installOk(root, ['--uninstall', '--purge', '--create-user']);
    expect(u.lines).toContain('removed user pairing-agent');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).not.toContain('pairing-agent');
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).not.toMatch(/^pairing-agent:/m);
  });
});

describe('deploy/install.sh checks', () => {
  function fakeNode(version: string): string {
    const path = join(work, `node-${version}`);
    writeFileSync(path, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
    return path;
  }

  it('refuses Node older than 20.19 with a clear message', () => {
    for (const v of ['20.18.3']) {
      const r = install(newRoot(), ['--no-npm'], { node: fakeNode(v) });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`install.sh: error: Node.js ${v} at ${join(work, `node-${v}`)} is too old: pairing-agent needs Node.js 20.19 or newer`);
    }
    for (const v of ['20.19.0']) {
      const r = install(newRoot(), ['--no-npm', '--dry-run'], { node: fakeNode(v) });
      expect(r.status, r.stderr).toBe(0);
      expect(r.lines).toContain(`checked node ${join(work, `node-${v}`)} (v${v})`);
    }
  });

  it('rejects bad options and paths, and prints help', () => {
    const bad = (args: string[], message: string) => {
      const r = install(newRoot(), ['--no-npm', ...args]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(message);
    };
    bad(['--frobnicate'], 'unknown option --frobnicate');
    bad(['--prefix', 'opt/x'], '--prefix must be an absolute path');
    bad(['--prefix', '/opt/my app'], '--prefix may contain only');
    bad(['--prefix', '/usr'], '--prefix must be a directory of its own');
    bad(['--wipe-tokens'], '--wipe-tokens and --purge go with --uninstall');
    bad(['--node', '/nonexistent/node'], '--node /nonexistent/node is not an executable file');
    const help = spawnSync('bash', [join(src, 'deploy/install.sh'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: deploy/install.sh [options]');
  });

  it('fails clearly when the app is not built', () => {
    const bare = join(work, 'unbuilt');
    cpSync(join(src, 'deploy'), join(bare, 'deploy'), { recursive: true });
    const r = spawnSync('bash', [join(bare, 'deploy/install.sh'), '--no-npm'], { env: { ...process.env, DESTDIR: newRoot() }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bare}/dist/pairing-agent.cjs is missing: run "npm ci && npm run build" in ${bare} first`);
  });
});

describe('the systemd unit, offline (systemd-analyze)', () => {
  let analyze: string;
  let root: string;
  beforeAll(() => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (which.status !== 0) {
      throw new Error('systemd-analyze is not installed: these tests need it (Debian: apt-get install systemd); they do not skip');
    }
    analyze = which.stdout.trim();
    root = newRoot();
    const r = installOk(root, [], { node: NODE });
    expect(r.lines).toContain(`checked node ${NODE} (v${process.versions.node})`);
  });

  const security = (unit: string) => {
    // The C locale pins the glyphs: "+" passed, "-" failed (UTF-8 terminals get ✓ and ✗).
    const r = spawnSync(analyze, ['security', '--offline=true', '--no-pager', unit], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0' } });
    expect(r.status, r.stderr).toBe(0);
    const m = /Overall exposure level for pairing-agent\.service: (\d+\.\d+) (\w+)/.exec(r.stdout);
    if (!m) throw new Error(`no overall exposure in systemd-analyze security's output:\n${r.stdout}${r.stderr}`);
    return { score: Number(m[1]), verdict: m[2], table: r.stdout };
  };
  const verify = (unit: string) => {
    const r = spawnSync(analyze, ['verify', '--man=false', unit], { encoding: 'utf8' });
    // verify exits 0 even for unknown keys; clean means no output at all.
    return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
  };

  it('scores 2.0 or lower (character-device GPIO, the default unit)', () => {
    const { score, table } = security(join(root, UNIT));
    expect(score, table).toBeLessThanOrEqual(2.0);
    expect(table).toMatch(/^\+ ProtectKernelTunables=/m);
  });

  it('is clean for systemd-analyze verify', () => {
    expect(verify(join(root, UNIT))).toEqual({ status: 0, output: '' });
  });

  it('verify would catch a wrong ExecStart or an unknown key', () => {
    const broken = join(work, 'broken.service');
    writeFileSync(broken, readFileSync(join(root, UNIT), 'utf8').replace(`ExecStart=${NODE}`, 'ExecStart=/nonexistent/node').replace('UMask=0077', 'UMask=0077\nProtectKernelTunabels=yes'));
    const r = verify(broken);
    expect(r.output).toContain('Command /nonexistent/node is not executable');
    expect(r.output).toContain("Unknown key 'ProtectKernelTunabels'");
  });

  it('keeps the hardware reachable: I2C and GPIO devices, the JIT, the groups', () => {
    const unit = readFileSync(join(root, UNIT), 'utf8');
    for (const line of [
      'DevicePolicy=closed',
      'DeviceAllow=char-i2c rw',
      'DeviceAllow=char-gpiochip rw',
      'SupplementaryGroups=gpio i2c',
      'User=pairing-agent',
      'StateDirectory=pairing-agent',
      'StateDirectoryMode=0700',
      'RuntimeDirectory=pairing-agent',
      'Type=notify',
      'ProtectKernelTunables=yes',
    ]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(unit).toMatch(/\nWatchdogSec=\d+s\n/);
    expect(unit).toMatch(/\nRestart=on-failure\n[^]*\nStartLimitBurst=\d+\n|\nStartLimitBurst=\d+\n[^]*\nRestart=on-failure\n/);
    // A READY=1 or WATCHDOG=1 sent by a child process (the systemd-notify tool) needs NotifyAccess=all;
    // once the daemon sends from its own pid, main is tighter (and scores 0.2 better).
    const viaTool = readFileSync(join(REPO, 'src/daemon/sd-notify.ts'), 'utf8').includes("execFile('systemd-notify'");
    expect(unit).toContain(viaTool ? '\nNotifyAccess=all\n' : '\nNotifyAccess=main\n');
    expect(unit).not.toMatch(/^PrivateDevices=yes/m);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it('with the sysfs-gpio drop-in: /sys writable, still 2.0 or lower, verify clean', () => {
    const sysfs = newRoot();
    installOk(sysfs, ['--sysfs-gpio'], { node: NODE });
    const { score, table } = security(join(sysfs, UNIT));
    // The analyzer reads the drop-in beside the unit: it sees ProtectKernelTunables=no.
    expect(table).toMatch(/^- ProtectKernelTunables=/m);
    expect(score, table).toBeLessThanOrEqual(2.0);
    expect(verify(join(sysfs, UNIT))).toEqual({ status: 0, output: '' });
  });
});
