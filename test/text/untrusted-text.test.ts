/**
 * Text from the network is printed, logged and drawn only once made printable (issue #13 item 3):
 * a provider that puts terminal escape sequences in a person's name and bidi overrides and
 * zero-width characters in a user code does not reach the terminal, the log or the panel raw.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenFor } from '../../src/agent/view.js';
import { formatJsonLine, formatLogLine } from '../../src/daemon/log.js';
import { viewScreen, textLines } from '../../src/screens/render.js';
import { printable } from '../../src/text/printable.js';
import { PROFILES, startProviderServer, type FakeProvider } from '../support/provider-servers.js';
import { eventually, runCli, withDaemon } from '../support/cli.js';

/** What must never reach a terminal raw: ESC, BEL, CSI (C1), RLO, zero-width space, LRI. */
const RAW = /[\u001b\u0007\u009b\u202e\u200b\u2066]/;
const HOSTILE_NAME = '\u001b]0;owned\u0007Eve\u001b[2J\u009b31m\u2066';
const HOSTILE_CODE = 'WDJB\u202e-\u200bMJHT';

let idp: FakeProvider;
beforeAll(async () => {
  // ORY Hydra's answers (a signed ID token), with a hostile user code and a hostile `name` claim.
  idp = await startProviderServer({ ...PROFILES.hydra, userCode: () => HOSTILE_CODE, claims: () => ({ name: HOSTILE_NAME }) });
});
afterAll(async () => {
  await idp.close();
});

describe('printable', () => {
  it.each([
    ['ESC and BEL', '\u001b]0;x\u0007', '\\u{1b}]0;x\\u{7}'],
    ['C1 CSI', 'a\u009b2J', 'a\\u{9b}2J'],
    ['bidi overrides and isolates', '\u202eabc\u2066\u2069\u200f', '\\u{202e}abc\\u{2066}\\u{2069}\\u{200f}'],
    ['zero-width characters', 'A\u200bB\u200dC\ufeff', 'A\\u{200b}B\\u{200d}C\\u{feff}'],
    ['a line separator and newline', 'a\u2028b\nc', 'a\\u{2028}b\\u{a}c'],
    ['a lone surrogate', 'x\ud800y', 'x\\u{d800}y'],
    ['ordinary text, accents and emoji', 'Zoë Ødegård 😀 WDJB-MJHT', 'Zoë Ødegård 😀 WDJB-MJHT'],
  ])('escapes %s', (_name, input, output) => {
    expect(printable(input)).toBe(output);
  });

  it('log lines use it; the panel draws neither controls nor invisible characters', () => {
    expect(formatLogLine('code_issued', { user_code: HOSTILE_CODE })).not.toMatch(RAW);
    expect(formatJsonLine('poll_failed', { reason: HOSTILE_NAME })).not.toMatch(RAW);
    expect(formatLogLine('code_issued', { user_code: HOSTILE_CODE })).toContain('user_code=WDJB\\u{202e}-\\u{200b}MJHT');
    // The panel (issue #16's text rules): invisible format characters dropped, the rest of what it
    // cannot draw never shown raw.
    const code = screenFor({ name: 'awaiting_user', code: { deviceCode: 'd', userCode: HOSTILE_CODE, verificationUri: 'https://idp.example/device', expiresAt: 600_000, expiresIn: 600, interval: 5 }, nextPollAt: 0, failures: 0, deadlineTrusted: true, restarts: 0 }, 0, true);
    const paired = screenFor({ name: 'paired', tokens: { accessToken: 'a', tokenType: 'Bearer', issuedAt: 0 }, identity: { who: HOSTILE_NAME }, failures: 0 }, 0, true);
    for (const screen of [code, paired]) {
      const lines = textLines(viewScreen(screen, { width: 128, height: 64 }).elements);
      expect(lines.join('\n')).not.toMatch(RAW);
    }
    expect(textLines(viewScreen(code, { width: 128, height: 64 }).elements).join('')).toContain('WDJB-MJHT');
  });
});

describe('a provider sending escape sequences, bidi and zero-width characters', () => {
  it('reaches status, status --json and the log only escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-text-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ issuer: idp.issuer, client_id: idp.profile.client.clientId, client_secret: idp.profile.client.clientSecret, scope: 'openid offline_access', hal: 'sim', state_dir: join(dir, 'state'), socket_path: join(dir, 'agent.sock') }));
    await withDaemon(config, async (daemon) => {
      await runCli(['--config', config, 'sim', 'press']);
      const statusWhen = (ok: (line: string) => boolean, what: string) =>
        eventually(async () => {
          const { stdout } = await runCli(['--config', config, 'status']);
          return ok(stdout) ? stdout : undefined;
        }, 10_000, what);
      const code = await statusWhen((line) => line.startsWith('awaiting_user'), 'a code');
      expect(code).not.toMatch(RAW);
      expect(code).toContain('WDJB\\u{202e}-\\u{200b}MJHT');
      expect((await runCli(['--config', config, 'status', '--json'])).stdout).not.toMatch(RAW);

      idp.approve(HOSTILE_CODE, 'eve');
      const who = await statusWhen((line) => line.includes(' as '), 'who paired');
      expect(who).not.toMatch(RAW);
      expect(who).toContain('\\u{1b}]0;owned\\u{7}Eve');
      const json = (await runCli(['--config', config, 'status', '--json'])).stdout;
      expect(json).not.toMatch(RAW);
      expect(daemon.log()).not.toMatch(RAW);
    });
  }, 40_000);
});
