/**
 * `pairing-agent logout`: revoke and wipe, like a long press (issue #7).
 */
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { streamLogger } from '../../daemon/log.js';
import { controlSocketPath } from '../../daemon/paths.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {};
export const details = ['Through the running daemon when there is one, otherwise directly under the state lock.'];
export const examples = ['pairing-agent logout --config /etc/pairing-agent/config.json'];

const command: Command = async ({ configPath, io, logFormat }) => {
  const { config } = loadConfig({ path: configPath, env: io.env });
  const waitMs = config.http_timeout_ms * 2 + 2_000;
  const viaDaemon = await callDaemon(controlSocketPath(config), 'POST', '/logout', waitMs + 2_000);
  let state: string;
  if (viaDaemon !== undefined) {
    state = String((viaDaemon.json() as { state?: unknown }).state);
  } else {
    state = await (await import('../../daemon/oneshot.js')).withLocalAgent(config, streamLogger(io.stderr, logFormat ?? config.log_format), async (agent) => {
      const name = agent.state.name;
      if (name === 'paired' || name === 'refreshing' || name === 'awaiting_user' || name === 'unpairing') {
        await agent.dispatch(name === 'unpairing' ? { type: 'start' } : { type: 'long_press', source: 'logout' });
        await agent.waitFor((s) => s.name !== 'unpairing', waitMs);
      }
      return agent.state.name;
    });
  }
  io.stdout(`${state === 'unpaired' ? 'unpaired' : `state: ${state}`}\n`);
  return state === 'unpaired' ? 0 : 1;
};

export default command;
