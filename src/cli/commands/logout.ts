/**
 * `pairing-agent logout`: revoke and wipe, like a long press (issue #7). Exit 0 only when the provider
 * confirmed the revocation (RFC 7009 §2.2) or the tokens were already invalid; 3 when they were wiped
 * here but may still be valid there (issue #13).
 */
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { streamLogger } from '../../daemon/log.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { logoutWaitMs, replyWaitMs } from '../../daemon/waits.js';
import { printableStatus, statusOf, type Status } from '../../daemon/status.js';
import { EXIT_FAILURE, EXIT_NOT_REVOKED, EXIT_OK } from '../report.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {};
export const details = ['Through the running daemon when there is one, otherwise directly under the state lock.'];
export const examples = ['pairing-agent logout --config /etc/pairing-agent/config.json'];

const command: Command = async ({ configPath, io, logFormat }) => {
  const { config } = loadConfig({ path: configPath, env: io.env });
  // As long as the daemon's `POST /logout` waits: a revocation is two requests.
  const waitMs = logoutWaitMs(config);
  const viaDaemon = await callDaemon(controlSocketPath(config), 'POST', '/logout', replyWaitMs(waitMs));
  let status: Status;
  if (viaDaemon !== undefined) {
    status = printableStatus(viaDaemon.json() as Status);
  } else {
    status = await (await import('../../daemon/oneshot.js')).withLocalAgent(config, streamLogger(io.stderr, logFormat ?? config.log_format), async (agent) => {
      // An unpairing a killed process left is finished by withLocalAgent; the state machine decides which
      // states the logout applies to (issue #14).
      await agent.dispatch({ type: 'logout' });
      await agent.waitFor((s) => s.name !== 'unpairing', waitMs);
      return statusOf(agent.state, false);
    });
  }
  if (status.state !== 'unpaired') {
    io.stdout(`state: ${String(status.state)}\n`);
    return EXIT_FAILURE;
  }
  io.stdout('unpaired\n');
  if (status.revoked === false) {
    io.stderr(`pairing-agent: unpaired, but the tokens were not revoked (provider's answer: ${status.revoke_reason ?? 'unknown'}); they stay valid at the provider until they expire\n`);
    return EXIT_NOT_REVOKED;
  }
  return EXIT_OK;
};

export default command;
