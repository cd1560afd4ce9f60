#!/usr/bin/env node
// The `pairing-agent` executable (package.json "bin"). Kept tiny: everything else loads on demand.
import { runCli } from './cli.js';

// No top-level await: the build also bundles this file as CommonJS (dist/pairing-agent.cjs, issue #18).
void runCli(process.argv.slice(2), {
  stdout: (data) => process.stdout.write(data),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
