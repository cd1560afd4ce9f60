/**
 * `pairing-agent sim qr` (issue #17): the QR on the simulated panel, read dark on light as a phone reads
 * it, from the built CLI against a real daemon (`hal: "sim"`) and the embedded IdP. Exit 1 on a screen
 * with no QR (unpaired, paired, and the code screen's text page). The decoder (jsQR) is loaded by this command alone: every module each process resolves is
 * traced (test/support/trace-loads.mjs).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { eventually, runCli, simConfig, withDaemon } from '../support/cli.js';

let idp: EmbeddedIdp;
const dir = mkdtempSync(join(tmpdir(), 'pa-simqr-'));
const config = join(dir, 'config.json');
const TRACE = fileURLToPath(new URL('../support/trace-loads.mjs', import.meta.url));

let traces = 0;
/** Runs the CLI with its module loads traced; returns the result and the URLs it resolved. */
async function traced(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; loaded: string[] }> {
  const file = join(dir, `trace-${++traces}.txt`);
  writeFileSync(file, '');
  const r = await runCli(['--config', config, ...args], { NODE_OPTIONS: `--import ${TRACE}`, TRACE_LOADS_FILE: file });
  return { ...r, loaded: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}
const jsqr = (urls: string[]) => urls.filter((u) => u.includes('/node_modules/jsqr/'));

async function statusJson(): Promise<Record<string, unknown>> {
  return JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  idp = await startEmbeddedIdp({ interval: 1 });
  writeFileSync(config, JSON.stringify(simConfig(idp, dir)));
});
afterAll(async () => {
  await idp.close();
});

describe('pairing-agent sim qr', () => {
  it('prints the QR text on the code screen, exits 1 on screens without one, and alone loads the decoder', async () => {
    const daemonTrace = join(dir, 'trace-daemon.txt');
    writeFileSync(daemonTrace, '');
    await withDaemon(config, async () => {
      // The unpaired screen: no QR.
      const none = await traced(['sim', 'qr']);
      expect(none).toMatchObject({ status: 1, stdout: '', stderr: 'pairing-agent: the simulated panel shows no QR code\n' });

      const press = await traced(['sim', 'press']);
      expect(press.status, press.stderr).toBe(0);
      const awaiting = await eventually(async () => {
        const s = await statusJson();
        return s.state === 'awaiting_user' ? s : undefined;
      }, 10_000, 'awaiting_user');

      // The code screen: exactly the URL a phone would open. It alternates a QR page with a text page
      // (issue #16, 5 s each) when the URL does not fit beside the QR, as here: `sim qr` exits 1 on the
      // text page. The page is read before and after each call (`sim screen --text`, "page i/n"), and only
      // answers given on one known page count, so a busy machine cannot mix them up.
      const page = async () => (await runCli(['--config', config, 'sim', 'screen', '--text'])).stdout.split('\n')[0] ?? '';
      const onPage = new Map<string, Awaited<ReturnType<typeof traced>>>();
      let pages = Number.POSITIVE_INFINITY;
      for (const deadline = Date.now() + 40_000; onPage.size < pages && Date.now() < deadline; ) {
        const before = await page();
        const r = await traced(['sim', 'qr']);
        if ((await page()) !== before) continue;
        onPage.set(before, r);
        pages = Number(/^page \d+\/(\d+)$/.exec(before)?.[1]);
      }
      expect(onPage.size).toBe(pages);
      const qr = onPage.get(`page 1/${pages}`);
      expect(qr?.stderr).toBe('');
      expect(qr?.status).toBe(0);
      expect(qr?.stdout).toBe(`${String(awaiting.verification_uri_complete)}\n`);
      expect(qr?.stdout).toMatch(/\/device\?user_code=[A-Z]{4}-[A-Z]{4}\n$/);
      for (let n = 2; n <= pages; n++) {
        expect(onPage.get(`page ${n}/${pages}`)).toMatchObject({ status: 1, stdout: '', stderr: 'pairing-agent: the simulated panel shows no QR code\n' });
      }

      // The decoder is loaded by `sim qr` and nothing else: not the daemon, not `sim press`, not `status`.
      expect(jsqr(qr?.loaded ?? []).length).toBeGreaterThan(0);
      const status = await traced(['status']);
      // The trace saw the command (the bundle, issue #18), so the checks below are not vacuous.
      expect(status.loaded.some((u) => u.endsWith('/dist/pairing-agent.cjs'))).toBe(true);
      expect(jsqr(status.loaded)).toEqual([]);
      expect(jsqr(press.loaded)).toEqual([]);
      expect(press.loaded.some((u) => u.endsWith('/dist/pairing-agent.cjs'))).toBe(true);

      // Paired: the paired screen has no QR.
      await idp.approve(String(awaiting.user_code), 'alice');
      await eventually(async () => ((await statusJson()).state === 'paired' ? true : undefined), 10_000, 'paired');
      const after = await traced(['sim', 'qr']);
      expect(after).toMatchObject({ status: 1, stdout: '' });
    }, { NODE_OPTIONS: `--import ${TRACE}`, TRACE_LOADS_FILE: daemonTrace });
    const daemonLoads = readFileSync(daemonTrace, 'utf8');
    expect(daemonLoads).toContain('/dist/pairing-agent.cjs');
    expect(jsqr(daemonLoads.split('\n'))).toEqual([]);
  }, 60_000);

  it('says so when no daemon runs', async () => {
    const r = await runCli(['--config', config, 'sim', 'qr']);
    expect(r).toMatchObject({ status: 1, stderr: `pairing-agent: no pairing-agent daemon is running on ${join(dir, 'state')} (start it with "pairing-agent run")\n` });
  });
});
