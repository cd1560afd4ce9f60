// Preloaded (`node -r`) by scripts/code-cache.mjs into a training run of the command: at exit, saves V8's
// code cache of each bundle named in $CODE_CACHE_BUNDLES (comma-separated; not PAIRING_AGENT_*, which is
// configuration) that the bin's loader loaded (src/cli/bundle-loader.ts). Written to a temporary name and
// renamed: 0644, like the bundles.
'use strict';
const { renameSync, writeFileSync } = require('node:fs');

const names = (process.env.CODE_CACHE_BUNDLES ?? '').split(',').filter(Boolean);
process.on('exit', () => {
  const loader = globalThis[Symbol.for('pairing-agent.load')];
  for (const { name, cachePath, script } of loader?.loaded ?? []) {
    if (!names.includes(name)) continue;
    const temp = `${cachePath}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData(), { mode: 0o644 });
    renameSync(temp, cachePath);
  }
});
