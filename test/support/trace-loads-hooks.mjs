// Module customization hooks (node:module register) for trace-loads.mjs; they run on the loader thread.
import { appendFileSync } from 'node:fs';

let file;
let hidden = [];

export function initialize(data) {
  file = data.file;
  hidden = data.hide ? data.hide.split(',') : [];
}

export async function resolve(specifier, context, nextResolve) {
  // A package listed in $TRACE_LOADS_HIDE is missing, as Node says it when it is not installed.
  if (hidden.includes(specifier)) {
    throw Object.assign(new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  const result = await nextResolve(specifier, context);
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
