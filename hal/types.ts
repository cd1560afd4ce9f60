/**
 * The hardware abstraction layer's interfaces (issue #5). The agent sees only these; a factory picks
 * the Raspberry Pi drivers, the simulated device or the terminal from the `hal` config key.
 */
import type { EventEmitter } from 'node:events';

/** A 1-bit framebuffer in the SSD1306 page layout ({@link Bitmap} in `bitmap.ts` draws one). */
export interface Frame {
  readonly width: number;
  readonly height: number;
  /** `data[x + width * (y >> 3)]`, bit `y & 7`, LSB = top row; 1 = lit. */
  readonly data: Uint8Array;
}

export interface Display {
  readonly width: number;
  readonly height: number;
  /** Shows a frame; implementations send only what changed. */
  show(frame: Frame): Promise<void>;
  /** 0–255. */
  setContrast(level: number): Promise<void>;
  setPower(on: boolean): Promise<void>;
  /** Leaves the last frame showing (or blanks it) and releases the bus. */
  close(options?: { blank?: boolean }): Promise<void>;
}

export interface ButtonEvents {
  press: [];
  longPress: [];
}

/** A debounced button: `press` on a short press, `longPress` once a hold passes the threshold. */
export interface Button extends EventEmitter<ButtonEvents> {
  close(): Promise<void>;
}

/**
 * A device driven from outside rather than by a hand and an eye (issue #5: `pairing-agent sim press |
 * screen`, the testing API). Only the simulated HAL has one; real hardware and the terminal do not.
 */
export interface Simulation {
  /** Presses the button: a short press, or (`long`) a hold past the long-press threshold. */
  press(long: boolean): void;
  /** The frame the panel shows now (all dark while it is off). */
  capture(): Frame;
}

export interface Hal {
  display: Display;
  /** Absent on button-less kiosks. */
  button?: Button;
  /** Present only where the device can be driven from outside (the simulated HAL). */
  simulation?: Simulation;
  close(): Promise<void>;
}
