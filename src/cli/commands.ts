import type { Command } from './io.js';

/**
 * The subcommands, one small file each, loaded only when called so `--help` and `status` start fast
 * on a Pi Zero (issue #9: cold start within 2× of bare node).
 */
export const COMMANDS: Record<string, { summary: string; usage: string; load: () => Promise<{ default: Command }> }> = {
  config: {
    summary: 'check the configuration, or print it with secrets redacted',
    usage: 'config check | config show [--json]',
    load: () => import('./commands/config.js'),
  },
};
