import type { Bitmap } from './bitmap.js';

// node:zlib on first use (process.getBuiltinModule): the daemon loads this module at start-up, and draws a
// PNG only when asked for one (issue #18).

/** Every PNG starts with these 8 bytes (PNG spec §5.2). */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** IHDR: 1 bit per pixel, colour type 0 (greyscale), so 0 = black and 1 = white (PNG spec §11.2.2). */
const BIT_DEPTH = 1;
const COLOR_TYPE_GREYSCALE = 0;
/** Filter type "None" for every scanline: 1-bit art gains nothing from prediction. */
const FILTER_NONE = 0;

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  // node:zlib's crc32 (Node >= 20.15, the engines field asks 20.19) is the CRC the PNG spec §5.5 asks for.
  crc.writeUInt32BE(process.getBuiltinModule('node:zlib').crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * The bitmap as a PNG, one image pixel per display pixel, lit = white and unlit = black: what the panel
 * looks like. For golden tests and the simulator's screenshots; the device never needs it.
 */
export function encodePng(bitmap: Bitmap): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(bitmap.width, 0);
  header.writeUInt32BE(bitmap.height, 4);
  header.writeUInt8(BIT_DEPTH, 8);
  header.writeUInt8(COLOR_TYPE_GREYSCALE, 9);
  // Bytes 10–12: compression 0 (deflate), filter method 0, interlace 0 (none).

  const stride = Math.ceil(bitmap.width / 8);
  const raw = Buffer.alloc((stride + 1) * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    const line = y * (stride + 1);
    raw[line] = FILTER_NONE;
    for (let x = 0; x < bitmap.width; x++) {
      // PNG packs pixels most significant bit first (PNG spec §7.2).
      if (bitmap.get(x, y)) raw[line + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }

  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', process.getBuiltinModule('node:zlib').deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
