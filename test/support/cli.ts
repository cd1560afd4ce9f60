/**
 * Runs the built CLI (dist/, as installed on a device) in a child process, the way a user or a unit
 * file would. `npm test` builds before running vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runBuiltCli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does)`);
  // A clean environment: no PAIRING_AGENT_* leaking in from the developer's shell.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAIRING_AGENT_')));
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
