/**
 * The device layer (luma.oled's `ssd1306` / `sh1106`): a `Display` over an I2C bus for SSD1306 (128x64,
 * 128x32) and SH1106 (128x64) panels. It remembers what the panel's RAM holds and sends only what
 * `planUpdate` says changed: a countdown tick costs a few dozen bytes, not a frame.
 */
import type { Display, Frame } from '../types.js';
import { CMD, CONTROL } from './commands.js';
import type { I2cBus } from './i2c-bus.js';
import { closeBus, writeTransaction } from './i2c-bus.js';
import type { Rotation } from './init-sequence.js';
import { afterLibraryInit, initCommands } from './init-sequence.js';
import type { Panel } from './panel.js';
import type { I2cWrite } from './plan.js';
import { planFullFrame, planUpdate } from './plan.js';

export interface OledOptions {
  panel: Panel;
  /** 7-bit I2C address: 0x3C, or 0x3D with the module's address jumper. */
  address: number;
  /** @default 0 */
  rotation?: Rotation;
  /**
   * The controller was already initialised (by oled-i2c-bus, for an SSD1306): send only the corrections of
   * `afterLibraryInit` instead of the whole sequence.
   */
  preconfigured?: boolean;
}

export class OledDisplay implements Display {
  readonly width: number;
  readonly height: number;
  readonly panel: Panel;
  readonly #bus: I2cBus;
  readonly #address: number;
  /** What the panel's RAM holds under the glass; undefined when unknown (a write failed halfway). */
  #shown: Uint8Array | undefined;
  /** Operations run one at a time, in call order: a plan is only valid against the RAM it was made for. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(bus: I2cBus, options: OledOptions) {
    this.#bus = bus;
    this.#address = options.address;
    this.panel = options.panel;
    this.width = options.panel.width;
    this.height = options.panel.height;
  }

  /**
   * Configures the controller, clears its RAM and turns the panel on: three or four transactions on the
   * SSD1306 (init, window, 1 KiB of zeros, display on), 18 on the SH1106 (one pair per page).
   */
  static async open(bus: I2cBus, options: OledOptions): Promise<OledDisplay> {
    const display = new OledDisplay(bus, options);
    const rotation = options.rotation ?? 0;
    await display.#send([command(options.preconfigured ? afterLibraryInit(rotation) : initCommands(options.panel, rotation))]);
    const blank = new Uint8Array(options.panel.width * options.panel.pages);
    await display.#send(planFullFrame(blank, options.panel));
    display.#shown = blank;
    await display.#send([command([CMD.displayOn])]);
    return display;
  }

  show(frame: Frame): Promise<void> {
    if (frame.width !== this.width || frame.height !== this.height) {
      return Promise.reject(new RangeError(`frame is ${frame.width}x${frame.height}, the panel ${this.width}x${this.height}`));
    }
    const next = frame.data.slice();
    return this.#enqueue(async () => {
      try {
        await this.#send(planUpdate(this.#shown, next, this.panel));
      } catch (error) {
        // Part of the plan may have landed: resend everything next time rather than trust a stale copy.
        this.#shown = undefined;
        throw error;
      }
      this.#shown = next;
    });
  }

  /** 0–255, rounded and clamped. SSD1306 §10.1.7; brightness is not linear in it. */
  setContrast(level: number): Promise<void> {
    const contrast = Math.max(0, Math.min(255, Math.round(level)));
    return this.#enqueue(() => this.#send([command([CMD.setContrast, contrast])]));
  }

  /** Display off is the controller's sleep mode: RAM is kept, so `setPower(true)` shows the same frame. */
  setPower(on: boolean): Promise<void> {
    return this.#enqueue(() => this.#send([command([on ? CMD.displayOn : CMD.displayOff])]));
  }

  /** Forgets what the panel shows, so the next `show` sends the whole frame (e.g. after a panel reset). */
  invalidate(): void {
    this.#shown = undefined;
  }

  /**
   * Waits for pending writes, then blanks the panel (display off) or leaves the last frame showing (the
   * controller keeps it while powered), and closes the bus. Idempotent.
   */
  async close(options: { blank?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    try {
      if (options.blank) await this.#send([command([CMD.displayOff])]);
    } finally {
      await closeBus(this.#bus);
    }
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the display is closed'));
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #send(writes: readonly I2cWrite[]): Promise<void> {
    for (const write of writes) await writeTransaction(this.#bus, this.#address, write);
  }
}

function command(bytes: readonly number[]): I2cWrite {
  return Uint8Array.of(CONTROL.commands, ...bytes);
}
