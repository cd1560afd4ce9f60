/**
 * `pairing-agent sim press [--long]` and `pairing-agent sim screen --png FILE`: drive the simulated
 * device of a running daemon (`hal: "sim"`) from outside (issue #5, #7).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { AgentError, UsageError } from '../../errors.js';
import type { Command } from '../io.js';

const USAGE = 'usage: pairing-agent sim press [--long] | sim screen --png FILE';

const command: Command = async ({ args, configPath, io }) => {
  const { values, positionals } = parseArgs({
    args,
    options: { long: { type: 'boolean' }, png: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...rest] = positionals;
  if (rest.length > 0 || (action !== 'press' && action !== 'screen')) throw new UsageError(USAGE);
  if (action === 'screen' && values.png === undefined) throw new UsageError(USAGE);
  const { config } = loadConfig({ path: configPath, env: io.env });
  const socket = controlSocketPath(config);
  const reply =
    action === 'press'
      ? await callDaemon(socket, 'POST', values.long ? '/long-press' : '/press', config.http_timeout_ms)
      : await callDaemon(socket, 'GET', '/screen.png', config.http_timeout_ms);
  if (reply === undefined) throw new AgentError('ERR_STATE', `no pairing-agent daemon is running on ${config.state_dir} (start it with "pairing-agent run")`);
  if (reply.status === 409) throw new AgentError('ERR_HARDWARE', `the running daemon has no simulated ${action === 'press' ? 'button' : 'display'} (set "hal": "sim")`);
  if (reply.status >= 300) throw new AgentError('ERR_STATE', `the daemon answered HTTP ${reply.status}`);
  if (action === 'screen' && values.png !== undefined) {
    writeFileSync(values.png, reply.body);
    io.stdout(`${values.png}\n`);
  }
  return 0;
};

export default command;
