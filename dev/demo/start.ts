/**
 * `npm start`: the real daemon (state lock, state file, sockets, logs) on a device drawn in the
 * terminal, against the embedded identity provider (issue #2, #15). The configuration it writes and
 * the commands to try from a second terminal are printed under the panel, so every command of the
 * README's CLI reference can be tried against it.
 *
 * Only the hardware is the terminal and the IdP is oidc-provider on 127.0.0.1; the rest is the
 * product. The picture fits 80x24 (`screen.ts`); Enter presses, `l` long-presses, `q` quits.
 */
import { accessSync, constants, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyboardButton } from '../../hal/terminal/button.js';
import { TerminalDisplay } from '../../hal/terminal/display.js';
import type { Logger } from '../../src/log-events.js';
import { loadConfig } from '../../src/config/index.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { streamLogger } from '../../src/daemon/log.js';
import { startEmbeddedIdp } from '../idp/embedded.js';
import { quietOidcProviderNotices } from '../idp/quiet.js';
import { demoScreen } from './screen.js';

/** Short access tokens so the demo shows refresh rotation within a couple of minutes. */
const DEMO_ACCESS_TOKEN_TTL_S = 120;
const RECENT_EVENTS = 20;

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[?25l';
const ALT_SCREEN_OFF = '\x1b[?25h\x1b[?1049l';

const out = process.stdout;
const tty = out.isTTY === true;

/** How to call the CLI from a second terminal: as installed, else from this clone. */
function cliCommand(): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, 'pairing-agent'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (onPath) return 'pairing-agent';
  const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  // In the clone, npx finds the package's own bin without a global install.
  if (process.cwd() === root.replace(/\/$/, '') && existsSync(join(root, 'package.json'))) return 'npx pairing-agent';
  return `node ${relative(process.cwd(), main).startsWith('..') ? main : relative(process.cwd(), main)}`;
}

// This process is ours: oidc-provider's fixed notices would only garble the panel.
quietOidcProviderNotices();
out.write('pairing-agent demo: starting the identity provider (oidc-provider on 127.0.0.1)…\n');
const idp = await startEmbeddedIdp({ ttl: { accessToken: DEMO_ACCESS_TOKEN_TTL_S } });
// A short directory name keeps the commands below within 80 columns.
const dir = mkdtempSync(join(tmpdir(), 'pa-demo-'));
const configPath = join(dir, 'config.json');
const socketPath = join(dir, 'agent.sock');
const logPath = join(dir, 'agent.log');
writeFileSync(
  configPath,
  `${JSON.stringify(
    { issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid profile email offline_access', hal: 'terminal', state_dir: join(dir, 'state'), socket_path: socketPath },
    null,
    2,
  )}\n`,
  { mode: 0o600 },
);
// Read back as any command will read it: the file on screen is the one the daemon runs on.
const { config } = loadConfig({ path: configPath, env: {} });
out.write(`pairing-agent demo: wrote ${configPath}:\n${readFileSync(configPath, 'utf8')}starting the daemon (its log: ${logPath})…\n`);

const cli = cliCommand();
const commands = [`${cli} -c ${configPath} status`, `${cli} -c ${configPath} token`, `curl --unix-socket ${socketPath} http://agent/token`];

const events: string[] = [];
const logFile = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
const fileLog = streamLogger((line) => logFile.write(line));
let daemon: Daemon | undefined;
let display: TerminalDisplay | undefined;
const log: Logger = (event, fields = {}) => {
  fileLog(event, fields);
  // State changes are shown as the state itself, above the events.
  if (event !== 'state') events.push(`${new Date().toISOString().slice(11, 19)} ${event}`);
  events.splice(0, Math.max(0, events.length - RECENT_EVENTS));
  display?.refresh();
};

display = new TerminalDisplay({
  out,
  render: (panel, { on }) =>
    daemon === undefined
      ? []
      : demoScreen({
          cols: tty ? out.columns : 80,
          rows: tty ? out.rows : 24,
          panel,
          panelOn: on,
          state: daemon.agent.state,
          now: Date.now(),
          issuer: idp.issuer,
          events,
          configPath,
          commands,
          color: tty,
        }),
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await daemon?.stop();
  await idp.close();
  logFile.end();
  rmSync(dir, { recursive: true, force: true });
  if (tty) out.write(ALT_SCREEN_OFF);
  out.write(`\npairing-agent demo: stopped; ${dir} is removed. Bye.\n`);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

const button = new KeyboardButton(process.stdin, { raw: tty && process.stdin.isTTY === true, onQuit: () => void shutdown() });
if (tty) out.write(ALT_SCREEN_ON);
daemon = await startDaemon({
  config,
  log,
  env: {},
  hal: {
    display,
    button,
    close: async () => {
      await button.close();
      await display?.close();
    },
  },
});
daemon.agent.on('state', () => display?.refresh());
out.on('resize', () => display?.refresh());
display.refresh();
