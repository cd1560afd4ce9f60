import { defineConfig } from 'vitest/config';

// Pinned test environment: Node, real processes and loopback sockets; no globals.
export default defineConfig({
  test: {
    environment: 'node',
    // examples/: the README's CI example test runs here too, so it cannot rot (issue #17).
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: forks keep child-process and socket tests isolated.
    pool: 'forks',
    reporters: ['default'],
  },
});
