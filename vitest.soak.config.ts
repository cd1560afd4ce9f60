import { defineConfig } from 'vitest/config';

// `npm run soak` (issue #9): the 24-hour soak and the 1,000-agent fleet on a virtual clock, with their
// figures printed as tables. Not part of `npm test`. One file at a time, so neither competes with the
// other for the CPU (a starved loopback request could outlast the agents' 500 ms timeout), and
// `--expose-gc` so heap figures are measured after a full collection.
export default defineConfig({
  test: {
    environment: 'node',
    // oidc-provider's fixed notices dropped in the runner's own process (dev/idp/quiet.ts).
    setupFiles: ['test/support/quiet-setup.ts'],
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    execArgv: ['--expose-gc'],
    disableConsoleIntercept: true,
    reporters: ['default'],
  },
});
