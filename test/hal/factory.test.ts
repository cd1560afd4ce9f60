/**
 * The HAL factory (luma's `cmdline.create_device`): the terminal HAL's keyboard and screen are the
 * process's own unless given, and taken only in that branch. process.stdin on /dev/null (systemd's
 * default) is a file stream that loads the promise-based fs and readline, some 2 MB that an idle daemon on
 * another HAL must not carry (issue #18).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Bitmap } from '../../hal/bitmap.js';
import { createHal } from '../../hal/factory.js';
import { validateConfig } from '../../src/config/validate.js';
import { startDaemon } from '../../src/daemon/daemon.js';

function configIn(prefix: string, file: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Nothing listens on port 9: the agent stays unpaired, which is all these tests need.
  return validateConfig({
    file: { issuer: 'http://127.0.0.1:9', client_id: 'x', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock'), ...file },
    path: join(dir, 'c.json'),
    env: {},
  });
}

/** Counts the reads of process.stdin (an accessor Node defines on `process`) while `fn` runs. */
async function stdinReadsDuring(fn: () => Promise<void>): Promise<number> {
  const own = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (own?.get === undefined) throw new Error('process.stdin is not an accessor here');
  const get = own.get;
  let reads = 0;
  Object.defineProperty(process, 'stdin', { ...own, get: () => (reads++, get.call(process)) });
  try {
    await fn();
  } finally {
    Object.defineProperty(process, 'stdin', own);
  }
  return reads;
}

describe('createHal', () => {
  it('terminal: Enter on its input is a press, and it draws on its output', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let drawn = '';
    stdout.on('data', (c: Buffer) => (drawn += c.toString('utf8')));
    const hal = await createHal(configIn('pa-hal-term-', { hal: 'terminal', auto_pair: false }), { stdin, stdout });
    const pressed = new Promise<void>((resolve) => hal.button?.once('press', () => resolve()));
    stdin.write('\n');
    await pressed;
    const frame = new Bitmap(128, 64);
    frame.set(0, 0, true);
    await hal.display.show(frame);
    expect(drawn).not.toBe('');
    await hal.close();
  });

  it('a daemon on the simulated HAL starts and stops without reading process.stdin', async () => {
    const config = configIn('pa-hal-sim-', { hal: 'sim' });
    const reads = await stdinReadsDuring(async () => {
      const daemon = await startDaemon({ config, log: () => {} });
      await daemon.stop();
    });
    expect(reads).toBe(0);
  });

  it('the terminal HAL with a keyboard and no io given takes process.stdin (so the count above means something)', async () => {
    const config = configIn('pa-hal-term-own-', { hal: 'terminal', auto_pair: false });
    const reads = await stdinReadsDuring(async () => {
      const hal = await createHal(config);
      await hal.close();
    });
    expect(reads).toBeGreaterThan(0);
  });
});
