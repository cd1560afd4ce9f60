import { defineConfig } from 'vitest/config';

// `npm run bench`: counted (not timed) figures printed as tables by test/bench/*.bench.ts, each beside
// its baseline. Output goes straight to the terminal so the tables read as printed.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/bench/**/*.bench.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    disableConsoleIntercept: true,
    reporters: ['default'],
  },
});
