/**
 * The CLI as a newcomer meets it (issue #15): global options before or after the command, help for
 * every command, one-line errors without stack traces, `sim screen --png -`. The built CLI, in a child.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { CLI, eventually, runBuiltCli, runCli, spawnDaemon } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-usage-'));
const config = join(dir, 'config.json');
// Nothing listens on port 1 of the loopback: the daemon starts offline, which is all `sim` needs.
writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:1', client_id: 'dev-1', hal: 'sim', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock') }));

const oneLine = (text: string) => text.trimEnd().split('\n').length === 1 && text.endsWith('\n');

describe('global options anywhere (issue #15 item 1)', () => {
  it.each([
    ['before the command', ['--config', config, 'config', 'check']],
    ['after the command', ['config', 'check', '--config', config]],
    ['short, after the command', ['config', 'check', '-c', config]],
    ['with =, between the words', ['config', `--config=${config}`, 'check']],
  ])('--config %s', (_where, args) => {
    expect(runBuiltCli(args)).toMatchObject({ status: 0, stdout: `${config}: ok (client_id dev-1, issuer http://127.0.0.1:1, hal sim)\n`, stderr: '' });
  });

  it('status --json --config FILE, as issue #7 spells it', () => {
    const r = runBuiltCli(['status', '--json', '--config', config]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ state: 'unpaired', daemon: false });
  });

  it('-V after a command prints the version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(runBuiltCli(['status', '-V'])).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
  });
});

describe('help for every command (issue #15 item 2)', () => {
  it.each(Object.keys(COMMANDS))("%s: --help, -h and help <command> print usage, options and an example, exit 0", (name) => {
    const long = runBuiltCli([name, '--help']);
    expect(long.status).toBe(0);
    expect(long.stderr).toBe('');
    expect(long.stdout).toMatch(new RegExp(`^Usage: pairing-agent ${name}`));
    expect(long.stdout).toContain('-c, --config FILE');
    expect(long.stdout).toMatch(new RegExp(`Examples?:\\n  .*pairing-agent ${name}`));
    expect(long.stdout.split('\n').every((line) => line.length <= 80)).toBe(true);
    expect(runBuiltCli([name, '-h']).stdout).toBe(long.stdout);
    expect(runBuiltCli(['help', name]).stdout).toBe(long.stdout);
    expect(runBuiltCli(['--config', config, name, '--help']).stdout).toBe(long.stdout);
  });

  it('the overview fits 80 columns and points to per-command help', () => {
    const r = runBuiltCli(['help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pairing-agent help <command>');
    expect(r.stdout.split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('sim --help lists its options', () => {
    const r = runBuiltCli(['sim', '--help']);
    expect(r.stdout).toMatch(/--png FILE +screen: where to save the screen as PNG \("-" for stdout\)/);
    expect(r.stdout).toMatch(/--long +press: a long press/);
  });

  it.each([['config'], ['sim']])('"%s" alone prints its usage on stdout (no file is read)', (name) => {
    const r = runBuiltCli([name], { PAIRING_AGENT_CONFIG: join(dir, 'missing.json') });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Usage: pairing-agent ${name} `));
  });

  it.each([
    [['status', '--frob'], "pairing-agent status: unknown option '--frob' (see pairing-agent status --help)\n"],
    [['sim', 'press', '--lnog'], "pairing-agent sim: unknown option '--lnog' (see pairing-agent sim --help)\n"],
    [['status', '--config'], "pairing-agent status: option '--config' needs a value (see pairing-agent status --help)\n"],
    [['token', '--json'], "pairing-agent token: unknown option '--json' (see pairing-agent token --help)\n"],
    [['token', 'now'], 'pairing-agent token: unexpected argument "now" (see pairing-agent token --help)\n'],
    [['sim', 'jump'], 'pairing-agent sim: unknown action "jump": use "sim press [--long]", "sim screen --png FILE|- | --text" or "sim qr"\n'],
    [['help', 'frobnicate'], 'pairing-agent: unknown command "frobnicate" (see pairing-agent --help)\n'],
    [['--frob'], "pairing-agent: unknown option '--frob' (see pairing-agent --help)\n"],
  ])('%j → our own one line naming the command, exit 2', (args, message) => {
    expect(runBuiltCli(args)).toMatchObject({ status: 2, stdout: '', stderr: message });
  });
});

describe('no stack traces (issue #15 item 3)', () => {
  let daemon: ReturnType<typeof spawnDaemon> | undefined;
  beforeAll(async () => {
    daemon = spawnDaemon(config);
    await eventually(async () => ((await runCli(['status', '--json', '-c', config])).stdout.includes('"daemon": true') ? true : undefined), 15_000, 'the daemon');
  });
  afterAll(() => {
    daemon?.child.kill('SIGTERM');
  });

  it('a PNG path in a missing directory is one line; --debug and PAIRING_AGENT_DEBUG=1 add the stack', async () => {
    const args = ['sim', 'screen', '--png', '/nonexistent/dir/x.png', '-c', config];
    const plain = await runCli(args);
    expect(plain).toMatchObject({ status: 1, stdout: '', stderr: 'pairing-agent: cannot open /nonexistent/dir/x.png: no such file or directory\n' });
    for (const debug of [await runCli([...args, '--debug']), await runCli(args, { PAIRING_AGENT_DEBUG: '1' })]) {
      expect(debug.stderr).toMatch(/^pairing-agent: cannot open \/nonexistent\/dir\/x.png: no such file or directory\n/);
      expect(debug.stderr).toMatch(/\n +at /);
    }
  });

  it('a configuration error stays one line, with the stack only under --debug', () => {
    const r = runBuiltCli(['status', '-c', join(dir, 'missing.json')]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(runBuiltCli(['status', '-c', join(dir, 'missing.json'), '--debug']).stderr).toMatch(/\n +at /);
  });

  it('POST /token answers 405 with Allow: GET (issue #15 item 9); control paths stay unknown on the token socket', async () => {
    const ask = (method: string, path: string) =>
      new Promise<{ status: number | undefined; allow: string | undefined }>((resolve, reject) => {
        const req = request({ socketPath: join(dir, 'agent.sock'), method, path }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, allow: res.headers.allow }));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await ask('POST', '/token')).toEqual({ status: 405, allow: 'GET' });
    expect(await ask('DELETE', '/status')).toEqual({ status: 405, allow: 'GET' });
    expect(await ask('GET', '/token')).toMatchObject({ status: 409 });
    expect(await ask('GET', '/press')).toEqual({ status: 404, allow: undefined });
  });

  it('--png - writes the PNG to stdout, the same bytes as --png FILE', async () => {
    const file = join(dir, 'screen.png');
    expect((await runCli(['sim', 'screen', '--png', file, '-c', config])).status).toBe(0);
    const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: Buffer; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'sim', 'screen', '--png', '-', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => resolve({ status: code, stdout: Buffer.concat(out), stderr: err }));
    });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const png = PNG.sync.read(stdout);
    expect([png.width, png.height]).toEqual([128, 64]);
    expect(stdout.equals(readFileSync(file))).toBe(true);
  });
});

describe('running the CLI from a clone (issue #15 item 5)', () => {
  it('the built bin file is executable and runs by its shebang', () => {
    expect(statSync(CLI).mode & 0o111).toBe(0o111);
    const r = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
