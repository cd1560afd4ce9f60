/**
 * The token socket's directory (issue #13 item 7). Outside the state directory it is made 0750 — the
 * agent's group may reach the 0660 socket, nobody else may — whatever the umask (systemd's UMask=0077
 * would make it 0700). The default runtime directory (/run/pairing-agent, for an agent started by hand)
 * is used only when it can be: otherwise the socket goes back into the state directory, and the log
 * says so.
 */
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log-events.js';
import { DEFAULT_RUNTIME_DIR, SOCKET_NAME } from '../config/schema.js';
import { AgentError } from '../errors.js';

const SOCKET_DIR_MODE = 0o750;

/** Makes the socket's directory ready; returns where the socket goes. @throws AgentError, one line */
export function prepareSocketPath(socketPath: string, stateDir: string, log: Logger): string {
  const dir = dirname(socketPath);
  if (dir === stateDir) return socketPath;
  try {
    const created = mkdirSync(dir, { recursive: true, mode: SOCKET_DIR_MODE });
    if (created !== undefined) groupReachable(dir);
    return socketPath;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (socketPath === join(DEFAULT_RUNTIME_DIR, SOCKET_NAME)) {
      const fallback = join(stateDir, SOCKET_NAME);
      log('socket_fallback', { wanted: socketPath, reason: code, socket: fallback, note: 'only the agent user can reach it; set socket_path to share it' });
      return fallback;
    }
    throw new AgentError('ERR_SOCKET', `cannot create ${dir} for the socket (${code}): create it for the agent's user, or set socket_path elsewhere`);
  }
}

/** 0750 on a directory we just made, through its descriptor (never a path that may be swapped). */
function groupReachable(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    if ((fstatSync(fd).mode & 0o777) !== SOCKET_DIR_MODE) fchmodSync(fd, SOCKET_DIR_MODE);
  } finally {
    closeSync(fd);
  }
}
