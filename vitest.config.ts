import { defineConfig } from 'vitest/config';

// Pinned test environment: Node, real processes and loopback sockets; no globals.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: forks keep child-process and socket tests isolated.
    pool: 'forks',
    reporters: ['default'],
  },
});
