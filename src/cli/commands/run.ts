/**
 * `pairing-agent run`: the daemon in the foreground (issue #7). Logs go to stderr, one line per event
 * (journald); SIGTERM and SIGINT stop it cleanly.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { startDaemon } from '../../daemon/daemon.js';
import { streamLogger } from '../../daemon/log.js';
import type { Command } from '../io.js';

const command: Command = async ({ args, configPath, io }) => {
  parseArgs({ args, options: {}, allowPositionals: false, strict: true });
  const { config, path } = loadConfig({ path: configPath, env: io.env });
  const log = streamLogger(io.stderr);
  log('starting', { config: path, hal: config.hal, state_dir: config.state_dir });
  const daemon = await startDaemon({ config, log, env: io.env });
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log('signal', { signal });
      daemon.stop().then(
        () => resolve(0),
        (error: unknown) => {
          log('fatal', { error: (error as Error).message });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
};

export default command;
