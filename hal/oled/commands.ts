/**
 * SSD1306 / SH1106 command bytes and the I2C control bytes that frame them. Sections refer to the SSD1306
 * datasheet rev 1.1 (Solomon Systech) and the SH1106 datasheet V2.3 (Sino Wealth).
 */

/**
 * Control bytes (SSD1306 §8.1.5.2, SH1106 "I2C-bus Interface"): Co (bit 7) = 0 means every following byte
 * of the transaction is of one kind; D/C# (bit 6) says which.
 */
export const CONTROL = {
  /** Co=0, D/C#=0: the rest of the transaction is commands. */
  commands: 0x00,
  /** Co=0, D/C#=1: the rest of the transaction is display data. */
  data: 0x40,
} as const;

/** The commands the drivers send. */
export const CMD = {
  /** Display off (sleep) / on. SSD1306 §10.1.12, SH1106 command 11. */
  displayOff: 0xae,
  displayOn: 0xaf,
  /** `0x81 c`: contrast 0–255. SSD1306 §10.1.7, SH1106 command 5. */
  setContrast: 0x81,
  /** Show RAM / light every pixel. SSD1306 §10.1.9. */
  resumeFromRam: 0xa4,
  /** Normal / inverted pixels. SSD1306 §10.1.10. */
  normalDisplay: 0xa6,
  /** Segment remap: `0xa0` column 0 → SEG0, `0xa1` column 127 (SH1106: 131) → SEG0. SSD1306 §10.1.8. */
  segmentRemapOff: 0xa0,
  segmentRemapOn: 0xa1,
  /** COM scan direction: `0xc0` COM0 → COM[N-1], `0xc8` reversed. SSD1306 §10.1.14. */
  comScanIncrement: 0xc0,
  comScanDecrement: 0xc8,
  /** `0xa8 n`: multiplex ratio n+1 rows. SSD1306 §10.1.11. */
  setMultiplex: 0xa8,
  /** `0xd3 n`: vertical display offset. SSD1306 §10.1.15. */
  setDisplayOffset: 0xd3,
  /** `0x40 | line`: display start line. SSD1306 §10.1.6. */
  setStartLine: 0x40,
  /** `0xd5 n`: clock divide ratio / oscillator frequency. SSD1306 §10.1.16. */
  setClockDivide: 0xd5,
  /** `0xd9 n`: pre-charge period. SSD1306 §10.1.17. */
  setPrecharge: 0xd9,
  /** `0xda n`: COM pins hardware configuration. SSD1306 §10.1.18. */
  setComPins: 0xda,
  /** `0xdb n`: VCOMH deselect level. SSD1306 §10.1.19. */
  setVcomDeselect: 0xdb,
  /** `0x8d n`: SSD1306 charge pump, `0x14` on (datasheet appendix "Charge Pump Setting"); not an SH1106 command. */
  chargePump: 0x8d,
  /** `0xad n`: SH1106 DC-DC converter, `0x8b` on (SH1106 command 10); not an SSD1306 command. */
  dcDcControl: 0xad,
  /** `0x20 m`: SSD1306 memory addressing mode, 0 = horizontal (§10.1.3). SH1106 has page addressing only. */
  setAddressingMode: 0x20,
  /** `0x21 a b`: SSD1306 column window (§10.1.4). */
  setColumnWindow: 0x21,
  /** `0x22 a b`: SSD1306 page window (§10.1.5). */
  setPageWindow: 0x22,
  /** SSD1306 `0x2e`: stop scrolling (§10.2.3). */
  deactivateScroll: 0x2e,
  /** `0xb0 | page`: page address in page addressing mode. SSD1306 §10.1.13, SH1106 command 12. */
  setPage: 0xb0,
  /** `0x00 | low nibble`, `0x10 | high nibble`: column address in page mode. SSD1306 §10.1.1–2, SH1106 1–2. */
  setColumnLow: 0x00,
  setColumnHigh: 0x10,
} as const;
