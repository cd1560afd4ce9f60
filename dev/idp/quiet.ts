/**
 * oidc-provider prints two fixed notices that configuration cannot turn off:
 * - on import, "Unsupported runtime" on Node 20 (it announces Node 22, yet every device-flow path
 *   used here runs on Node 20, and the suite exercises them there; docs/hardware-notes.md);
 * - on construction with devInteractions on, "a quick start development-only feature
 *   devInteractions is enabled" (that is the point of the demo).
 * Exactly these are dropped; anything else, including every other oidc-provider warning, passes
 * through untouched. Server errors are not printed by oidc-provider anyway: they go to the `debug`
 * logger `oidc-provider:server_error` (run with DEBUG=oidc-provider:* to see them).
 *
 * This patches `console`, so only processes that are ours call it: the demo (`npm start`) and the test
 * runners (test/support/quiet-setup.ts, a vitest setup file). The embedded provider itself never does, so
 * `startTestProvider` in `pairing-agent/testing` leaves its user's console alone (issue #14 item 2).
 */

const KNOWN_NOTICES = [
  'oidc-provider WARNING: Unsupported runtime.',
  'oidc-provider WARNING: a quick start development-only feature devInteractions is enabled',
];

// attention.js colours the text when stderr is a TTY.
const ANSI = /\u001b\[[0-9;]*m/g;

function isKnownNotice(args: unknown[]): boolean {
  const [first] = args;
  if (typeof first !== 'string') return false;
  const text = first.replace(ANSI, '');
  return KNOWN_NOTICES.some((notice) => text.startsWith(notice));
}

type ConsoleMethod = (...args: unknown[]) => void;

/** Marks a console already quieted, so a setup file run once per test file patches it once. */
const QUIETED = Symbol.for('pairing-agent.quiet-oidc-provider-notices');

/** Drops oidc-provider's two known notices from this process's `console.warn` and `console.info`. */
export function quietOidcProviderNotices(): void {
  const marked = console as Console & { [QUIETED]?: true };
  if (marked[QUIETED]) return;
  marked[QUIETED] = true;
  const originalWarn = console.warn;
  const originalInfo = console.info;
  const warn: ConsoleMethod = (...args) => {
    if (!isKnownNotice(args)) originalWarn.apply(console, args);
  };
  const info: ConsoleMethod = (...args) => {
    if (!isKnownNotice(args)) originalInfo.apply(console, args);
  };
  console.warn = warn;
  console.info = info;
}
