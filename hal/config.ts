/**
 * The configuration keys the hardware layer reads: its own slice, so `hal/` knows nothing of `src/config`
 * (issue #14 item 1). Names and meanings are the agent's config keys (`src/config/types.ts`), which the
 * agent's `Config` satisfies as is.
 */
export interface HalConfig {
  /** Which hardware layer to run: Raspberry Pi drivers, the simulated device, or the terminal. */
  readonly hal: 'rpi' | 'sim' | 'terminal';
  /** Button-less kiosks: no button is opened. */
  readonly auto_pair: boolean;
  /** How long a press must be held to count as a long press, in ms. */
  readonly long_press_ms: number;
  /** BCM GPIO number of the button. */
  readonly button_gpio: number;
  /** The button pulls the line to ground when pressed. */
  readonly button_active_low: boolean;
  /** I2C bus number: /dev/i2c-N. */
  readonly i2c_bus: number;
  /** OLED I2C address (7-bit). */
  readonly i2c_address: number;
  readonly display_controller: 'ssd1306' | 'sh1106';
  readonly display_width: 128;
  readonly display_height: 64 | 32;
  /** Panel rotation in degrees. */
  readonly display_rotation: 0 | 180;
}
