/**
 * A command that needs the state while no daemon runs (`token`, `dpop-proof`, `logout`): the same agent
 * and state machine, under the state lock, for one event, with a headless panel.
 */
import { createSimHal } from '../../hal/factory.js';
import type { Agent } from '../agent/agent.js';
import type { Clock } from '../agent/clock.js';
import { createAgent } from '../agent/create.js';
import type { Logger } from '../log-events.js';
import type { Config } from '../config/types.js';
import type { DpopKeyFile } from '../store/dpop-key.js';
import { onReadOnlyFileSystem } from '../store/private-dir.js';
import { waitLock } from './lock.js';
import { lockWaitMs, logoutWaitMs } from './waits.js';

export async function withLocalAgent<T>(config: Config, log: Logger, fn: (agent: Agent, clock: Clock, dpopKeys: DpopKeyFile, proofTime: (htu: string) => number) => Promise<T>): Promise<T> {
  // A read-only state directory has no writer to wait for (a daemon there holds the lock, serves no
  // control socket, and saves nothing): decide from the file at once (issue #13).
  const lock = onReadOnlyFileSystem(config.state_dir) ? { release: async () => undefined } : await waitLock(config.state_dir, lockWaitMs(config));
  try {
    const hal = createSimHal(config);
    // One event, then gone: a command never starts a pairing by itself, whatever `auto_pair` says.
    const { agent, clock, dpopKeys, proofTime } = createAgent({ ...config, auto_pair: false }, { hal, log });
    // What a killed process left in flight is resumed as at start-up: a refresh becomes a deliberate retry
    // after a pause (not waited for); a logout's revocation is sent again (RFC 7009 §2.2) and finished
    // before the command goes on, so no command answers from tokens on their way out.
    const loaded = (await agent.load()).name;
    if (loaded === 'refreshing' || loaded === 'unpairing') await agent.dispatch({ type: 'start' });
    if (loaded === 'unpairing') await agent.waitFor((s) => s.name !== 'unpairing', logoutWaitMs(config));
    try {
      return await fn(agent, clock, dpopKeys, proofTime);
    } finally {
      // Let a request already sent land on disk before the lock is released (a refresh's answer holds
      // the rotated refresh token): a logout's revocation is the longest, two requests and the write.
      await agent.stop(logoutWaitMs(config));
      await hal.close();
    }
  } finally {
    await lock.release();
  }
}
