/**
 * `npm start`: the agent on a simulated device against the embedded identity provider. The panel is
 * drawn in the terminal, Enter is a short press, `l` + Enter a long press; the verification URL is
 * printed so a person can approve in a browser on this machine (issue #2).
 *
 * Everything here is the real agent (state machine, OAuth client, screens); only the hardware is the
 * terminal and the IdP is oidc-provider on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyboardButton } from '../../hal/terminal/button.js';
import { TerminalDisplay } from '../../hal/terminal/display.js';
import { Agent } from '../agent/agent.js';
import { systemClock } from '../agent/clock.js';
import { createIdpClient } from '../agent/idp-client.js';
import type { Logger } from '../agent/types.js';
import { validateConfig } from '../config/index.js';
import { startEmbeddedIdp } from '../idp/embedded.js';
import { FileStateStore } from '../store/file-store.js';

/** Short access tokens so the demo shows refresh rotation within a couple of minutes. */
const DEMO_ACCESS_TOKEN_TTL_S = 120;
const LOG_LINES = 8;

const idp = await startEmbeddedIdp({ ttl: { accessToken: DEMO_ACCESS_TOKEN_TTL_S } });
const stateDir = mkdtempSync(join(tmpdir(), 'pairing-agent-demo-'));
const config = validateConfig({
  file: {
    issuer: idp.issuer,
    client_id: idp.publicClientId,
    scope: 'openid profile email offline_access',
    hal: 'terminal',
    state_dir: stateDir,
  },
  path: '(demo)',
  env: {},
});

const recent: string[] = [];
let display: TerminalDisplay | undefined;
const log: Logger = (event, fields = {}) => {
  const details = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  recent.push(`${new Date().toISOString().slice(11, 19)} ${event}${details ? ` ${details}` : ''}`);
  recent.splice(0, Math.max(0, recent.length - LOG_LINES));
  display?.refresh();
};

const { store } = FileStateStore.open(stateDir);
const clock = systemClock();
let agent: Agent | undefined;

display = new TerminalDisplay({
  out: process.stdout,
  header: () => [
    ` pairing-agent demo: simulated device, identity provider at ${idp.issuer}`,
    ' Enter = press (pair) · l + Enter = long press (unpair) · Ctrl-C = quit',
  ],
  footer: () => {
    const state = agent?.state;
    const lines: string[] = [];
    if (state?.name === 'awaiting_user') {
      lines.push(` Approve in a browser: ${state.code.verificationUriComplete ?? state.code.verificationUri}`);
      lines.push(' (log in with any name and password, then consent)');
    } else if (state?.name === 'paired') {
      lines.push(` Paired as ${state.identity.who ?? state.identity.subject ?? 'someone'}. Long press (l + Enter) to unpair.`);
    } else {
      lines.push(' Press Enter to pair.');
    }
    return [...lines, '', ...recent.map((line) => ` ${line}`)];
  },
});

const button = new KeyboardButton(process.stdin);
agent = new Agent({
  store,
  idp: createIdpClient(config, { log, cachePath: join(stateDir, 'discovery.json') }),
  hal: {
    display,
    button,
    close: async () => {
      await button.close();
      await display?.close();
    },
  },
  clock,
  log,
  autoPair: false,
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await agent?.stop();
  await button.close();
  await idp.close();
  rmSync(stateDir, { recursive: true, force: true });
  process.stdout.write('\nbye\n');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

await agent.start();
