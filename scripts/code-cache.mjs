/**
 * Makes the V8 code caches of the command's bundles (issue #18; src/cli/bundle-loader.ts says how they
 * are used): runs the built command the way a device starts it, with scripts/code-cache-writer.cjs
 * preloaded, which saves at exit what V8 compiled. A cache holds the functions that ran, so each bundle
 * is saved from the run that uses it the way it matters:
 * - pairing-agent-cli.cjs from `status --json` (what an app's `token` and `status` run, beside `run`'s
 *   own start, which it shares: the arguments, the configuration);
 * - the daemon's bundle and got's from `run`, until it has its first frame up and the provider's
 *   endpoints resolved (a loopback server here answers discovery).
 *
 *   node scripts/code-cache.mjs [DIST]        (DIST: the built dist/ directory, by default ./dist)
 *
 * Run by `npm run build`, and by deploy/install.sh with the node the service runs: V8 refuses a cache made
 * by another version, and the bundle is then compiled from source as without one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const bin = join(dist, 'pairing-agent.cjs');
const writer = fileURLToPath(new URL('./code-cache-writer.cjs', import.meta.url));
const cacheDir = join(dist, 'v8-cache');
rmSync(cacheDir, { recursive: true, force: true });
mkdirSync(cacheDir, { mode: 0o755 });

const work = mkdtempSync(join(tmpdir(), 'pairing-agent-code-cache-'));
const server = createServer((req, res) => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  if (req.url?.startsWith('/.well-known/')) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ issuer, device_authorization_endpoint: `${issuer}/device`, token_endpoint: `${issuer}/token` }));
  } else {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const config = join(work, 'config.json');
writeFileSync(
  config,
  JSON.stringify({ issuer: `http://127.0.0.1:${server.address().port}`, client_id: 'code-cache', hal: 'sim', state_dir: join(work, 'state'), socket_path: join(work, 'agent.sock') }),
);

/** Runs the command with the writer; stops it with SIGTERM once `until` is logged (or waits for its exit). */
function train(args, names, until) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', writer, bin, '--config', config, ...args], {
      // The caller's PAIRING_AGENT_* variables would be configuration: only the file above is.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PAIRING_AGENT_'))), CODE_CACHE_BUNDLES: names.join(',') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const on = (chunk) => {
      out += chunk;
      if (until?.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || (until === undefined && code !== 0) || (until !== undefined && !until.test(out))) {
        fail(new Error(`code cache: pairing-agent ${args.join(' ')} did not run as expected (${signal ?? `exit ${code}`}):\n${out}`));
      } else done();
    });
  });
}

try {
  await train(['status', '--json'], ['pairing-agent-cli.cjs']);
  await train(['run'], ['pairing-agent-daemon.cjs', 'vendor/got.cjs', 'vendor/qrcode.cjs'], /event=endpoints_resolved/);
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
const made = readdirSync(cacheDir);
if (made.length !== 4) throw new Error(`code cache: expected 4 caches, made ${made.join(', ')}`);
console.log(`code cache: ${made.map((f) => `${f} (${Math.round(statSync(join(cacheDir, f)).size / 1024)} KB)`).join(', ')}`);
