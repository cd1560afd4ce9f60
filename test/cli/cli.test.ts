import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuiltCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-cli-'));
function configFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('pairing-agent CLI (built)', () => {
  it('prints the version from package.json', () => {
    const r = runBuiltCli(['--version']);
    expect(r).toMatchObject({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints help listing the commands and the config option', () => {
    const r = runBuiltCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: pairing-agent [--config FILE] <command>');
    expect(r.stdout).toContain('config check');
    expect(r.stdout).toContain('/etc/pairing-agent/config.json');
  });

  it('exits 2 with help when no command is given', () => {
    const r = runBuiltCli([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('Usage:');
  });

  it('rejects an unknown command and an unknown flag with exit 2', () => {
    expect(runBuiltCli(['frobnicate'])).toMatchObject({ status: 2, stderr: 'pairing-agent: unknown command "frobnicate" (see pairing-agent --help)\n' });
    // Our own one line (issue #15), no longer Node's parseArgs message.
    expect(runBuiltCli(['--frob'])).toMatchObject({ status: 2, stderr: "pairing-agent: unknown option '--frob' (see pairing-agent --help)\n" });
  });

  it('accepts a valid configuration', () => {
    const file = configFile('ok.json', { issuer: 'https://idp.example.com', client_id: 'dev-1' });
    expect(runBuiltCli(['--config', file, 'config', 'check'])).toMatchObject({
      status: 0,
      stdout: `${file}: ok (client_id dev-1, issuer https://idp.example.com, hal rpi)\n`,
    });
  });

  // Issue #2: each of these is one clear line naming the key and the file, and exit code 2.
  it.each([
    ['missing client_id', { issuer: 'https://idp.example.com' }, 'client_id: is required'],
    ['unknown key', { issuer: 'https://idp.example.com', client_id: 'x', colour: 'red' }, 'colour: unknown key'],
    ['wrong type', { issuer: 'https://idp.example.com', client_id: 'x', button_gpio: '17' }, 'button_gpio: must be an integer, got the string "17"'],
    ['http:// to a non-loopback host', { issuer: 'http://idp.example.com', client_id: 'x' }, 'issuer: must use https://'],
  ])('config error: %s → one line, exit 2', (_name, content, expected) => {
    const file = configFile(`${_name.replace(/\W+/g, '-')}.json`, content);
    const r = runBuiltCli(['--config', file, 'config', 'check']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`pairing-agent: ${file}: ${expected}`)).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('config error from the environment names the variable', () => {
    const file = configFile('env.json', { issuer: 'https://idp.example.com', client_id: 'x' });
    const r = runBuiltCli(['--config', file, 'config', 'check'], { PAIRING_AGENT_HAL: 'arduino' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('pairing-agent: environment PAIRING_AGENT_HAL: hal: must be one of "rpi", "sim", "terminal", got the string "arduino"\n');
  });

  it('takes the config path from PAIRING_AGENT_CONFIG', () => {
    const file = configFile('via-env.json', { issuer: 'https://idp.example.com', client_id: 'env-path' });
    const r = runBuiltCli(['config', 'check'], { PAIRING_AGENT_CONFIG: file });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('client_id env-path');
  });

  it('config show redacts the client secret', () => {
    const file = configFile('secret.json', { issuer: 'https://idp.example.com', client_id: 'x', client_secret: 'hunter2' });
    const r = runBuiltCli(['--config', file, 'config', 'show', '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('hunter2');
    expect(JSON.parse(r.stdout)).toMatchObject({ client_secret: '<redacted>', token_endpoint_auth_method: 'client_secret_basic' });
  });
});
