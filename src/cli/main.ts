#!/usr/bin/env node
// The `pairing-agent` executable (package.json "bin"). Kept tiny: everything else loads on demand.
import { runCli } from './cli.js';
import { writeAll } from './write-out.js';

// No top-level await: the build also bundles this file as CommonJS (dist/pairing-agent-cli.cjs, issue #18).
void runCli(process.argv.slice(2), {
  stdout: (data) => writeAll(1, data),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  // A getter: only `sim screen --png -` asks, and asking builds process.stdout (see write-out.ts).
  get stdoutIsTTY() {
    return process.stdout.isTTY === true;
  },
}).then((code) => {
  process.exitCode = code;
});
