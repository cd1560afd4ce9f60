/**
 * `npm start` in a standard terminal (issue #15): the built demo in a tmux pseudo-terminal of exactly
 * 80x24, as a newcomer first sees it. Enter asks for a code; nothing wraps past 80 columns; the QR
 * code drawn in the terminal scans to the verification URL; the running daemon answers a second
 * process through the configuration file the demo printed; `q` quits and cleans up.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { scanPanel } from '../../fixtures/scan.js';
import { approveInBrowser } from '../../support/browser.js';
import { eventually, runCli } from '../../support/cli.js';
import { screenAsLight } from '../../support/terminal-frame.js';

const DEMO = fileURLToPath(new URL('../../../dist/dev/demo/start.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// A server of our own: never touch a developer's tmux sessions, nor a parallel test run's.
const SERVER = `pa-demo-test-${process.pid}`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The screen as shown; `-J` joins wrapped lines, so a line too wide for the terminal shows as one long line. */
const screen = (session: string) => tmux('capture-pane', '-p', '-J', '-t', session).replace(/\n+$/, '');

function startDemo(session: string, cols: number, rows: number): void {
  tmux('new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), '-c', ROOT, `${process.execPath} ${DEMO}`);
}

async function until(session: string, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return eventually(async () => screen(session).match(pattern) ?? undefined, timeoutMs, `${what}; screen:\n${(() => { try { return screen(session); } catch { return '(gone)'; } })()}`);
}

/** The 80-column sample under README's "Try it". */
function readmeSample(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const tryIt = readme.slice(readme.indexOf('## Try it'));
  const block = /```\n( pairing-agent demo ·[\s\S]*?)```/.exec(tryIt)?.[1] ?? '';
  return block.replace(/\n$/, '').split('\n');
}

/** What changes from run to run: the port, the directory, the code, the countdown, how the CLI is called. */
function normalize(line: string): string {
  return line
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/\/\S*\/pa-demo-[^/\s]+/g, 'DIR')
    .replace(/[A-Z]{4}-[A-Z]{4}/g, 'CODE')
    .replace(/(npx )?pairing-agent -c/g, 'pairing-agent -c')
    .trimEnd();
}

afterEach(() => {
  spawnSync('tmux', ['-L', SERVER, 'kill-server']);
});

describe.skipIf(!hasTmux)('npm start in an 80x24 terminal (tmux)', () => {
  it('fits, shows a scannable QR, is the real daemon, and quits on q', async () => {
    startDemo('demo', 80, 24);
    await until('demo', /Press Enter to pair\./, 'the first screen');
    tmux('send-keys', '-t', 'demo', 'Enter');
    const [, url = ''] = await until('demo', /Approve in a browser: (http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z]{4}-[A-Z]{4})/, 'a code');

    const shown = screen('demo');
    const lines = shown.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
    // Nothing scrolled away: the title is still the first row.
    expect(lines[0]).toMatch(/^ pairing-agent demo · Enter: press/);
    expect(scanPanel(screenAsLight(shown))).toBe(url);

    // README's "Try it" sample is this screen: its text lines, with this run's port, directory and
    // code, are on it, and it fits 80x24 too.
    const sample = readmeSample();
    expect(sample.length).toBeLessThanOrEqual(24);
    for (const line of sample) expect([...line].length, line).toBeLessThanOrEqual(80);
    const textLines = sample.filter((line) => !/[▀▄█\u2800-\u28ff]/.test(line) && line.trim() !== '');
    expect(textLines.length).toBeGreaterThanOrEqual(6);
    const normalizedScreen = lines.map((line) => normalize(line.trimEnd()));
    for (const line of textLines) expect(normalizedScreen).toContain(normalize(line));

    // The commands under the panel work from a second process, against the config the demo wrote.
    const [, configPath = ''] = shown.match(/ -c (\S+\/config\.json) status$/m) ?? [];
    expect(existsSync(configPath)).toBe(true);
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toMatchObject({ hal: 'terminal' });
    const status = await runCli(['status', '--json', '-c', configPath]);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'awaiting_user', daemon: true, verification_uri_complete: url });

    await approveInBrowser(url, 'dana');
    await until('demo', /Paired as [^\n]*dana/i, 'paired');
    const token = await runCli(['token', '-c', configPath]);
    expect(token.status, token.stderr).toBe(0);
    expect(token.stdout.trim().length).toBeGreaterThan(10);

    tmux('send-keys', '-t', 'demo', 'q');
    await eventually(async () => (spawnSync('tmux', ['-L', SERVER, 'has-session', '-t', 'demo']).status !== 0 ? true : undefined), 15_000, 'the demo to quit');
    expect(existsSync(configPath)).toBe(false);
  }, 90_000);

  it('says how to see more in a terminal smaller than 80x24', async () => {
    startDemo('small', 60, 20);
    const shown = (await until('small', /Press Enter to pair/, 'the first screen')).input ?? '';
    const words = shown.replace(/\s+/g, ' ');
    expect(words).toContain('this terminal is 60x20; the picture needs 80x24');
    expect(words).toMatch(/Make the window bigger/);
    for (const line of shown.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(60);
  }, 60_000);
});
