/**
 * Help texts (issue #15): the overview for `pairing-agent --help`, and one page per command for
 * `pairing-agent <command> --help` / `pairing-agent help <command>`. Both fit 80 columns.
 */
import { GLOBAL_OPTIONS } from './args.js';
import type { CommandEntry } from './commands.js';
import type { CommandModule, OptionSpec } from './io.js';

const WIDTH = 80;

/** `text` cut at spaces into lines of at most `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** Two columns: a left part padded to the widest, then its text wrapped beside it. */
function table(rows: [string, string][]): string[] {
  const left = Math.max(...rows.map(([l]) => l.length));
  const indent = left + 4;
  return rows.flatMap(([l, r]) => {
    const head = `  ${l.padEnd(left)}  `;
    if (r === '') return [head.trimEnd()];
    return wrap(r, WIDTH - indent).map((line, i) => (i === 0 ? head : ' '.repeat(indent)) + line);
  });
}

function optionRows(options: Record<string, OptionSpec>): [string, string][] {
  return Object.entries(options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o.description,
  ]);
}

export function overviewHelp(version: string, commands: Record<string, CommandEntry>): string {
  const rows = Object.values(commands).flatMap((c) => c.usage.map((u, i): [string, string] => [u, i === 0 ? c.summary : '']));
  return `pairing-agent ${version}: pairs this device with an account
(OAuth 2.0 Device Authorization Grant, RFC 8628)

Usage: pairing-agent [--config FILE] <command> [options]

Commands:
${table(rows).join('\n')}

Options (before or after the command):
${table(optionRows(GLOBAL_OPTIONS)).join('\n')}

Run "pairing-agent help <command>" for a command's options and an example.
Every configuration key can be overridden by an environment variable
PAIRING_AGENT_<KEY>, e.g. PAIRING_AGENT_CLIENT_ID=my-device.
`;
}

export function commandHelp(entry: CommandEntry, module: Pick<CommandModule, 'options' | 'examples' | 'details'>): string {
  const usage = entry.usage.map((u, i) => `${i === 0 ? 'Usage:' : '      '} pairing-agent ${u} [options]`);
  const summary = entry.summary.charAt(0).toUpperCase() + entry.summary.slice(1);
  const own = Object.keys(module.options).length > 0 ? `\nOptions:\n${table(optionRows(module.options)).join('\n')}\n` : '';
  const details = (module.details ?? []).flatMap((d) => wrap(d, WIDTH));
  return `${usage.join('\n')}

${[...wrap(`${summary}.`, WIDTH), ...details].join('\n')}
${own}
Global options:
${table(optionRows(GLOBAL_OPTIONS)).join('\n')}

${module.examples.length > 1 ? 'Examples' : 'Example'}:
${module.examples.map((e) => `  ${e}`).join('\n')}
`;
}
