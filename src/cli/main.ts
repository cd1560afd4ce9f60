#!/usr/bin/env node
// The `pairing-agent` executable (package.json "bin"). Kept tiny: everything else loads on demand.
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (data) => process.stdout.write(data),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
});
