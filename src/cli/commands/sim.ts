/**
 * `pairing-agent sim press [--long]`, `sim screen --png FILE|-` and `sim qr`: drive the simulated
 * device of a running daemon (`hal: "sim"`) from outside (issue #5, #7), and read its QR code as a
 * phone would (issue #17). `--png -` writes the PNG to stdout (issue #15).
 */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { AgentError, UsageError } from '../../errors.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {
  long: { type: 'boolean', description: 'press: a long press (unpair) instead of a short one (pair)' },
  png: { type: 'string', value: 'FILE', description: 'screen: where to save the screen as PNG ("-" for stdout)' },
};
export const positionals = true;
export const details = [
  'The daemon must run with "hal": "sim".',
  'sim qr prints the text of the QR code on the panel, read dark on light as a phone reads it; exit 1 when the panel shows none.',
];
export const examples = ['pairing-agent sim press', 'pairing-agent sim screen --png screen.png', 'pairing-agent sim screen --png - > screen.png', 'pairing-agent sim qr'];

const command: Command = async ({ positionals: args, values, configPath, io, showUsage }) => {
  if (args.length === 0) return showUsage();
  const [action, ...rest] = args;
  if (rest.length > 0 || (action !== 'press' && action !== 'screen' && action !== 'qr')) {
    throw new UsageError(`unknown action "${args.join(' ')}": use "sim press [--long]", "sim screen --png FILE|-" or "sim qr"`, 'sim');
  }
  const png = typeof values.png === 'string' ? values.png : undefined;
  if (action === 'screen' && png === undefined) throw new UsageError('sim screen needs --png FILE (or --png - for stdout)', 'sim');
  if (png === '-' && io.stdoutIsTTY) throw new UsageError('will not write a PNG to a terminal: redirect it (--png - > screen.png)', 'sim');
  const { config } = loadConfig({ path: configPath, env: io.env });
  const socket = controlSocketPath(config);
  const reply =
    action === 'press'
      ? await callDaemon(socket, 'POST', values.long ? '/long-press' : '/press', config.http_timeout_ms)
      : await callDaemon(socket, 'GET', '/screen.png', config.http_timeout_ms); // `screen` and `qr`
  if (reply === undefined) throw new AgentError('ERR_STATE', `no pairing-agent daemon is running on ${config.state_dir} (start it with "pairing-agent run")`);
  if (reply.status === 409) throw new AgentError('ERR_HARDWARE', `the running daemon has no simulated ${action === 'press' ? 'button' : 'display'} (set "hal": "sim")`);
  if (reply.status >= 300) throw new AgentError('ERR_STATE', `the daemon answered HTTP ${reply.status}`);
  if (action === 'screen' && png !== undefined) {
    if (png === '-') {
      io.stdout(reply.body);
    } else {
      writeFileSync(png, reply.body);
      io.stdout(`${png}\n`);
    }
  }
  if (action === 'qr') {
    // The QR decoder is loaded by this action alone (issue #17, issue #9: start-up of every other command).
    const { readPanelQr } = await import('../../screens/qr-read.js');
    const text = await readPanelQr(reply.body).catch((error: unknown) => {
      throw error instanceof RangeError ? new AgentError('ERR_STATE', `the daemon's screenshot cannot be read: ${error.message}`) : error;
    });
    if (text === undefined) throw new AgentError('ERR_STATE', 'the simulated panel shows no QR code');
    io.stdout(`${text}\n`);
  }
  return 0;
};

export default command;
