/**
 * `pairing-agent config check` validates the configuration and says so in one line;
 * `pairing-agent config show [--json]` prints the effective configuration with the secret redacted.
 */
import { loadConfig } from '../../config/index.js';
import { UsageError } from '../../errors.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'config show: print the configuration as JSON' },
};
export const positionals = true;
export const details = ['check: validate the file and the PAIRING_AGENT_* environment, say "ok" or the first problem.'];
export const examples = ['pairing-agent config check --config ./config.json', 'pairing-agent config show --json'];

const command: Command = async ({ positionals: args, values, configPath, io, showUsage }) => {
  // `config` alone prints its usage: it used to check the default file and blame it (issue #15).
  if (args.length === 0) return showUsage();
  const action = args[0];
  if (args.length > 1 || (action !== 'check' && action !== 'show')) {
    throw new UsageError(`unknown action "${args.join(' ')}": use "config check" or "config show [--json]"`, 'config');
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
