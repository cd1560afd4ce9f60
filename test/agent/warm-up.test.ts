/**
 * Button to code on a Pi's budget (issue #18): after the first frame the daemon warms up what the
 * first press needs — the IdP client and, while no pairing exists, the QR encoder — so the press
 * does not pay for loading them. Checked in a child process (its own module cache) with the built agent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const DIST = pathToFileURL(join(import.meta.dirname, '../..', 'dist')).href;

/** Whether qrcode is in the child's module cache before and after `agent.prepare()`. */
function qrcodeLoaded(): { before: boolean; after: boolean } {
  const script = `
    const { createRequire } = await import('node:module');
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).some((f) => f.includes('/node_modules/qrcode/'));
    const { validateConfig } = await import('${DIST}/src/config/index.js');
    const { createSimHal } = await import('${DIST}/hal/factory.js');
    const { Agent } = await import('${DIST}/src/agent/agent.js');
    const { systemClock } = await import('${DIST}/src/agent/clock.js');
    const { createIdpClient } = await import('${DIST}/src/agent/idp-client.js');
    const { memoryStore } = await import('${DIST}/dev/agent/memory-store.js');
    // A loopback issuer nobody answers: the IdP warm-up fails fast, as offline, and is not needed here.
    const config = validateConfig({ file: { issuer: 'http://127.0.0.1:9', client_id: 'warm', hal: 'sim', state_dir: ${JSON.stringify(mkdtempSync(join(tmpdir(), 'pa-warm-')))} }, path: 'test', env: {} });
    const agent = new Agent({ store: memoryStore(), idp: createIdpClient(config, { log: () => {} }), hal: createSimHal(config), clock: systemClock(), log: () => {}, autoPair: false });
    await agent.start();
    const before = loaded();
    await agent.prepare();
    console.log(JSON.stringify({ before, after: loaded() }));
    await agent.stop();
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { before: boolean; after: boolean };
}

it('an unpaired agent loads the QR encoder when it warms up, not at start and not on the press', () => {
  expect(qrcodeLoaded()).toEqual({ before: false, after: true });
});
