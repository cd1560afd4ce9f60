/**
 * Logs for people and for fleets (issue #15 item 8), from the built daemon and CLI: the trigger of a
 * state change is named truthfully (`on=logout` when `pairing-agent logout` unpairs), every time is
 * ISO 8601, `log_format: "json"` and `--log-format json` write one JSON object per line, and the
 * default stays logfmt with journald priorities.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { CLI, eventually, pairBySimPress, runBuiltCli, runCli, spawnDaemon } from '../support/cli.js';

let idp: EmbeddedIdp;
const dir = mkdtempSync(join(tmpdir(), 'pa-logs-'));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function writeConfig(name: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', state_dir: join(dir, `${name}-state`), socket_path: join(dir, `${name}.sock`), ...extra }),
  );
  return file;
}

async function statusOf(config: string): Promise<Record<string, unknown>> {
  const r = await runCli(['status', '--json', '-c', config]);
  return r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

const lines = (log: string) => log.split('\n').filter((line) => line !== '');

beforeAll(async () => {
  idp = await startEmbeddedIdp({ interval: 1 });
});
afterAll(async () => {
  await idp.close();
});

describe('logs (issue #15 item 8)', () => {
  it('log_format "json": one object per line, ISO times, and on=logout when the CLI unpairs', async () => {
    const config = writeConfig('json', { log_format: 'json' });
    const daemon = spawnDaemon(config);
    try {
      await eventually(async () => ((await statusOf(config)).daemon === true ? true : undefined), 15_000, 'the daemon');
      await pairBySimPress(config, () => statusOf(config), (code) => idp.approve(code, 'erin'), 15_000);
      const out = await runCli(['logout', '-c', config]);
      expect(out.status, out.stderr).toBe(0);
      await eventually(async () => (daemon.log().includes('"to":"unpaired"') ? true : undefined), 10_000, 'the unpaired line');
    } finally {
      daemon.child.kill('SIGTERM');
      await new Promise((resolve) => daemon.child.on('close', resolve));
    }
    const records = lines(daemon.log()).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(5);
    for (const record of records) {
      expect(record.time).toMatch(ISO);
      expect(['info', 'warning', 'error']).toContain(record.level);
      expect(typeof record.event).toBe('string');
      // Times are dates, never epoch milliseconds.
      for (const [key, value] of Object.entries(record)) {
        if (typeof value === 'number') expect(value, key).toBeLessThan(1e12);
        if (key.endsWith('_at')) expect(value, key).toMatch(ISO);
      }
    }
    expect(records.find((r) => r.event === 'paired')?.expires_at).toMatch(ISO);
    expect(records).toContainEqual(expect.objectContaining({ event: 'state', from: 'paired', to: 'unpairing', on: 'logout' }));
  }, 60_000);

  it('--log-format json on the command line wins over the default; the default is logfmt with priorities', async () => {
    const config = writeConfig('flag');
    const child = spawn(process.execPath, [CLI, 'run', '--log-format', 'json', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await eventually(async () => ((await statusOf(config)).daemon === true ? true : undefined), 15_000, 'the daemon');
      // A long press of the simulated button is named as what it is.
      await runCli(['sim', 'press', '-c', config]);
      await eventually(async () => ((await statusOf(config)).state === 'awaiting_user' ? true : undefined), 15_000, 'a code');
      await runCli(['sim', 'press', '--long', '-c', config]);
      await eventually(async () => (log.includes('"to":"unpaired"') ? true : undefined), 10_000, 'cancelled');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
    }
    const records = lines(log).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ level: 'info', event: 'starting' });
    expect(records).toContainEqual(expect.objectContaining({ event: 'state', from: 'awaiting_user', to: 'unpaired', on: 'long_press' }));

    const plain = writeConfig('plain');
    const daemon = spawnDaemon(plain);
    try {
      await eventually(async () => ((await statusOf(plain)).daemon === true ? true : undefined), 15_000, 'the daemon');
    } finally {
      daemon.child.kill('SIGTERM');
      await new Promise((resolve) => daemon.child.on('close', resolve));
    }
    for (const line of lines(daemon.log())) expect(line).toMatch(/^<[346]>event=\w+/);
  }, 60_000);

  it('an unknown log format is one line and exit 2', () => {
    expect(runBuiltCli(['status', '--log-format', 'xml'])).toMatchObject({ status: 2, stderr: 'pairing-agent status: --log-format must be logfmt or json, got "xml"\n' });
    const file = join(dir, 'bad-format.json');
    writeFileSync(file, JSON.stringify({ issuer: 'https://idp.example.com', client_id: 'x', log_format: 'yaml' }));
    expect(runBuiltCli(['config', 'check', '-c', file])).toMatchObject({ status: 2, stderr: `pairing-agent: ${file}: log_format: must be one of "logfmt", "json", got the string "yaml"\n` });
  });
});
