/**
 * Power-up configuration of the controllers, as command bytes (without the control byte). The panel is left
 * OFF: the driver clears the display RAM and only then turns it on, because RAM content after power-up is
 * undefined and would flash as noise (oled-i2c-bus turns the panel on first).
 */
import { CMD } from './commands.js';
import type { Panel } from './panel.js';

export type Rotation = 0 | 180;

/**
 * Contrast after init, from the libraries the sequences come from: oled-i2c-bus 1.0.12 uses 0x8F for the
 * SSD1306, luma.oled 3.x 0x7F for the SH1106. `Display.setContrast` changes it later.
 */
export const INITIAL_CONTRAST = { ssd1306: 0x8f, sh1106: 0x7f } as const;

/**
 * Orientation by hardware, so frames are sent unchanged: segment remap on + COM scan reversed is the
 * upright image of the common modules (oled-i2c-bus, luma.oled, Adafruit all init this way); 180° is both
 * flipped (SSD1306 §10.1.8, §10.1.14). The SH1106 glass is centred in its 132 columns, so its column
 * offset stays 2 either way.
 */
export function orientationCommands(rotation: Rotation): number[] {
  return rotation === 180 ? [CMD.segmentRemapOff, CMD.comScanIncrement] : [CMD.segmentRemapOn, CMD.comScanDecrement];
}

/**
 * What the driver sends after oled-i2c-bus has initialised an SSD1306 (the Raspberry Pi path, issue #5:
 * "the OLED on oled-i2c-bus + i2c-bus"): the library's sequence, sent one byte per transaction, ends with
 * the panel on over RAM that still holds power-up noise, sets start line `0x00` (a column nibble, not a
 * start line) and leaves a running scroll alone. So: off until RAM is cleared, the real start line, scroll
 * stopped, and the configured orientation.
 */
export function afterLibraryInit(rotation: Rotation): number[] {
  return [CMD.displayOff, CMD.setStartLine | 0, CMD.deactivateScroll, ...orientationCommands(rotation)];
}

/**
 * SSD1306: oled-i2c-bus 1.0.12's `_initialise()` sequence (same values, checked by a test against the
 * library itself), sent as one transaction instead of one per byte, with three changes:
 * - the start line is `0x40`; oled-i2c-bus sends `0x00`, which is "lower column nibble 0", not a start line
 *   (harmless only because 0 is the reset value);
 * - scrolling is stopped (`0x2e`): a scroll left running by another program corrupts RAM writes (§10.2.3);
 * - display-on (`0xaf`) is not here: the driver sends it after clearing RAM.
 *
 * SH1106 (128x64): luma.oled's `sh1106` values (clock, pre-charge, VCOM, COM pins), minus the SSD1306-only
 * commands luma also sends (`0x20` addressing mode, `0x8d` charge pump), plus the SH1106's own DC-DC on
 * (`0xad 0x8b`, its reset value, stated so a previous program can't leave it off).
 */
export function initCommands(panel: Panel, rotation: Rotation): number[] {
  const orientation = orientationCommands(rotation);
  if (panel.controller === 'sh1106') {
    return [
      CMD.displayOff,
      CMD.setClockDivide, 0xf0,
      CMD.setMultiplex, panel.height - 1,
      CMD.setDisplayOffset, 0x00,
      CMD.setStartLine | 0,
      CMD.dcDcControl, 0x8b,
      ...orientation,
      CMD.setComPins, 0x12,
      CMD.setContrast, INITIAL_CONTRAST.sh1106,
      CMD.setPrecharge, 0x22,
      CMD.setVcomDeselect, 0x20,
      CMD.resumeFromRam,
      CMD.normalDisplay,
    ];
  }
  return [
    CMD.displayOff,
    CMD.setClockDivide, 0x80,
    CMD.setMultiplex, panel.height - 1,
    CMD.setDisplayOffset, 0x00,
    CMD.setStartLine | 0,
    CMD.chargePump, 0x14,
    CMD.setAddressingMode, 0x00,
    ...orientation,
    // Alternative COM pin layout for the 64-row modules, sequential for the 32-row ones (§10.1.18, Table 10-3).
    CMD.setComPins, panel.height === 64 ? 0x12 : 0x02,
    CMD.setContrast, INITIAL_CONTRAST.ssd1306,
    CMD.setPrecharge, 0xf1,
    CMD.setVcomDeselect, 0x40,
    CMD.deactivateScroll,
    CMD.resumeFromRam,
    CMD.normalDisplay,
  ];
}
