/**
 * `pairing-agent status [--json]`: works whether or not the daemon runs (issue #7). Without a daemon
 * it reads the state file and changes nothing.
 */
import { loadConfig } from '../../config/index.js';
import { readStatus } from '../../daemon/read-status.js';
import { statusLine } from '../../daemon/status.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print the status as a JSON object (state, who, expiry, daemon)' },
};
export const examples = ['pairing-agent status', 'pairing-agent status --json --config /etc/pairing-agent/config.json'];

const command: Command = async ({ values, configPath, io }) => {
  const { config } = loadConfig({ path: configPath, env: io.env });
  const status = await readStatus(config);
  io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : `${statusLine(status)}\n`);
  return 0;
};

export default command;
