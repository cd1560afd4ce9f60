/**
 * `pairing-agent sim press [--long]`, `sim screen --png FILE|- | --text` and `sim qr`: drive the simulated
 * device of a running daemon (`hal: "sim"`) from outside (issue #5, #7), read its QR code as a phone would
 * (issue #17), and print the text on the panel's current page without OCR (issue #16). `--png -` writes the
 * PNG to stdout (issue #15).
 */
import { writeFileSync } from 'node:fs';
import type { ShownScreen } from '../../agent/agent.js';
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import type { ApiReply } from '../../daemon/client.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { AgentError, UsageError } from '../../errors.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {
  long: { type: 'boolean', description: 'press: a long press (unpair) instead of a short one (pair)' },
  png: { type: 'string', value: 'FILE', description: 'screen: where to save the screen as PNG ("-" for stdout)' },
  text: { type: 'boolean', description: 'screen: print the text on the current page ("page N/M", then its lines)' },
};
export const positionals = true;
export const details = [
  'The daemon must run with "hal": "sim" (sim screen --text works with any display).',
  'sim qr prints the text of the QR code on the panel, read dark on light as a phone reads it; exit 1 when the panel shows none.',
  'A code screen whose URL does not fit beside the QR turns pages every 5 s: sim screen --text says which page is up.',
];
export const examples = [
  'pairing-agent sim press',
  'pairing-agent sim screen --png screen.png',
  'pairing-agent sim screen --png - > screen.png',
  'pairing-agent sim screen --text',
  'pairing-agent sim qr',
];

/**
 * The panel's current page as text: `page N/M` (and `panel dimmed` / `panel off` while the paired screen
 * rests), then one line per line of text on the page. A switched-off panel shows nothing, so no lines follow.
 */
export function formatShown(shown: ShownScreen): string {
  const rest = shown.panel === 'off' ? ', panel off' : shown.panel === 'dim' ? ', panel dimmed' : '';
  const lines = shown.panel === 'off' ? [] : shown.lines;
  return `${[`page ${shown.page + 1}/${shown.pages}${rest}`, ...lines].join('\n')}\n`;
}

const command: Command = async ({ positionals: args, values, configPath, io, showUsage }) => {
  if (args.length === 0) return showUsage();
  const [action, ...rest] = args;
  if (rest.length > 0 || (action !== 'press' && action !== 'screen' && action !== 'qr')) {
    throw new UsageError(`unknown action "${args.join(' ')}": use "sim press [--long]", "sim screen --png FILE|- | --text" or "sim qr"`, 'sim');
  }
  const png = typeof values.png === 'string' ? values.png : undefined;
  const text = values.text === true;
  if (action === 'screen' && png === undefined && !text) throw new UsageError('sim screen needs --png FILE (or --png - for stdout) or --text', 'sim');
  if (png === '-' && text) throw new UsageError('--png - and --text both write to stdout: use one, or --png FILE with --text', 'sim');
  if (png === '-' && io.stdoutIsTTY) throw new UsageError('will not write a PNG to a terminal: redirect it (--png - > screen.png)', 'sim');
  const { config } = loadConfig({ path: configPath, env: io.env });
  const socket = controlSocketPath(config);
  const call = async (method: 'GET' | 'POST', path: string): Promise<ApiReply> => {
    const reply = await callDaemon(socket, method, path, config.http_timeout_ms);
    if (reply === undefined) throw new AgentError('ERR_DAEMON', `no pairing-agent daemon is running on ${config.state_dir} (start it with "pairing-agent run")`);
    if (reply.status === 409) throw new AgentError('ERR_DAEMON', `the running daemon has no simulated ${action === 'press' ? 'button' : 'display'} (set "hal": "sim")`);
    if (reply.status >= 300) throw new AgentError('ERR_DAEMON', `the daemon answered HTTP ${reply.status}`);
    return reply;
  };
  if (action === 'press') {
    await call('POST', values.long ? '/long-press' : '/press');
    return 0;
  }
  if (action === 'qr') {
    const { body } = await call('GET', '/screen.png');
    // The QR decoder is loaded by this action alone (issue #17, issue #9: start-up of every other command).
    const { readPanelQr } = await import('../../screens/qr-read.js');
    const decoded = await readPanelQr(body).catch((error: unknown) => {
      throw error instanceof RangeError ? new AgentError('ERR_DAEMON', `the daemon's screenshot cannot be read: ${error.message}`) : error;
    });
    if (decoded === undefined) throw new AgentError('ERR_DAEMON', 'the simulated panel shows no QR code');
    io.stdout(`${decoded}\n`);
    return 0;
  }
  if (png !== undefined) {
    const { body } = await call('GET', '/screen.png');
    if (png === '-') {
      io.stdout(body);
    } else {
      writeFileSync(png, body);
      io.stdout(`${png}\n`);
    }
  }
  if (text) io.stdout(formatShown((await call('GET', '/screen')).json() as ShownScreen));
  return 0;
};

export default command;
