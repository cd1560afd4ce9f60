/**
 * `pairing-agent run`: the daemon in the foreground (issue #7). Logs go to stderr, one line per event
 * (journald); SIGTERM and SIGINT stop it cleanly.
 */
import { loadConfig } from '../../config/index.js';
import { startDaemon } from '../../daemon/daemon.js';
import { streamLogger } from '../../daemon/log.js';
import type { Command, OptionSpec } from '../io.js';

export const options: Record<string, OptionSpec> = {};
export const details = ['Logs one line per event on stderr (journald); SIGTERM or Ctrl-C stops it cleanly.'];
export const examples = ['pairing-agent run --config /etc/pairing-agent/config.json'];

const command: Command = async ({ configPath, io, logFormat, debug }) => {
  const { config, path } = loadConfig({ path: configPath, env: io.env });
  const log = streamLogger(io.stderr, logFormat ?? config.log_format, debug);
  log('starting', { config: path, hal: config.hal, state_dir: config.state_dir });
  // The handlers go in before the start: a SIGTERM that arrives while it runs (systemd restarting a
  // unit it was just told is ready; the daemon loads its HTTP client right after `ready`) would otherwise
  // meet the default action and kill the daemon mid-start. It is acted on once the daemon is up.
  let requested: string | undefined;
  let onSignal = (signal: string) => {
    requested ??= signal;
  };
  // Listeners stay installed (`on`, not `once`): a library hooking the same signals may re-raise the
  // signal at the process after its own clean-up (conf's atomically did, through when-exit, while it
  // wrote the state). With no listener of ours left, that second SIGTERM would kill the daemon in the
  // middle of its clean stop.
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  const daemon = await startDaemon({ config, log, env: io.env });
  return new Promise<number>((resolve) => {
    let stopping = false;
    onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log('signal', { signal });
      daemon.stop().then(
        () => resolve(0),
        (error: unknown) => {
          log('fatal', { error: (error as Error).message });
          resolve(1);
        },
      );
    };
    if (requested !== undefined) onSignal(requested);
  });
};

export default command;
