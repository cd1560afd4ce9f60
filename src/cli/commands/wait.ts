/**
 * `pairing-agent wait <state> [--timeout SECONDS] [--json]` (issue #17): returns as soon as the agent
 * is in `<state>`, with the status, so a CI script needs no polling loop of its own. Exit 0 when the
 * state is reached, 1 on timeout (with the last status), 2 for a state name that does not exist.
 * Works with or without a daemon, like `status`.
 */
import { loadConfig } from '../../config/index.js';
import { STATE_NAMES, isStateName, statusLine } from '../../daemon/status.js';
import { waitForState } from '../../daemon/wait-state.js';
import { UsageError } from '../../errors.js';
import type { Command, OptionSpec } from '../io.js';


/**
 * Without `--timeout`: ten minutes, the longest device-code lifetime most providers grant (RFC 8628
 * §3.2 `expires_in`; 5–15 min in practice). A pairing nobody approves must not hold a CI job for hours.
 */
export const DEFAULT_WAIT_SECONDS = 600;

/** `--timeout` in seconds (fractions allowed, 0 = look once) to milliseconds. */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WAIT_SECONDS * 1000;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--timeout must be a number of seconds (0 or more), got ${JSON.stringify(text)}`);
  }
  return Math.round(seconds * 1000);
}

export const options: Record<string, OptionSpec> = {
  timeout: { type: 'string', value: 'SECONDS', description: `give up after this long, exit 1 (default ${DEFAULT_WAIT_SECONDS}; 0 = look once)` },
  json: { type: 'boolean', description: 'print the status as a JSON object' },
  daemon: { type: 'boolean', description: 'count only a running daemon\'s answer (after starting one in the background)' },
};
export const positionals = true;
export const details = [`<state> is one of: ${STATE_NAMES.join(', ')}.`];
export const examples = ['pairing-agent wait paired --timeout 300', 'pairing-agent wait awaiting_user --json', 'pairing-agent run & pairing-agent wait unpaired --daemon --timeout 30'];

const command: Command = async ({ positionals: args, values, configPath, io, showUsage }) => {
  if (args.length === 0) return showUsage();
  const [state, ...rest] = args;
  if (state === undefined || rest.length > 0) throw new UsageError('wait takes one state name (see pairing-agent wait --help)', 'wait');
  if (!isStateName(state)) throw new UsageError(`unknown state "${state}" (one of: ${STATE_NAMES.join(', ')})`);
  const timeoutMs = parseTimeout(typeof values.timeout === 'string' ? values.timeout : undefined);
  const { config } = loadConfig({ path: configPath, env: io.env });
  const daemon = values.daemon === true;
  const { reached, status } = await waitForState(config, state, timeoutMs, { daemon });
  io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : `${statusLine(status)}\n`);
  if (!reached) {
    const where = daemon && !status.daemon ? 'no daemon running' : `state: ${status.state}`;
    io.stderr(`pairing-agent: timed out after ${timeoutMs / 1000} s waiting for ${state}${daemon ? ' from a daemon' : ''} (${where})\n`);
  }
  return reached ? 0 : 1;
};

export default command;
