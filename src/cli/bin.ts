#!/usr/bin/env node
/**
 * The `pairing-agent` executable (package.json "bin"), built as dist/pairing-agent.cjs: it only loads the
 * command's bundle (dist/pairing-agent-cli.cjs, from src/cli/main.ts) through the code-cache loader
 * (issue #18; src/cli/bundle-loader.ts). Kept this small because node compiles it from source each time.
 */
import { installBundleLoader } from './bundle-loader.js';

/** The build id of each bundle, set by scripts/bundle-cli.mjs (esbuild `define`). */
declare const __PAIRING_AGENT_BUNDLE_IDS__: Readonly<Record<string, string>>;

installBundleLoader(__dirname, __PAIRING_AGENT_BUNDLE_IDS__)('pairing-agent-cli.cjs');
