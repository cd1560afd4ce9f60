/**
 * `pairing-agent sim press [--long]` and `pairing-agent sim screen --png FILE|-`: drive the simulated
 * device of a running daemon (`hal: "sim"`) from outside (issue #5, #7). `--png -` writes the PNG to
 * stdout (issue #15).
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
export const details = ['The daemon must run with "hal": "sim".'];
export const examples = ['pairing-agent sim press', 'pairing-agent sim screen --png screen.png', 'pairing-agent sim screen --png - > screen.png'];

const command: Command = async ({ positionals: args, values, configPath, io, showUsage }) => {
  if (args.length === 0) return showUsage();
  const [action, ...rest] = args;
  if (rest.length > 0 || (action !== 'press' && action !== 'screen')) {
    throw new UsageError(`unknown action "${args.join(' ')}": use "sim press [--long]" or "sim screen --png FILE|-"`, 'sim');
  }
  const png = typeof values.png === 'string' ? values.png : undefined;
  if (action === 'screen' && png === undefined) throw new UsageError('sim screen needs --png FILE (or --png - for stdout)', 'sim');
  if (png === '-' && io.stdoutIsTTY) throw new UsageError('will not write a PNG to a terminal: redirect it (--png - > screen.png)', 'sim');
  const { config } = loadConfig({ path: configPath, env: io.env });
  const socket = controlSocketPath(config);
  const reply =
    action === 'press'
      ? await callDaemon(socket, 'POST', values.long ? '/long-press' : '/press', config.http_timeout_ms)
      : await callDaemon(socket, 'GET', '/screen.png', config.http_timeout_ms);
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
  return 0;
};

export default command;
