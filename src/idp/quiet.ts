/**
 * oidc-provider prints two fixed warnings that configuration cannot turn off:
 * - on import, "Unsupported runtime" on Node 20 (it announces Node 22, yet every device-flow path
 *   used here runs on Node 20, and the suite exercises them there; docs/hardware-notes.md);
 * - on construction with devInteractions on, "a quick start development-only feature
 *   devInteractions is enabled" (that is the point of the demo).
 * Library code must not write to the console, so exactly these messages are dropped while the
 * import or construction runs. Anything else, including every other oidc-provider warning, passes
 * through untouched. Server errors are not printed by oidc-provider anyway: they go to the `debug`
 * logger `oidc-provider:server_error` (run with DEBUG=oidc-provider:* to see them).
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

function install(): () => void {
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
  return () => {
    // Only undo our own patch: someone (a test spy) may have replaced it meanwhile.
    if (console.warn === warn) console.warn = originalWarn;
    if (console.info === info) console.info = originalInfo;
  };
}

/** Runs a synchronous `fn` with the known notices dropped. */
export function quietly<T>(fn: () => T): T {
  const restore = install();
  try {
    return fn();
  } finally {
    restore();
  }
}

/** Awaits `fn` with the known notices dropped; callers must not run it concurrently with itself. */
export async function quietlyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const restore = install();
  try {
    return await fn();
  } finally {
    restore();
  }
}
