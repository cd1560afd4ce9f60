import { defineConfig } from 'vitest/config';

// `npm run bench`: counted (not timed) figures printed as tables by test/bench/*.bench.ts, each beside
// its baseline. Output goes straight to the terminal so the tables read as printed.
export default defineConfig({
  test: {
    environment: 'node',
    // oidc-provider's fixed notices dropped in the runner's own process (dev/idp/quiet.ts).
    setupFiles: ['test/support/quiet-setup.ts'],
    include: ['test/bench/**/*.bench.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    disableConsoleIntercept: true,
    reporters: ['default'],
  },
});
