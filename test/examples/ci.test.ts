/**
 * examples/ci/ (issue #17) runs here, so it cannot rot: pair.sh, the shell version the GitHub Actions
 * workflow calls, pairs the built CLI's simulated device with the embedded IdP, configured only by the
 * PAIRING_AGENT_* variables the workflow sets from secrets, and prints a token the provider accepts.
 * (examples/ci/device-flow.test.ts, the API version, is in vitest's include and runs by itself.)
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { CLI, runCli } from '../support/cli.js';

const PAIR_SH = fileURLToPath(new URL('../../examples/ci/pair.sh', import.meta.url));
const WORKFLOW = fileURLToPath(new URL('../../examples/ci/device-flow.yml', import.meta.url));

let idp: EmbeddedIdp;
beforeAll(async () => {
  idp = await startEmbeddedIdp({ interval: 1 });
});
afterAll(async () => {
  await idp.close();
});

describe('examples/ci', () => {
  it('pair.sh: run, sim press, wait paired; the token it prints is active', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-example-'));
    // `pairing-agent` on PATH, as `npm install --global` puts it there.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pairing-agent'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'pairing-agent'), 0o755);
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAIRING_AGENT_')));
    const env = {
      ...base,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      // What the workflow sets from its secrets.
      PAIRING_AGENT_ISSUER: idp.issuer,
      PAIRING_AGENT_CLIENT_ID: idp.publicClientId,
      PAIRING_AGENT_SCOPE: 'openid profile offline_access',
      PAIRING_AGENT_HAL: 'sim',
      PAIRING_AGENT_STATE_DIR: join(dir, 'device'),
      DEVICE_LOG: join(dir, 'device.log'),
      PAIR_TIMEOUT: '30',
    };
    const child = spawn('sh', [PAIR_SH], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    // No APPROVE command here: the test approves in its place when the script shows the URL, as a
    // team's browser automation would after opening it.
    const approved = new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
        const url = /pair\.sh: approve at (\S+)/.exec(stderr)?.[1];
        if (url !== undefined) {
          const userCode = new URL(url).searchParams.get('user_code') ?? '';
          idp.approve(userCode, 'alice').then(() => resolve(url), reject);
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(await approved).toMatch(new RegExp(`^${idp.issuer}/device\\?user_code=[A-Z]{4}-[A-Z]{4}$`));
    expect(stdout).toMatch(/^\S+\n$/);
    const token = stdout.trimEnd();
    expect(await idp.introspect(token)).toMatchObject({ active: true, sub: 'alice' });
    expect(stderr).toMatch(/^paired/m);
    expect(readFileSync(join(dir, 'device.log'), 'utf8')).toMatch(/event=ready/);
    expect(readFileSync(join(dir, 'device.log'), 'utf8')).not.toContain(token);
    // The script's trap stopped the daemon: the state is on disk, no daemon answers.
    const after = await runCli(['status', '--json'], env);
    expect(JSON.parse(after.stdout)).toMatchObject({ state: 'paired', daemon: false });
  }, 60_000);

  it('the workflow configures the device from secrets and runs pair.sh', () => {
    const workflow = readFileSync(WORKFLOW, 'utf8');
    for (const key of ['PAIRING_AGENT_ISSUER: ${{ secrets.', 'PAIRING_AGENT_CLIENT_ID: ${{ secrets.', 'PAIRING_AGENT_HAL: sim', 'npm install --global pairing-agent', 'sh .github/workflows/pair.sh', 'test -n "$token"']) {
      expect(workflow).toContain(key);
    }
  });
});
