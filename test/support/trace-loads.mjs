// Loaded with `node --import` (through NODE_OPTIONS) by tests that check what a command loads (issue #17:
// the QR decoder only for `sim qr`): every module the process loads is appended to $TRACE_LOADS_FILE, as
// a URL — ES modules through a resolve hook, CommonJS ones (the bundled command, dist/pairing-agent.cjs,
// and what it requires; issue #18) through the CommonJS loader.
// Packages named in $TRACE_LOADS_HIDE (comma-separated) resolve as not installed.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.TRACE_LOADS_FILE;
const hidden = process.env.TRACE_LOADS_HIDE ? process.env.TRACE_LOADS_HIDE.split(',') : [];
register(new URL('./trace-loads-hooks.mjs', import.meta.url), { data: { file, hide: process.env.TRACE_LOADS_HIDE } });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (hidden.includes(request)) {
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  if (file && !Module.isBuiltin(request)) {
    try {
      appendFileSync(file, `${pathToFileURL(Module._resolveFilename(request, parent, isMain)).href}\n`);
    } catch {
      // Unresolvable: the load below throws the error the caller expects.
    }
  }
  return load.apply(this, arguments);
};
