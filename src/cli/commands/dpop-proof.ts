/**
 * `pairing-agent dpop-proof --method GET --url URL`: a DPoP proof (RFC 9449 §4, §7) for one request
 * with the current access token, signed by the agent's key (issue #19). With `--json`, the proof and
 * the access token it is bound to (use them together: a refresh in between changes the token).
 * Through the daemon when it runs; otherwise under the state lock, like `token`.
 */
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { streamLogger } from '../../daemon/log.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { agentWaitMs, replyWaitMs } from '../../daemon/waits.js';
import { UsageError } from '../../errors.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {
  method: { type: 'string', value: 'M', description: 'the method of the request the proof is for (htm)' },
  url: { type: 'string', value: 'URL', description: 'its URL (htu: the query and fragment are left out)' },
  nonce: { type: 'string', value: 'N', description: "the API's DPoP-Nonce, when it asked for one" },
  json: { type: 'boolean', description: 'print the proof and its access token as JSON' },
};
export const details = [
  'Needs a pairing made with "dpop": true. Send the proof as the DPoP header',
  'and the access token (--json shows the one it is bound to) as',
  '"Authorization: DPoP <token>". Exits 1 with a one-line reason when the',
  'device is not paired or the pairing has no DPoP key.',
];
export const examples = [
  'pairing-agent dpop-proof --method GET --url https://api.example/photos',
  'pairing-agent dpop-proof --method POST --url https://api.example/upload --json',
];

const command: Command = async ({ values, configPath, io, logFormat }) => {
  if (typeof values.method !== 'string' || typeof values.url !== 'string') throw new UsageError('needs --method M and --url URL (see pairing-agent dpop-proof --help)', 'dpop-proof');
  const request = { htm: values.method, htu: values.url, ...(typeof values.nonce === 'string' ? { nonce: values.nonce } : {}) };
  const { config } = loadConfig({ path: configPath, env: io.env });
  const waitMs = agentWaitMs(config);
  const viaDaemon = await callDaemon(controlSocketPath(config), 'POST', '/dpop-proof', replyWaitMs(waitMs), request);
  const reply =
    viaDaemon === undefined
      ? await (await import('../../daemon/oneshot.js')).withLocalAgent(config, streamLogger(io.stderr, logFormat ?? config.log_format), async (agent, clock, dpopKeys, proofTime) => {
          // The daemon's answer made here, without its HTTP server (issue #18).
          const [{ decideToken }, { tokenHttp }, { proofReply }] = await Promise.all([import('../../agent/decide-token.js'), import('../../daemon/token-policy.js'), import('../../daemon/dpop-proof.js')]);
          const token = async () => tokenHttp(await decideToken({ agent, clock, refreshWaitMs: waitMs }));
          const r = await proofReply(request, { token, key: () => dpopKeys.load(), now: proofTime });
          return { status: r.status, body: r.body as Record<string, unknown> };
        })
      : { status: viaDaemon.status, body: viaDaemon.json() as Record<string, unknown> };
  if (reply.status === 200 && typeof reply.body.dpop === 'string') {
    io.stdout(values.json ? `${JSON.stringify(reply.body)}\n` : `${reply.body.dpop}\n`);
    return 0;
  }
  const { error, state, reason } = reply.body;
  if (error === 'invalid_request') throw new UsageError(String(reason), 'dpop-proof');
  io.stderr(
    error === 'not_paired'
      ? `pairing-agent: not paired (state ${String(state)}): press the button or run the daemon to pair\n`
      : `pairing-agent: no DPoP proof: ${String(reason ?? error)}\n`,
  );
  return 1;
};

export default command;
