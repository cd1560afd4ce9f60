/**
 * `pairing-agent config check` validates the configuration and says so in one line;
 * `pairing-agent config show [--json]` prints the effective configuration with the secret redacted.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { UsageError } from '../../errors.js';
import type { Command } from '../io.js';

const command: Command = async ({ args, configPath, io }) => {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const action = positionals[0] ?? 'check';
  if (positionals.length > 1 || (action !== 'check' && action !== 'show')) {
    throw new UsageError('usage: pairing-agent config check | config show [--json]');
  }
  const { config, path } = loadConfig({ path: configPath, env: io.env });
  if (action === 'check') {
    io.stdout(`${path}: ok (client_id ${config.client_id}, ${config.issuer ? `issuer ${config.issuer}` : 'explicit endpoints'}, hal ${config.hal})\n`);
    return 0;
  }
  const shown = { ...config, ...(config.client_secret === undefined ? {} : { client_secret: '<redacted>' }) };
  if (values.json) {
    io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
  } else {
    for (const [key, value] of Object.entries(shown)) io.stdout(`${key} = ${JSON.stringify(value)}\n`);
  }
  return 0;
};

export default command;
