/**
 * What the drivers need to know about a panel: its controller, its size, and where the glass sits in the
 * controller's display RAM. Pure data, shared by the init sequences, the update planner and the driver.
 */

export type Controller = 'ssd1306' | 'sh1106';

export interface Panel {
  readonly controller: Controller;
  readonly width: 128;
  readonly height: 64 | 32;
  /** 8-row pages on the glass: `height / 8`. */
  readonly pages: number;
  /** Columns of display RAM: SSD1306 128, SH1106 132 (SH1106 datasheet V2.3 §"Display Data RAM"). */
  readonly ramColumns: number;
  /**
   * First RAM column wired to the glass. 128x64 SH1106 modules show RAM columns 2–129 (the panel is centred
   * in the 132 columns, so it is 2 with and without segment remap); SSD1306 modules start at 0.
   */
  readonly columnOffset: number;
  /**
   * How a window of RAM is addressed: SSD1306 has horizontal addressing with column and page ranges
   * (`0x21`, `0x22`, datasheet §10.1.4–10.1.5); the SH1106 has page addressing only (`0xB0–B7` + column
   * nibbles, SH1106 datasheet commands 1, 2 and 12).
   */
  readonly addressing: 'window' | 'page';
}

/**
 * The panel for a controller and size. The SH1106 is supported at 128x64 only: that is the module sold with
 * it (1.3"), and its 128x32 wiring (multiplex, offset) varies between makers.
 * @throws RangeError for a combination no driver here supports.
 */
export function panelFor(controller: Controller, width: number, height: number): Panel {
  if (width !== 128 || (height !== 64 && height !== 32)) {
    throw new RangeError(`${controller} panels of ${width}x${height} are not supported: use 128x64 or 128x32`);
  }
  if (controller === 'sh1106') {
    if (height !== 64) throw new RangeError('SH1106 panels are supported at 128x64 only: set display_height to 64');
    return { controller, width, height, pages: 8, ramColumns: 132, columnOffset: 2, addressing: 'page' };
  }
  return { controller, width, height, pages: height / 8, ramColumns: 128, columnOffset: 0, addressing: 'window' };
}
