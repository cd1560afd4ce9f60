/**
 * `pairing-agent status [--json]`: works whether or not the daemon runs (issue #7). Without a daemon
 * it reads the state file and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { callDaemon } from '../../daemon/client.js';
import { controlSocketPath } from '../../daemon/paths.js';
import { statusLine, statusOf, type Status } from '../../daemon/status.js';
import { AgentError, jsonSyntaxProblem } from '../../errors.js';
import { STATE_FILE, parseStateDocument } from '../../store/state-schema.js';
import type { Command } from '../io.js';

export async function readStatus(config: { state_dir: string; http_timeout_ms: number }): Promise<Status> {
  const reply = await callDaemon(controlSocketPath(config), 'GET', '/status', config.http_timeout_ms);
  if (reply !== undefined && reply.status === 200) return reply.json() as Status;
  const path = join(config.state_dir, STATE_FILE);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return statusOf({ name: 'unpaired' }, false);
    throw new AgentError('ERR_STATE', `${path}: ${error instanceof SyntaxError ? jsonSyntaxProblem(error) : `cannot read it (${code})`}`);
  }
  const parsed = parseStateDocument(doc);
  if (!parsed.ok) throw new AgentError('ERR_STATE', `${path}: ${parsed.problem} (the agent will keep it aside and start unpaired)`);
  return statusOf(parsed.state ?? { name: 'unpaired' }, false);
}

const command: Command = async ({ args, configPath, io }) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: false, strict: true });
  const { config } = loadConfig({ path: configPath, env: io.env });
  const status = await readStatus(config);
  io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : `${statusLine(status)}\n`);
  return 0;
};

export default command;
