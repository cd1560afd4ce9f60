import { join } from 'node:path';
import type { Config } from '../config/types.js';

/** The control socket (0600) lives in the 0700 state directory: only the agent's user and root reach it. */
export const CONTROL_SOCKET = 'control.sock';

export const controlSocketPath = (config: Pick<Config, 'state_dir'>): string => join(config.state_dir, CONTROL_SOCKET);
