/**
 * What `npm start` draws (issue #15), as a pure function of the terminal's size and the agent's state:
 * a standard 80x24 terminal holds the panel (in braille), the QR code a phone can scan (half blocks),
 * what to do next, and the commands to try against the running daemon from a second terminal.
 */
import { toBraille } from '../../hal/terminal/braille.js';
import type { State } from '../../src/pairing/state.js';
import type { Bitmap } from '../../src/screens/bitmap.js';
import { qrText } from './qr-text.js';

/** The smallest terminal the full picture fits: the size most terminals open at (VT100's 80x24). */
export const MIN_COLS = 80;
export const MIN_ROWS = 24;

export interface DemoScreenInput {
  cols: number;
  rows: number;
  /** The panel as the OLED would show it (all dark when the display is off). */
  panel: Bitmap;
  /** False while the paired screen rests with the display off (issue #16): said beside the status. */
  panelOn?: boolean;
  state: State;
  now: number;
  issuer: string;
  /** Recent log events, oldest first, each `HH:MM:SS name`. */
  events: string[];
  /** The configuration file the demo wrote, which the commands below use. */
  configPath: string;
  /** Command lines to try from a second terminal. */
  commands: string[];
  /** Colour sequences allowed (a terminal, not a pipe). */
  color: boolean;
}

const SGR = /\x1b\[[0-9;]*m/g;

/** Columns a line takes on screen: colour sequences take none; every other character here takes one. */
export function visibleWidth(line: string): number {
  return [...line.replace(SGR, '')].length;
}

/** Cuts a line (without colour sequences) to `width` columns. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}

function pad(line: string, width: number): string {
  return line + ' '.repeat(Math.max(0, width - visibleWidth(line)));
}

/** Splits text into lines of at most `width`, at spaces, and inside words longer than a line (URLs). */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    let rest = word;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line = rest;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function verificationUrl(state: State): string | undefined {
  return state.name === 'awaiting_user' ? (state.code.verificationUriComplete ?? state.code.verificationUri) : undefined;
}

/** One sentence: what is going on and what to do next. */
export function statusSentence(state: State, issuer: string): string {
  switch (state.name) {
    case 'unpaired':
      return `Press Enter to pair. Identity provider: ${issuer} (embedded)`;
    case 'requesting_code':
      return `Asking ${issuer} for a code…`;
    case 'awaiting_user':
      return `Approve in a browser: ${verificationUrl(state)}`;
    case 'paired':
    case 'refreshing':
      return `Paired as ${state.identity.who ?? state.identity.subject ?? 'someone'}. Long press (l) unpairs.`;
    case 'unpairing':
      return 'Unpairing: revoking the tokens, then forgetting them…';
    case 'denied':
      return 'The request was denied. Press Enter to try again.';
    case 'code_expired':
      return 'The code expired before anyone approved it. Press Enter for a new one.';
    case 'offline':
      return `The identity provider cannot be reached (${state.reason}); retrying.`;
    case 'failed':
      return `Pairing failed: ${state.reason}. Press Enter to try again.`;
  }
}

/** Left of the side column: the QR view while a code is shown, else the panel in braille. */
function mainBlock(input: DemoScreenInput, width: number, height: number): string[] {
  const { state } = input;
  if (state.name === 'awaiting_user') {
    const qr = qrText([state.code.verificationUriComplete, state.code.verificationUri], Math.floor(width / 2), height, input.color);
    if (qr !== undefined) {
      const infoWidth = width - qr.width - 2;
      const info = [
        // 127.0.0.1 is this computer: a phone reads the QR code but cannot open it.
        ...wrapText('Open in a browser on this machine (the QR code holds the same URL):', infoWidth),
        // Cut at the query, where a reader expects a URL to break.
        ...qr.text.replace('?', ' ?').split(' ').flatMap((part) => wrapText(part, infoWidth)),
        '',
        `Code ${state.code.userCode}`,
        `Expires in ${countdown(state.code.expiresAt - input.now)}`,
        '',
        ...wrapText('Log in with any name and password, then consent.', infoWidth),
      ];
      return Array.from({ length: height }, (_, i) => {
        const left = qr.lines[i] ?? ' '.repeat(qr.width);
        return `${left}  ${pad(fit(info[i] ?? '', infoWidth), infoWidth)}`;
      });
    }
  }
  return toBraille(input.panel).map((line) => pad(line, width));
}

/** The side column: the state and the latest events. */
function sideBlock(input: DemoScreenInput, width: number, height: number): string[] {
  const state = input.state.name.length > width ? input.state.name.replace('_', '_\n').split('\n') : [input.state.name];
  const head = ['state:', ...state, '', 'events:'];
  // Names only: the times are in the log file, and in the rows a taller terminal has to spare.
  const events = input.events.map((e) => fit(e.replace(/^\S+ /, ''), width)).slice(-(height - head.length));
  return [...head, ...events].map((line) => fit(line, width));
}

/** After the status while the OLED is switched off (issue #16): a dark panel is otherwise an empty one. */
const PANEL_OFF_NOTE = ' (panel off: press to wake)';

/** Said instead of the picture when the terminal is too small for it. */
function tooSmall(input: DemoScreenInput): string[] {
  const lines = [
    `pairing-agent demo: this terminal is ${input.cols}x${input.rows}; the picture needs ${MIN_COLS}x${MIN_ROWS}.`,
    'Make the window bigger (or the font smaller, e.g. Ctrl and -) to see the panel and the QR code.',
    '',
    statusSentence(input.state, input.issuer),
    ...(input.state.name === 'awaiting_user' ? [`Code ${input.state.code.userCode}`] : []),
    '',
    'Enter: press · l: long press · q: quit',
  ];
  return lines.flatMap((line) => (line === '' ? [''] : wrapText(line, input.cols - 1).map((l) => ` ${l}`))).slice(0, input.rows);
}

export function demoScreen(input: DemoScreenInput): string[] {
  const { cols, rows } = input;
  if (cols < MIN_COLS || rows < MIN_ROWS) return tooSmall(input);
  const panelWidth = input.panel.width / 2 + 2;
  const panelHeight = input.panel.height / 4 + 2;
  const sideWidth = MIN_COLS - panelWidth - 2;
  const main = mainBlock(input, panelWidth, panelHeight);
  const side = sideBlock(input, sideWidth, panelHeight);
  const second = [`Try from a second terminal (wrote ${input.configPath}):`, ...input.commands.map((c) => `  ${c}`)];
  const extra = rows - MIN_ROWS;
  const lines = [
    fit(' pairing-agent demo · Enter: press (pair) · l: long press (unpair) · q: quit', cols),
    ...main.map((line, i) => ` ${line} ${side[i] ?? ''}`),
    ` ${fit(statusSentence(input.state, input.issuer) + (input.panelOn === false ? PANEL_OFF_NOTE : ''), cols - 1)}`,
    ...(extra > 0 ? ['', ...input.events.slice(-(extra - 1)).map((e) => `   ${fit(e, cols - 3)}`)].slice(0, extra) : []),
    ...second.map((line) => ` ${fit(line, cols - 1)}`),
  ];
  return lines;
}
