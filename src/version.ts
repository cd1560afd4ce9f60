import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json beside the code (src/ in tests, dist/src/ when built,
 * dist/pairing-agent.cjs when bundled), so there is one source of truth.
 */
export function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'pairing-agent' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not at this depth: try the next one.
    }
  }
  return 'unknown';
}
