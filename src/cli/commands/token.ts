/**
 * `pairing-agent token`: a valid access token and a newline on stdout (issue #7), refreshed first if
 * it is about to expire. Through the daemon when it runs (one writer); otherwise under the state lock.
 */
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { streamLogger } from '../../daemon/log.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { tokenProblem, type TokenProblem } from '../../daemon/token-policy.js';
import { agentWaitMs, replyWaitMs } from '../../daemon/waits.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {};
export const details = ['Exits 1 with a one-line reason on stderr when the device is not paired or no valid token can be had.'];
export const examples = ['pairing-agent token', 'curl -H "Authorization: Bearer $(pairing-agent token)" https://api.example/'];

const command: Command = async ({ configPath, io, logFormat }) => {
  const { config } = loadConfig({ path: configPath, env: io.env });
  const waitMs = agentWaitMs(config);
  const viaDaemon = await callDaemon(controlSocketPath(config), 'GET', '/token', replyWaitMs(waitMs));
  // The daemon's answer is its decision as HTTP; without a daemon the decision is made here (issue #14).
  const answer: string | Problem =
    viaDaemon === undefined
      ? await (await import('../../daemon/oneshot.js')).withLocalAgent(config, streamLogger(io.stderr, logFormat ?? config.log_format), async (agent, clock) => {
          const { decideToken } = await import('../../agent/decide-token.js');
          const d = await decideToken({ agent, clock, refreshWaitMs: waitMs });
          return d.kind === 'token' ? d.accessToken : tokenProblem(d);
        })
      : fromDaemon(viaDaemon.status, viaDaemon.json() as Record<string, unknown>);
  if (typeof answer === 'string') {
    io.stdout(`${answer}\n`);
    return 0;
  }
  const { error, state, reason } = answer;
  io.stderr(
    error === 'not_paired'
      ? `pairing-agent: not paired (state ${String(state)}): ${reason === undefined ? '' : `${String(reason)}; `}press the button or run the daemon to pair\n`
      : `pairing-agent: no valid access token right now: ${String(reason ?? error)}\n`,
  );
  return 1;
};

/** Why there is no token: `tokenProblem`'s fields, as a daemon (maybe of another version) put them. */
type Problem = Partial<Record<keyof TokenProblem, unknown>>;

/** `GET /token`'s reply: the access token, or the problem. */
function fromDaemon(status: number, body: Record<string, unknown>): string | Problem {
  return status === 200 && typeof body.access_token === 'string' ? body.access_token : body;
}

export default command;
