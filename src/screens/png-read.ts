import { Bitmap } from './bitmap.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Reads back what {@link encodePng} writes — 1 bit per pixel, greyscale, not interlaced, filter "None"
 * on every line (PNG spec §11.2.2, §7.2) — as a bitmap, white = lit. For `pairing-agent sim qr` and the
 * testing API (issue #17), which get the simulated panel from the daemon as PNG. Any other PNG is refused
 * with a RangeError that says what differs: this is not a general PNG decoder.
 */
export function decodePng(png: Uint8Array): Bitmap {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < SIGNATURE.length || !buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new RangeError('not a PNG (no PNG signature)');
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  for (let at = SIGNATURE.length; at + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new RangeError(`PNG chunk ${type} is cut short`);
    if (type === 'IHDR') header = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    at += 12 + length; // length, type, data, CRC
  }
  if (!ended) throw new RangeError('PNG is cut short (no IEND chunk)');
  if (header === undefined || header.length !== 13) throw new RangeError('PNG has no IHDR chunk');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [depth, colour, , , interlace] = header.subarray(8);
  if (depth !== 1 || colour !== 0 || interlace !== 0) {
    throw new RangeError(`PNG is bit depth ${depth}, colour type ${colour}, interlace ${interlace}; expected a 1-bit greyscale screenshot of the panel`);
  }
  const bitmap = new Bitmap(width, height);
  let raw: Buffer;
  try {
    // node:zlib on first use, as in png.ts (issue #18).
    raw = process.getBuiltinModule('node:zlib').inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new RangeError(`PNG pixel data cannot be inflated (${(error as Error).message})`);
  }
  const stride = Math.ceil(width / 8);
  if (raw.length !== (stride + 1) * height) throw new RangeError(`PNG holds ${raw.length} bytes of pixels, expected ${(stride + 1) * height}`);
  for (let y = 0; y < height; y++) {
    const line = y * (stride + 1);
    if (raw[line] !== 0) throw new RangeError(`PNG line ${y} uses filter ${raw[line]}; expected the panel's unfiltered screenshot`);
    for (let x = 0; x < width; x++) bitmap.set(x, y, ((raw[line + 1 + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) !== 0);
  }
  return bitmap;
}
