import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';

const PATH = '/etc/pairing-agent/config.json';
const base = { issuer: 'https://idp.example.com', client_id: 'device-1' };

function problem(file: unknown, env: Record<string, string> = {}): string {
  try {
    validateConfig({ file, path: PATH, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('validateConfig', () => {
  it('fills defaults for a minimal config', () => {
    const config = validateConfig({ file: base, path: PATH, env: {} });
    expect(config).toMatchObject({
      issuer: 'https://idp.example.com',
      client_id: 'device-1',
      scope: 'openid profile offline_access',
      token_endpoint_auth_method: 'none',
      state_dir: '/var/lib/pairing-agent',
      hal: 'rpi',
      long_press_ms: 5000,
      display_height: 64,
    });
  });

  it.each([
    ['a missing client_id', { issuer: 'https://idp.example.com' }, `${PATH}: client_id: is required`],
    ['an unknown key', { ...base, colour: 'red' }, `${PATH}: colour: unknown key (known keys: issuer,`],
    ['a mistyped key', { ...base, client_secert: 'x' }, `${PATH}: client_secert: unknown key: did you mean "client_secret"?`],
    ['a number where a string belongs', { ...base, client_id: 42 }, `${PATH}: client_id: must be a string, got number 42`],
    ['a string where a boolean belongs', { ...base, auto_pair: 'yes' }, `${PATH}: auto_pair: must be true or false, got the string "yes"`],
    ['an integer out of range', { ...base, long_press_ms: 10 }, `${PATH}: long_press_ms: must be between 500 and 60000, got 10`],
    ['a value outside an enum', { ...base, hal: 'arduino' }, `${PATH}: hal: must be one of "rpi", "sim", "terminal", got the string "arduino"`],
    ['http:// to a remote host', { ...base, issuer: 'http://idp.example.com' }, `${PATH}: issuer: must use https:// (http:// is allowed only for loopback hosts), got http://idp.example.com`],
    ['http:// token endpoint to a private address', { ...base, token_endpoint: 'http://192.168.1.5/token' }, `${PATH}: token_endpoint: must use https://`],
    ['an issuer with a password in it (never echoed)', { ...base, issuer: 'https://device:s3cret@idp.example.com' }, `${PATH}: issuer: must not contain a user name or password (put the secret in client_secret)`],
    ['a javascript: URL', { ...base, userinfo_endpoint: 'javascript:alert(1)' }, `${PATH}: userinfo_endpoint: must be an https:// URL, got javascript:`],
    ['a relative URL', { ...base, issuer: '/realms/core' }, `${PATH}: issuer: is not a valid absolute URL`],
    ['no issuer and no token endpoint', { client_id: 'x', device_authorization_endpoint: 'https://a.example/device' }, `${PATH}: token_endpoint: is required when "issuer" is not set`],
    ['a secret with method none', { ...base, client_secret: 's', token_endpoint_auth_method: 'none' }, `${PATH}: token_endpoint_auth_method: is "none" but client_secret is set`],
    ['a secret-based method without a secret', { ...base, token_endpoint_auth_method: 'client_secret_post' }, `${PATH}: client_secret: is required when token_endpoint_auth_method is "client_secret_post"`],
    ['extra_params with a non-string value', { ...base, extra_params: { prompt: 1 } }, `${PATH}: extra_params: .prompt must be a string, got a number`],
    ['an array instead of an object', [base], `${PATH}: must contain a JSON object`],
    ['an empty client_id', { ...base, client_id: '  ' }, `${PATH}: client_id: must not be empty`],
  ])('rejects %s with one line naming the key and the file', (_name, file, expected) => {
    const message = problem(file);
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('never echoes a secret value in an error, only its type', () => {
    expect(problem({ ...base, client_secret: 12345678901234 })).toBe(`${PATH}: client_secret: must be a string, got a number`);
    expect(problem({ ...base, extra_params: { api_key: 987654321 } })).toBe(`${PATH}: extra_params: .api_key must be a string, got a number`);
  });

  it('does not take *.localhost for loopback (the DNS server might answer it)', () => {
    expect(problem({ ...base, issuer: 'http://idp.localhost:8080' })).toMatch(/issuer: must use https:\/\//);
  });

  it('accepts http:// on loopback addresses only', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:3000/realms/x', 'http://[::1]:9000', 'http://127.3.4.5']) {
      expect(validateConfig({ file: { ...base, issuer }, path: PATH, env: {} }).issuer).toBe(issuer);
    }
  });

  it('defaults to client_secret_basic when a secret is configured', () => {
    const config = validateConfig({ file: { ...base, client_secret: 's3cret' }, path: PATH, env: {} });
    expect(config.token_endpoint_auth_method).toBe('client_secret_basic');
  });

  it('applies environment overrides over the file, typed by the key', () => {
    const config = validateConfig({
      file: base,
      path: PATH,
      env: {
        PAIRING_AGENT_CLIENT_ID: 'from-env',
        PAIRING_AGENT_AUTO_PAIR: 'true',
        PAIRING_AGENT_LONG_PRESS_MS: '3000',
        PAIRING_AGENT_I2C_ADDRESS: '0x3d',
        PAIRING_AGENT_DISPLAY_HEIGHT: '32',
        PAIRING_AGENT_EXTRA_PARAMS: '{"prompt":"consent"}',
      },
    });
    expect(config).toMatchObject({
      client_id: 'from-env',
      auto_pair: true,
      long_press_ms: 3000,
      i2c_address: 0x3d,
      display_height: 32,
      extra_params: { prompt: 'consent' },
    });
  });

  it('names the environment variable when an override is wrong', () => {
    expect(problem(base, { PAIRING_AGENT_LONG_PRESS_MS: 'soon' })).toBe(
      'environment PAIRING_AGENT_LONG_PRESS_MS: long_press_ms: must be an integer, got the string "soon"',
    );
    expect(problem(base, { PAIRING_AGENT_COLOUR: 'red' })).toMatch(/^environment PAIRING_AGENT_COLOUR: colour: unknown key/);
  });

  it('takes state_dir from systemd STATE_DIRECTORY, and resolves a relative one against the file', () => {
    expect(validateConfig({ file: base, path: PATH, env: { STATE_DIRECTORY: '/var/lib/pa:/other' } }).state_dir).toBe('/var/lib/pa');
    expect(validateConfig({ file: { ...base, state_dir: 'state' }, path: '/opt/dev/config.json', env: {} }).state_dir).toBe('/opt/dev/state');
  });
});

describe('socket_path', () => {
  it('defaults to systemd RuntimeDirectory=, else the state directory', () => {
    expect(validateConfig({ file: base, path: PATH, env: { RUNTIME_DIRECTORY: '/run/pairing-agent' } }).socket_path).toBe('/run/pairing-agent/agent.sock');
    expect(validateConfig({ file: { ...base, state_dir: '/tmp/pa' }, path: PATH, env: {} }).socket_path).toBe('/tmp/pa/agent.sock');
    expect(validateConfig({ file: { ...base, socket_path: 'api.sock' }, path: '/opt/dev/config.json', env: {} }).socket_path).toBe('/opt/dev/api.sock');
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pa-config-'));

  it('reports malformed JSON with the file name', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "client_id": "x", }');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(`${file}: is not valid JSON (error at line 1, column 21)`);
  });

  it('never quotes the file in a JSON error: it may hold the client secret', () => {
    const file = join(dir, 'bare.json');
    writeFileSync(file, 'hunter2-secret');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(`${file}: is not valid JSON`);
    try {
      loadConfig({ path: file, env: {} });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('reports a missing file given with --config', () => {
    expect(() => loadConfig({ path: join(dir, 'nope.json'), env: {} })).toThrow(/nope\.json: cannot read the configuration: no such file/);
  });

  it('runs from the environment alone when the default file is absent', () => {
    const { config } = loadConfig({
      env: { PAIRING_AGENT_CONFIG: undefined, PAIRING_AGENT_CLIENT_ID: 'ci', PAIRING_AGENT_ISSUER: 'http://127.0.0.1:9' },
    });
    expect(config.client_id).toBe('ci');
  });

  it('refuses a huge file', () => {
    const file = join(dir, 'huge.json');
    writeFileSync(file, `{"client_id":"${'x'.repeat(70_000)}"}`);
    expect(() => loadConfig({ path: file, env: {} })).toThrow(/is larger than 64 KiB/);
  });
});

describe('deploy/config.example.json', () => {
  it('is a valid configuration', () => {
    const path = new URL('../../deploy/config.example.json', import.meta.url).pathname;
    expect(loadConfig({ path, env: {} }).config.client_id).toBe('your-device-client-id');
  });
});
