/**
 * Waits until the agent is in a given state (issue #17: `pairing-agent wait`, the testing API's
 * `waitFor`). A running daemon holds the question until the state is reached (`GET /status?wait=`),
 * so the answer comes the moment the agent gets there; without a daemon the state file is read again
 * every {@link STATE_FILE_POLL_MS}. A daemon that starts or stops meanwhile is picked up on the next look.
 */
import { AgentError } from '../errors.js';
import type { StateName } from '../pairing/state.js';
import { readStatus, readStatusFile, type StatusConfig } from './read-status.js';
import type { Status } from './status.js';
import { deadline } from './waits.js';

/**
 * Between two looks when no daemon holds the question (ms). Without a daemon the file only changes when
 * a one-shot command or a starting daemon writes it: four looks a second cost nothing and keep `wait`
 * well under a second behind.
 */
export const STATE_FILE_POLL_MS = 250;

export interface WaitOutcome {
  /** Whether the agent reached the state before the time ran out. */
  reached: boolean;
  /** The status in that state, or the last one seen. */
  status: Status;
}

export interface WaitOptions {
  /**
   * Only a running daemon's answer counts: for a script that has just started `pairing-agent run` in
   * the background and must not press before it listens (issue #17, README "Test your device flow in CI").
   */
  daemon?: boolean;
}

export async function waitForState(config: StatusConfig, state: StateName, timeoutMs: number, options: WaitOptions = {}): Promise<WaitOutcome> {
  const wait = deadline(timeoutMs);
  for (;;) {
    const status = await look(config, state, wait.left());
    if (status.state === state && (status.daemon || options.daemon !== true)) return { reached: true, status };
    const left = wait.left();
    if (left <= 0) return { reached: false, status };
    // The daemon answered early (it is stopping, or it is an older one that does not wait), or there
    // is none: look again shortly rather than in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, Math.min(STATE_FILE_POLL_MS, left)));
  }
}

async function look(config: StatusConfig, state: StateName, timeoutMs: number): Promise<Status> {
  try {
    return await readStatus(config, { state, timeoutMs });
  } catch (error) {
    if (error instanceof AgentError) throw error;
    // The daemon stopped while holding the question (its connections are closed on stop), or hung:
    // the state file says where the agent is now.
    return readStatusFile(config);
  }
}
