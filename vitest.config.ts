import { defineConfig } from 'vitest/config';

// Pinned test environment: Node, real processes and loopback sockets; no globals.
export default defineConfig({
  test: {
    environment: 'node',
    // oidc-provider's fixed notices dropped in the runner's own process (dev/idp/quiet.ts).
    setupFiles: ['test/support/quiet-setup.ts'],
    // dist/dev (the demo, soak support) before any test runs it: `npm run build` builds only what ships.
    globalSetup: ['scripts/build-dev.mjs'],
    // examples/: the README's CI example test runs here too, so it cannot rot (issue #17).
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: forks keep child-process and socket tests isolated.
    pool: 'forks',
    reporters: ['default'],
  },
});
