// Loaded with `node --import` (through NODE_OPTIONS) by tests that check what a command loads (issue #17:
// the QR decoder only for `sim qr`): every module URL the process resolves is appended to $TRACE_LOADS_FILE.
// Packages named in $TRACE_LOADS_HIDE (comma-separated) resolve as not installed.
import { register } from 'node:module';

register(new URL('./trace-loads-hooks.mjs', import.meta.url), { data: { file: process.env.TRACE_LOADS_FILE, hide: process.env.TRACE_LOADS_HIDE } });
