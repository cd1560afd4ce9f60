/**
 * The shell around the pure token decision (`pairing/token-decision.ts`, issue #7, #12): what the
 * daemon's `GET /token` and the `token` and `dpop-proof` commands without a daemon run, on the agent
 * itself. Here, not in the daemon's HTTP module: a command without a daemon decides with no HTTP
 * client or server loaded (issue #18, start-up on a Pi's budget).
 */
import { tokenDecision, type TokenAnswerDecision } from '../pairing/token-decision.js';
import type { Agent } from './agent.js';
import type { Clock } from './clock.js';

export interface TokenAsk {
  agent: Agent;
  clock: Clock;
  /** How long to wait for a refresh before answering `refresh_pending` (`daemon/waits.ts` agentWaitMs). */
  refreshWaitMs: number;
}

/**
 * A token near expiry is refreshed first, one refresh at a time however many callers (the state
 * machine ignores `token_wanted` while `refreshing`), and the decision is made again on its outcome.
 */
export async function decideToken(o: TokenAsk): Promise<TokenAnswerDecision> {
  const { agent, clock } = o;
  const first = tokenDecision(agent.state, clock.now(), false, agent.readOnlyStateDir);
  if (first.kind !== 'refresh' && first.kind !== 'await_refresh') return first;
  if (first.kind === 'refresh') await agent.dispatch({ type: 'token_wanted' });
  const state = (await agent.waitFor((s) => s.name !== 'refreshing', o.refreshWaitMs)) ?? agent.state;
  return tokenDecision(state, clock.now(), true, agent.readOnlyStateDir);
}
