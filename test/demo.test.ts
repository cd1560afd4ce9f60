/**
 * `npm start` as a person uses it (issue #2): the built demo in a child process, the simulated
 * device drawn on its stdout, Enter as the button, approval through the embedded IdP's own pages.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { approveInBrowser } from './support/browser.js';
import { lastPanel } from './support/terminal-frame.js';
import { scanPanel } from './fixtures/scan.js';

const DEMO = fileURLToPath(new URL('../dist/src/demo/start.js', import.meta.url));

let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

function output(proc: ChildProcessWithoutNullStreams): { text: () => string; until: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray> } {
  let text = '';
  proc.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    text: () => text,
    until: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          const match = text.match(pattern);
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
    expect(out.text()).toMatch(/identity provider at http:\/\/127\.0\.0\.1:\d+/);

    child.stdin.write('\n');
    const [, url = ''] = await out.until(/Approve in a browser: (http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z-]+)/);
    // The QR code on the simulated panel is the same URL, scannable.
    // The first picture with the URL below it may still show the previous screen (a log line redraws
    // the terminal); the countdown redraws within a second, so take a later, complete one.
    await out.until(/Approve in a browser[\s\S]*Approve in a browser[^\n]*\n/);
    const seen = out.text();
    const panel = lastPanel(seen.slice(0, seen.lastIndexOf('Approve in a browser')));
    expect(panel).toBeDefined();
    if (panel) expect(scanPanel(panel)).toBe(url);

    await approveInBrowser(url, 'dana');
    // Within one polling interval (5 s by default) the device is paired and knows who.
    await out.until(/Paired as [^\n]*dana/i, 15_000);

    child.stdin.write('l\n');
    await out.until(/unpaired revoked=true/);

    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child?.on('exit', resolve));
    expect(code).toBe(0);
  }, 40_000);
});
