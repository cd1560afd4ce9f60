/**
 * The command's bundles (issue #18, scripts/bundle-cli.mjs): its own two, and the npm packages it bundles
 * into dist/vendor/, loaded as built, in a child process of their own, as the daemon loads them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const VENDOR = join(DIST, 'vendor');

/** Runs `script` (CommonJS) in a fresh node; its stdout parsed as JSON. */
function inNode(script: string): unknown {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: DIST, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as unknown;
}

/** The files of the repository a bundle was built from, by its source map. */
function sourcesOf(bundle: string): string[] {
  return (JSON.parse(readFileSync(join(DIST, `${bundle}.map`), 'utf8')) as { sources: string[] }).sources.filter((s) => s.startsWith('../'));
}

describe('dist/pairing-agent-cli.cjs and dist/pairing-agent-daemon.cjs', () => {
  it('the first, which status and token load, holds none of the daemon, the agent, the screens or the hardware layer', () => {
    const first = sourcesOf('pairing-agent-cli.cjs');
    expect(first).toContain('../src/cli/commands/token.ts');
    expect(first.filter((s) => /^\.\.\/(src\/(agent|screens|oauth\/http)|hal\/(?!errors)|src\/daemon\/daemon\.ts)/.test(s))).toEqual([]);
    expect(sourcesOf('pairing-agent-daemon.cjs')).toEqual(expect.arrayContaining(['../src/daemon/daemon.ts', '../src/agent/agent.ts', '../hal/factory.ts']));
  });

  it('hold each module once: what both need is in the first, and the second takes it from there', () => {
    const first = sourcesOf('pairing-agent-cli.cjs');
    expect(first).toContain('../src/errors.ts');
    expect(sourcesOf('pairing-agent-daemon.cjs').filter((s) => first.includes(s))).toEqual([]);
  });
});

describe('dist/vendor/got.cjs', () => {
  it('builds no Intl.ListFormat while loading (ICU locale data), and still words a list in its messages', () => {
    const result = inNode(`
      let built = 0;
      Intl.ListFormat = class extends Intl.ListFormat { constructor(...args) { super(...args); built++; } };
      const { got } = require('./vendor/got.cjs');
      const atLoad = built;
      let message = '';
      try { got.extend({ searchParams: { a: {} } }); } catch (error) { message = error.message; }
      console.log(JSON.stringify({ atLoad, message, afterMessage: built }));
    `);
    expect(result).toEqual({
      atLoad: 0,
      message: "Option 'searchParams.a': Expected values which are `string`, `number`, `boolean`, `null`, or `undefined`. Received values of type `Object`.",
      afterMessage: 2,
    });
  });

  it('does not load node:http2 (http2-wrapper) until a request asks for HTTP/2', () => {
    const result = inNode(`
      const { got } = require('./vendor/got.cjs');
      got.extend({ timeout: { request: 1000 }, retry: { limit: 0 } });
      const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
      console.log(JSON.stringify({ http2: builtins.includes('http2'), https: builtins.includes('https') }));
    `);
    expect(result).toEqual({ http2: false, https: true });
  });
});

describe('dist/THIRD-PARTY-NOTICES.txt', () => {
  it('names every npm package with code in a bundle, with its version and licence text', () => {
    const notices = readFileSync(join(DIST, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    const maps = [join(DIST, 'pairing-agent-cli.cjs.map'), join(DIST, 'pairing-agent-daemon.cjs.map'), ...readdirSync(VENDOR).filter((f) => f.endsWith('.map')).map((f) => join(VENDOR, f))];
    const packages = new Set<string>();
    for (const map of maps) {
      for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
        const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1];
        if (name !== undefined) packages.add(name);
      }
    }
    expect([...packages]).toEqual(expect.arrayContaining(['got', 'jose', 'qrcode', '@sindresorhus/is']));
    for (const name of packages) {
      const root = fileURLToPath(new URL(`../../node_modules/${name}/`, import.meta.url));
      const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
      const licence = readdirSync(root).find((f) => /^licen[cs]e/i.test(f));
      expect(licence, name).toBeDefined();
      expect(notices).toContain(`${name} ${version} (`);
      expect(notices).toContain(readFileSync(join(root, licence ?? ''), 'utf8').trim());
    }
  });
});

describe('the package', () => {
  it('ships every file the command requires beside itself, and the notices', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const packed = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    // The bundles load each other through the bin's loader (`__load`), or plainly (`require("./…")`); the
    // bin knows each bundle it may load by its build id.
    const requiredBy = (file: string) =>
      [...readFileSync(join(DIST, file), 'utf8').matchAll(/(?:require\("\.\/|__load\(")([^"]+)"\)|"([\w/-]+\.cjs)":"[0-9a-f]{16}"/g)].map((m) => `dist/${m[1] ?? m[2]}`);
    const beside = [...requiredBy('pairing-agent.cjs'), ...requiredBy('pairing-agent-cli.cjs'), ...requiredBy('pairing-agent-daemon.cjs')];
    expect(beside).toEqual(expect.arrayContaining(['dist/pairing-agent-cli.cjs', 'dist/pairing-agent-daemon.cjs', 'dist/vendor/got.cjs', 'dist/vendor/jose.cjs', 'dist/vendor/qrcode.cjs']));
    expect([...beside, 'dist/THIRD-PARTY-NOTICES.txt'].filter((f) => !packed.includes(f))).toEqual([]);
  }, 30_000);
});
