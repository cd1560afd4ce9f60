/**
 * Configuration as a newcomer meets it (issue #15): README's examples pass `config check` as printed,
 * an empty scope sends no scope parameter, an environment-only setup is named as such, and a JSON
 * syntax error says where it is in lines and columns. The built CLI, in a child.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS } from '../../src/config/index.js';
import { eventually, runBuiltCli, runCli, spawnDaemon } from '../support/cli.js';
import { PROFILES, startProviderServer, type FakeProvider } from '../support/provider-servers.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-cli-config-'));

/** Every ```json block of README.md that holds a `client_id`: the configuration examples. */
function readmeConfigBlocks(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((block) => block.includes('"client_id"'));
}

describe('README configuration examples (issue #15 item 6)', () => {
  const blocks = readmeConfigBlocks();

  it('there are examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((block, i) => [i + 1, block]))('example %i passes config check as printed', (i, block) => {
    const file = join(dir, `readme-${i}.json`);
    writeFileSync(file, block);
    const r = runBuiltCli(['config', 'check', '-c', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('an empty scope is valid and is shown as empty', () => {
    const file = join(dir, 'empty-scope.json');
    writeFileSync(file, JSON.stringify({ issuer: 'https://idp.example.com', client_id: 'x', scope: '' }));
    expect(runBuiltCli(['config', 'check', '-c', file]).status).toBe(0);
    expect(JSON.parse(runBuiltCli(['config', 'show', '--json', '-c', file]).stdout)).toMatchObject({ scope: '' });
  });
});

describe('an empty scope on the wire (issue #15 item 6)', () => {
  let fake: FakeProvider | undefined;
  afterAll(async () => {
    await fake?.close();
  });

  it('sends the device authorization request with no scope parameter (Keycloak, seed 001)', async () => {
    fake = await startProviderServer(PROFILES.keycloak);
    const config = join(dir, 'keycloak.json');
    writeFileSync(
      config,
      JSON.stringify({
        device_authorization_endpoint: fake.endpoints.deviceAuthorizationEndpoint,
        token_endpoint: fake.endpoints.tokenEndpoint,
        client_id: 'device-client',
        scope: '',
        hal: 'sim',
        state_dir: join(dir, 'kc-state'),
        socket_path: join(dir, 'kc.sock'),
      }),
    );
    const daemon = spawnDaemon(config);
    try {
      await eventually(async () => ((await runCli(['status', '--json', '-c', config])).stdout.includes('"daemon": true') ? true : undefined), 15_000, 'the daemon');
      expect((await runCli(['sim', 'press', '-c', config])).status).toBe(0);
      const request = await eventually(async () => fake?.requests.find((r) => r.path === new URL(fake?.endpoints.deviceAuthorizationEndpoint ?? '').pathname), 15_000, 'the device authorization request');
      expect(request.form.client_id).toBe('device-client');
      expect(Object.keys(request.form)).not.toContain('scope');
    } finally {
      daemon.child.kill('SIGTERM');
    }
  }, 40_000);
});

describe('configuration errors point to the truth (issue #15 item 7)', () => {
  const envOnly = { PAIRING_AGENT_CLIENT_ID: 'ci-device', PAIRING_AGENT_ISSUER: 'https://idp.example.com' };

  it('with the environment alone, config check names the environment, not a missing file', () => {
    const r = runBuiltCli(['config', 'check'], envOnly);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('environment (no configuration file): ok (client_id ci-device, issuer https://idp.example.com, hal rpi)\n');
  });

  it('an error in an environment-only setup blames the environment', () => {
    const r = runBuiltCli(['config', 'check'], { PAIRING_AGENT_CLIENT_ID: 'ci-device' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('pairing-agent: environment (no configuration file): device_authorization_endpoint: is required when "issuer" is not set (no discovery without an issuer)\n');
  });

  it.each([
    ['a trailing comma', '{\n  "client_id": "x",\n  "issuer": "https://idp.example.com",\n}\n', 'line 4, column 1'],
    ['a missing comma', '{\n  "client_id": "x"\n  "issuer": "https://idp.example.com"\n}\n', 'line 3, column 3'],
    ['an unquoted value on line 2', '{ "hal": "sim",\n    "client_id": secret-value }', 'line 2, column 18'],
  ])('a JSON syntax error (%s) gives line and column, never the text', (_name, text, place) => {
    const file = join(dir, `syntax-${place.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    const r = runBuiltCli(['config', 'check', '-c', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`pairing-agent: ${file}: is not valid JSON (error at ${place})\n`);
    expect(r.stderr).not.toContain('secret');
  });
});

describe('the small things a package has (issue #15 item 9)', () => {
  it('a LICENSE file with the license package.json names', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { license: string; files: string[] };
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(pkg.files).toContain('LICENSE');
  });

  it("README's configuration table lists every key the validator accepts", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('| key | type | default | meaning |'));
    for (const key of Object.keys(KEYS)) expect(table, key).toContain(`\n| \`${key}\` |`);
  });
});
