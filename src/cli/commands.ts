import type { CommandModule } from './io.js';

/** What `pairing-agent --help` lists for a command; its options and examples live in its own module. */
export interface CommandEntry {
  summary: string;
  /** One line per form, without the leading `pairing-agent `. */
  usage: string[];
  load: () => Promise<CommandModule>;
}

/**
 * The subcommands, one small file each, loaded only when called so `--help` and `status` start fast
 * on a Pi Zero (issue #9: cold start within 2× of bare node). A new command adds one entry here and
 * one module exporting `options`, `examples` and its `default` function (issue #15).
 */
export const COMMANDS: Record<string, CommandEntry> = {
  run: {
    summary: 'run the agent (the daemon) in the foreground',
    usage: ['run'],
    load: () => import('./commands/run.js'),
  },
  status: {
    summary: 'say whether the device is paired, and to whom (with or without a daemon)',
    usage: ['status [--json]'],
    load: () => import('./commands/status.js'),
  },
  wait: {
    summary: 'wait until the agent is in a state (e.g. paired), then print the status',
    usage: ['wait <state> [--timeout SECONDS] [--json]'],
    load: () => import('./commands/wait.js'),
  },
  token: {
    summary: 'print a valid access token (refreshed first if about to expire)',
    usage: ['token'],
    load: () => import('./commands/token.js'),
  },
  'dpop-proof': {
    summary: 'print a DPoP proof for a request with the current access token (dpop: true)',
    usage: ['dpop-proof --method M --url URL [--nonce N]'],
    load: () => import('./commands/dpop-proof.js'),
  },
  logout: {
    summary: 'unpair: revoke the tokens, then forget them (like a long press)',
    usage: ['logout'],
    load: () => import('./commands/logout.js'),
  },
  sim: {
    summary: 'press the simulated button, save the simulated screen as PNG, print its text or its QR code\'s text',
    usage: ['sim press [--long]', 'sim screen --png FILE|-', 'sim screen --text', 'sim qr'],
    load: () => import('./commands/sim.js'),
  },
  config: {
    summary: 'check the configuration, or print it with secrets redacted',
    usage: ['config check', 'config show [--json]'],
    load: () => import('./commands/config.js'),
  },
};
