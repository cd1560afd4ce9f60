/**
 * The agent's errors (issue #14 item 5): each class names itself with a literal, so its name survives the
 * minified CLI bundle; every error carries a stable `code`, and the daemon's own failures have codes of
 * their own (`ERR_LOCK`, `ERR_SOCKET`, `ERR_DAEMON`) instead of borrowing `ERR_STATE` / `ERR_HARDWARE`.
 * Exit codes stay: usage and configuration errors 2, everything else 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { HardwareError } from '../hal/rpi/hardware-error.js';
import simCommand from '../src/cli/commands/sim.js';
import { EXIT_FAILURE, EXIT_USAGE, reportError } from '../src/cli/report.js';
import { validateConfig } from '../src/config/validate.js';
import { startDaemon } from '../src/daemon/daemon.js';
import { tryLock, waitLock } from '../src/daemon/lock.js';
import { listenUnix } from '../src/daemon/unix-server.js';
import { AgentError, ConfigError, NetworkError, OAuthError, ProtocolError, UsageError, type ErrorCode } from '../src/errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pa-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Classes = { [K in 'AgentError' | 'ConfigError' | 'UsageError' | 'OAuthError' | 'ProtocolError' | 'NetworkError' | 'HardwareError']: unknown };

/** One instance of every error class, built from the classes given (the sources, or a bundle of them). */
function samples(c: Classes): [name: string, error: Error & { code: string }][] {
  const k = c as unknown as {
    AgentError: typeof AgentError;
    ConfigError: typeof ConfigError;
    UsageError: typeof UsageError;
    OAuthError: typeof OAuthError;
    ProtocolError: typeof ProtocolError;
    NetworkError: typeof NetworkError;
    HardwareError: typeof HardwareError;
  };
  return [
    // `AgentError` is the HAL's base class itself (hal/errors.ts), so a hardware error is an AgentError too.
    ['CodedError', new k.AgentError('ERR_STATE', 'cannot save the state')],
    ['ConfigError', new k.ConfigError('must be a string', '/etc/pairing-agent/config.json', 'client_id')],
    ['UsageError', new k.UsageError('unknown command "frob"')],
    ['OAuthError', new k.OAuthError(400, 'invalid_grant', 'the code expired')],
    ['ProtocolError', new k.ProtocolError('device_code', '"response" body "device_code" property must be a string', 200)],
    ['NetworkError', new k.NetworkError('timed out', { requestMayHaveBeenProcessed: false, reason: 'ETIMEDOUT' })],
    ['HardwareError', new k.HardwareError('busy', 'GPIO 17 is in use by another program or driver')],
  ];
}

describe('error classes have fixed names (issue #14 item 5)', () => {
  it.each(samples({ AgentError, ConfigError, UsageError, OAuthError, ProtocolError, NetworkError, HardwareError }))('%s', (name, error) => {
    expect(error.name).toBe(name);
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.stack?.split('\n')[0]).toBe(`${name}: ${error.message}`);
    expect(error).toBeInstanceOf(AgentError);
  });

  it('keep them when the sources are minified without keepNames (the CLI is shipped as a minified bundle)', async () => {
    const bundle = await build({
      stdin: {
        contents: "export * from './src/errors.ts'; export { HardwareError } from './hal/rpi/hardware-error.ts';",
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      minify: true,
      keepNames: false,
      write: false,
      logLevel: 'silent',
    });
    const file = join(dir, 'errors.min.mjs');
    writeFileSync(file, bundle.outputFiles[0]!.text);
    const minified = (await import(pathToFileURL(file).href)) as Classes;
    // The classes themselves were renamed: only a literal name can survive.
    expect((minified.ConfigError as { name: string }).name).not.toBe('ConfigError');
    expect(samples(minified).map(([, error]) => error.name)).toEqual(samples(minified).map(([name]) => name));
  });
});

describe('stable codes, and the exit code each one ends a command with', () => {
  const io = { stdout: () => {}, stderr: () => {}, env: {} };
  it.each<[ErrorCode, number]>([
    ['ERR_CONFIG', EXIT_USAGE],
    ['ERR_USAGE', EXIT_USAGE],
    ['ERR_PROTOCOL', EXIT_FAILURE],
    ['ERR_OAUTH', EXIT_FAILURE],
    ['ERR_NETWORK', EXIT_FAILURE],
    ['ERR_STATE', EXIT_FAILURE],
    ['ERR_LOCK', EXIT_FAILURE],
    ['ERR_SOCKET', EXIT_FAILURE],
    ['ERR_DAEMON', EXIT_FAILURE],
    ['ERR_HARDWARE', EXIT_FAILURE],
  ])('%s exits %i', (code, exit) => {
    expect(reportError(new AgentError(code, 'x'), io)).toBe(exit);
  });
});

describe("the daemon's failures have codes of their own, not ERR_STATE or ERR_HARDWARE", () => {
  it('a state directory another process holds is ERR_LOCK, for a command and for a second daemon', async () => {
    const stateDir = mkdtempSync(join(dir, 'state-'));
    const held = await tryLock(stateDir);
    if (!('release' in held)) throw new Error('the lock should be free');
    try {
      await expect(waitLock(stateDir, 50)).rejects.toMatchObject({ code: 'ERR_LOCK', message: `the state in ${stateDir} is busy: another pairing-agent process holds its lock` });
      const config = validateConfig({ file: { issuer: 'https://idp.example.com', client_id: 'c', hal: 'sim', state_dir: stateDir }, path: 'config.json', env: {} });
      await expect(startDaemon({ config, log: () => {}, env: {} })).rejects.toMatchObject({
        code: 'ERR_LOCK',
        message: `another pairing-agent is already running on ${stateDir} (or a command is using its state)`,
      });
    } finally {
      await held.release();
    }
  });

  it('a socket path that holds something else is ERR_SOCKET', async () => {
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, '');
    await expect(listenUnix(file, 0o600, () => {})).rejects.toMatchObject({
      code: 'ERR_SOCKET',
      message: `${file} exists and is not a socket: remove it, or set socket_path to another path`,
    });
  });

  it('sim with no daemon running is ERR_DAEMON, and exit 1', async () => {
    const stateDir = join(dir, 'no-daemon');
    const configPath = join(dir, 'no-daemon.json');
    writeFileSync(configPath, JSON.stringify({ issuer: 'https://idp.example.com', client_id: 'c', hal: 'sim', state_dir: stateDir, socket_path: join(dir, 'no-daemon.sock') }));
    let stderr = '';
    const io = { stdout: () => {}, stderr: (text: string) => void (stderr += text), env: {} };
    const failure = await simCommand({ positionals: ['press'], values: {}, configPath, io, logFormat: undefined, debug: false, showUsage: () => EXIT_USAGE }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ERR_DAEMON', message: `no pairing-agent daemon is running on ${stateDir} (start it with "pairing-agent run")` });
    expect(reportError(failure, io)).toBe(EXIT_FAILURE);
    expect(stderr).toBe(`pairing-agent: no pairing-agent daemon is running on ${stateDir} (start it with "pairing-agent run")\n`);
  });
});
