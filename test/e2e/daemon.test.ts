/**
 * The product end to end (issue #7): the built CLI as a user drives it, against the embedded IdP.
 * Pair with the simulated button, read the QR from `sim screen`, approve, get tokens the IdP says are
 * active, survive 20 concurrent `token` calls during rotation without reuse, unpair with a long press.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { Bitmap } from '../../src/screens/bitmap.js';
import { scanPanel } from '../fixtures/scan.js';
import { eventually, runCli, simConfig, spawnDaemon } from '../support/cli.js';

let idp: EmbeddedIdp;
const grantErrors: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'pa-e2e-'));
const config = join(dir, 'config.json');

const introspect = (token: string) => idp.introspect(token);

/** How long a CLI call or a state may take on a busy machine (others' suites run beside this one). */
const SLOW_MS = 60_000;

/** The built CLI on this device, given a minute: 20 of them start at once on a machine others load too. */
const cli = (...args: string[]) => runCli(['--config', config, ...args], {}, SLOW_MS);

async function status(): Promise<Record<string, unknown>> {
  const r = await cli('status', '--json');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function readPng(file: string): Bitmap {
  const png = PNG.sync.read(readFileSync(file));
  const bitmap = new Bitmap(png.width, png.height);
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) bitmap.set(x, y, (png.data[(y * png.width + x) * 4] ?? 0) > 127);
  return bitmap;
}

beforeAll(async () => {
  // 40 s access tokens: the daemon refreshes (and rotates) with 10 to 14 s left, about 30 s into each,
  // and a token handed out has at least 10 s left (a quarter of its lifetime) to be introspected. With
  // 16 s tokens that was 4 s, and on a starved machine (load 8-13) a token expired between the `token`
  // process printing it and the introspection (measured: 1.8 s left at worst with two busy loops).
  idp = await startEmbeddedIdp({ ttl: { accessToken: 40 }, interval: 1 });
  (idp.provider as { on(event: string, fn: (ctx: unknown, error: Error) => void): void }).on('grant.error', (_ctx, error) => {
      // A poll before the approval lands (a busy machine) is the normal RFC 8628 §3.5 answer, not a reuse.
      if (error.message !== 'authorization_pending') grantErrors.push(error.message);
    });
  writeFileSync(config, JSON.stringify(simConfig(idp, dir, { scope: 'openid profile email offline_access' })));
});
afterAll(async () => {
  await idp.close();
});

describe('pairing-agent run (built), end to end', () => {
  it('pairs, serves tokens through rotation without reuse, and unpairs', async () => {
    const daemon = spawnDaemon(config);
    try {
      await eventually(async () => ((await status()).daemon === true ? true : undefined), SLOW_MS, 'the daemon');
      expect(await status()).toMatchObject({ state: 'unpaired', daemon: true });

      // Not paired yet: `token` says so on stderr and fails.
      const early = await cli('token');
      expect(early.status).not.toBe(0);
      expect(early.stderr).toMatch(/not paired/);

      expect((await cli('sim', 'press')).status).toBe(0);
      const awaiting = await eventually(async () => {
        const s = await status();
        return s.state === 'awaiting_user' ? s : undefined;
      }, SLOW_MS, 'awaiting_user');
      expect(awaiting.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      expect(awaiting.expires_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(JSON.stringify(awaiting)).not.toMatch(/device_code/);

      // The QR on the simulated screen is the verification URL, scannable.
      const png = join(dir, 'screen.png');
      expect((await cli('sim', 'screen', '--png', png)).status).toBe(0);
      expect(scanPanel(readPng(png))).toBe(awaiting.verification_uri_complete);
      // The same panel as text (issue #16): the page, then the code as drawn (split at its hyphen beside the QR).
      const text = await cli('sim', 'screen', '--text');
      expect(text.status).toBe(0);
      const [head, ...lines] = text.stdout.trimEnd().split('\n');
      expect(head).toMatch(/^page [12]\/[12]$/);
      expect(lines.join('')).toContain(String(awaiting.user_code));

      await idp.approve(String(awaiting.user_code), 'alice');
      const paired = await eventually(async () => {
        const s = await status();
        return s.state === 'paired' && s.who ? s : undefined;
      }, SLOW_MS, 'paired');
      expect(paired).toMatchObject({ subject: 'alice', who: 'Alice Example' });
      expect((await cli('sim', 'screen', '--text')).stdout).toBe('page 1/1\nPaired\nSigned in as Alice\nExample\n');

      const first = await cli('token');
      expect(first.status).toBe(0);
      const token = first.stdout.trimEnd();
      expect(first.stdout).toBe(`${token}\n`);
      expect(await introspect(token)).toMatchObject({ active: true, sub: 'alice' });

      // 20 concurrent `token` calls while the daemon keeps rotating the refresh token: three rounds at
      // least, and on until it has rotated meanwhile (about 30 s in), however slow the machine.
      const rotations = () => (daemon.log().match(/event=refreshed_rotated/g) ?? []).length;
      const rotationsBefore = rotations();
      for (let round = 0; round < 12 && (round < 3 || rotations() === rotationsBefore); round++) {
        // Each answer is introspected as soon as its process exits.
        const burst = await Promise.all(
          Array.from({ length: 20 }, async () => {
            const r = await cli('token');
            return { ...r, active: r.status === 0 ? (await introspect(r.stdout.trimEnd())).active : false };
          }),
        );
        for (const r of burst) expect(r.status, r.stderr).toBe(0);
        for (const r of burst) expect(r.active).toBe(true);
        await new Promise((r) => setTimeout(r, 6000));
      }
      expect(rotations()).toBeGreaterThan(rotationsBefore);
      // No refresh token was used twice: oidc-provider would have revoked the grant and said so.
      expect(grantErrors).toEqual([]);
      expect(daemon.log()).toMatch(/event=refreshed_rotated/);
      expect((await status()).state).toMatch(/^(paired|refreshing)$/);

      // A long press revokes: the last token is no longer active, and status says unpaired.
      const last = (await cli('token')).stdout.trimEnd();
      expect((await cli('sim', 'press', '--long')).status).toBe(0);
      await eventually(async () => ((await status()).state === 'unpaired' ? true : undefined), SLOW_MS, 'unpaired');
      expect((await introspect(last)).active).toBe(false);
      expect(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).not.toContain(last);
      expect(daemon.log()).not.toContain(last);
      // A clean stop on SIGTERM.
      daemon.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => daemon.child.on('exit', resolve));
      expect(code).toBe(0);
    } finally {
      daemon.child.kill('SIGKILL');
    }
  }, 300_000);
});
