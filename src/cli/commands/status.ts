/**
 * `pairing-agent status [--json]`: works whether or not the daemon runs (issue #7). Without a daemon
 * it reads the state file and changes nothing.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { readStatus } from '../../daemon/read-status.js';
import { statusLine } from '../../daemon/status.js';
import type { Command } from '../io.js';

const command: Command = async ({ args, configPath, io }) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: false, strict: true });
  const { config } = loadConfig({ path: configPath, env: io.env });
  const status = await readStatus(config);
  io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : `${statusLine(status)}\n`);
  return 0;
};

export default command;
