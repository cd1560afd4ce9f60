/**
 * `npm start` as a person uses it (issue #2): the built demo in a child process, the simulated
 * device drawn on its stdout, Enter as the button, approval through the embedded IdP's own pages.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { approveInBrowser } from '../../support/browser.js';
import { screenAsLight } from '../../support/terminal-frame.js';
import { scanPanel } from '../../fixtures/scan.js';

const DEMO = fileURLToPath(new URL('../../../dist/dev/demo/start.js', import.meta.url));

let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

function output(proc: ChildProcessWithoutNullStreams): { text: () => string; until: (pattern: RegExp, timeoutMs?: number, from?: number) => Promise<RegExpMatchArray> } {
  let text = '';
  proc.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    text: () => text,
    until: (pattern, timeoutMs = 15_000, from = 0) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          const match = text.slice(from).match(pattern);
          if (match) return resolve(match);
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${pattern}; output ends:\n${text.slice(-3000)}`));
          setTimeout(check, 50);
        };
        check();
      }),
  };
}

describe('npm start (the demo)', () => {
  it('pairs with a button press and a browser approval, shows who paired, and unpairs on a long press', async () => {
    child = spawn(process.execPath, [DEMO], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = output(child);
    await out.until(/Press Enter to pair\./);
    expect(out.text()).toMatch(/Identity provider: http:\/\/127\.0\.0\.1:\d+ \(embedded\)/);

    child.stdin.write('\n');
    const [, url = ''] = await out.until(/Approve in a browser: (http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z-]+)/);
    // Piped, each picture is printed in full: the QR code drawn above the latest status line is the
    // same URL, scannable (issue #15: half blocks, dark modules on light).
    const seen = out.text();
    const frame = seen.slice(seen.lastIndexOf(' pairing-agent demo ·', seen.lastIndexOf('Approve in a browser')), seen.lastIndexOf('Approve in a browser'));
    expect(scanPanel(screenAsLight(frame))).toBe(url);

    await approveInBrowser(url, 'dana');
    // Within one polling interval (5 s by default) the device is paired and knows who.
    await out.until(/Paired as [^\n]*dana/i, 15_000);

    const pairedAt = out.text().length;
    child.stdin.write('l\n');
    await out.until(/Press Enter to pair\./, 15_000, pairedAt);

    // A line `q` quits when the input is not a terminal (a single key does in one).
    child.stdin.write('q\n');
    const code = await new Promise<number | null>((resolve) => child?.on('exit', resolve));
    expect(code).toBe(0);
  }, 40_000);

  it('exits cleanly on SIGINT', async () => {
    child = spawn(process.execPath, [DEMO], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = output(child);
    await out.until(/Press Enter to pair\./);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child?.on('exit', resolve));
    expect(code).toBe(0);
  }, 40_000);
});
