/**
 * The agent's status, from the running daemon when there is one, else from the state file (issue #7:
 * `status` works with or without a daemon; without one it reads and changes nothing).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { AgentError } from '../errors.js';
import type { StateName } from '../pairing/state.js';
import { DPOP_KEY_FILE } from '../store/dpop-key.js';
import { needsDpopKey } from '../store/dpop-state-store.js';
import { STATE_FILE, readState } from '../store/file-store.js';
import { onReadOnlyFileSystem } from '../store/private-dir.js';
import { callDaemon } from './client.js';
import { controlSocketPath } from './paths.js';
import { statusWaitMs } from './waits.js';
import { printableStatus, statusOf, type Status } from './status.js';

export type StatusConfig = Pick<Config, 'state_dir' | 'http_timeout_ms'>;

/**
 * With `wait`, a running daemon answers once the agent is in that state or after `timeoutMs`
 * (`GET /status?wait=`, issue #17); the state file is read at once either way.
 */
export async function readStatus(config: StatusConfig, wait?: { state: StateName; timeoutMs: number }): Promise<Status> {
  const path = wait === undefined ? '/status' : `/status?wait=${wait.state}&timeout_ms=${Math.max(0, Math.round(wait.timeoutMs))}`;
  const reply = await callDaemon(controlSocketPath(config), 'GET', path, statusWaitMs(config, wait?.timeoutMs));
  // A daemon's answer is made printable here too: it may come from another version (issue #13).
  if (reply !== undefined && reply.status === 200) return printableStatus(reply.json() as Status);
  return readStatusFile(config);
}

/** The status the state file describes, as if no daemon ran. */
export function readStatusFile(config: Pick<Config, 'state_dir'>): Status {
  const path = join(config.state_dir, STATE_FILE);
  // The store's own read: never through a link, never more than a state file can be (issue #13).
  const parsed = readState(path);
  // Whatever is wrong with it (not JSON, not a state, not a file), the agent's store keeps it aside (issue #4).
  if (!parsed.ok) throw new AgentError('ERR_STATE', `${path}: ${parsed.problem} (the agent will keep it aside and start unpaired)`);
  // A DPoP pairing without its key is lost (issue #19): say so now, as the agent will when it starts.
  // The daemon serves no control socket from a read-only directory: say why nothing is renewed (issue #13).
  const readOnly = onReadOnlyFileSystem(config.state_dir) ? config.state_dir : undefined;
  if (needsDpopKey(parsed.state) && !existsSync(join(config.state_dir, DPOP_KEY_FILE))) return statusOf({ name: 'unpaired', notice: 'pairing_lost' }, false, readOnly);
  return statusOf(parsed.state ?? { name: 'unpaired' }, false, readOnly);
}
