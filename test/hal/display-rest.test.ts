/**
 * The simulated and terminal displays show that the panel is off (issue #16): a sleeping OLED is as dark as
 * an empty one, so the simulation must not leave a person guessing which it is.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FramebufferDisplay } from '../../hal/sim/display.js';
import { PANEL_OFF, TerminalDisplay } from '../../hal/terminal/display.js';
import { demoScreen } from '../../dev/demo/screen.js';
import { Bitmap, renderScreen } from '../../src/screens/index.js';

const paired = renderScreen({ kind: 'paired', who: 'alice@example.com' }, { width: 128, height: 64 });

describe('a switched-off panel', () => {
  it('simulated: the frame goes dark, and comes back unchanged on wake', async () => {
    const display = new FramebufferDisplay(128, 64);
    await display.show(paired);
    await display.setPower(false);
    expect(display.on).toBe(false);
    expect(display.frame.data.every((byte) => byte === 0)).toBe(true);
    await display.setPower(true);
    expect(Buffer.from(display.frame.data).equals(Buffer.from(paired.data))).toBe(true);
  });

  it('terminal: says the panel is off under the empty box, and stops saying it on wake', async () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const display = new TerminalDisplay({ out, width: 128, height: 64 });
    await display.show(paired);
    expect(written).not.toContain(PANEL_OFF);
    written = '';
    await display.setPower(false);
    expect(written).toContain(PANEL_OFF);
    // Nothing lit inside the box while off: only the frame's own box-drawing characters and spaces.
    expect(written.split('\n').slice(1, 33).join('')).not.toMatch(/[\u2580\u2584\u2588]/);
    written = '';
    await display.setPower(true);
    expect(written).not.toContain(PANEL_OFF);
    expect(written).toMatch(/[\u2580\u2584\u2588]/);
  });

  it('terminal with its own layout (the demo): told whether the panel is on, and the demo says so', async () => {
    const seen: boolean[] = [];
    const display = new TerminalDisplay({ out: new PassThrough(), render: (_panel, { on }) => (seen.push(on), [`on=${String(on)}`]) });
    await display.show(paired);
    await display.setPower(false);
    expect(seen).toEqual([true, false]);
    const state = { name: 'paired', tokens: { accessToken: 'at', tokenType: 'Bearer', issuedAt: 0 }, identity: { who: 'Alice' }, failures: 0 } as const;
    const screen = (panelOn: boolean) =>
      demoScreen({ cols: 80, rows: 24, panel: new Bitmap(128, 64), panelOn, state, now: 0, issuer: 'http://127.0.0.1:1', events: [], configPath: '/tmp/x/config.json', commands: [], color: false }).join('\n');
    expect(screen(false)).toContain('panel off');
    expect(screen(true)).not.toContain('panel off');
  });
});
