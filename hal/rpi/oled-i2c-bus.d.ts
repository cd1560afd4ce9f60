/**
 * The part of oled-i2c-bus 1.0.x the Raspberry Pi layer uses (the package ships no types): the
 * constructor, which sends the SSD1306 initialisation through the bus's `i2cWriteSync`.
 */
declare module 'oled-i2c-bus' {
  class Oled {
    constructor(bus: { i2cWriteSync(address: number, length: number, buffer: Buffer): number }, options: { width: number; height: number; address: number });
  }
  export default Oled;
}
