/**
 * BMP and DIB (the bitmap inside an ICO) → raw pixels, because the prebuilt
 * sharp/libvips has no BMP loader. Handles what real files use: 1/4/8-bit
 * palettes, 16-bit 5-5-5 and bit fields, 24-bit, 32-bit with or without an
 * alpha channel, bottom-up and top-down rows, the ICO AND mask. RLE and
 * embedded JPEG/PNG compression are refused with a reason.
 *
 * Everything is bounds-checked before it is read: a lying header gives an
 * error, never a read past the end or a huge allocation (the pixel count is
 * checked against the caller's limit first).
 */

export interface RawImage {
  width: number;
  height: number;
  /** 3 (opaque) or 4 (with alpha). */
  channels: 3 | 4;
  /** Top-down rows, RGB or RGBA. */
  data: Buffer;
}

export class BmpError extends Error {
  override name = 'BmpError';
  constructor(
    message: string,
    readonly kind: 'unsupported' | 'corrupt' | 'too-large',
  ) {
    super(message);
  }
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function isBmp(buf: Buffer): boolean {
  return buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d;
}

/** Reads the dimensions from a BMP file header without decoding. */
export function bmpSize(buf: Buffer): { width: number; height: number } | null {
  if (!isBmp(buf) || buf.length < 26) return null;
  const headerSize = buf.readUInt32LE(14);
  if (headerSize === 12) return { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) };
  return { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) };
}

/** A whole .bmp file (BITMAPFILEHEADER first). */
export function decodeBmp(buf: Buffer, maxPixels: number): RawImage {
  if (!isBmp(buf)) throw new BmpError('not a BMP file', 'corrupt');
  const pixelOffset = buf.readUInt32LE(10);
  return decodeDib(buf, 14, { pixelOffset, maxPixels, icoMask: false });
}

/** The DIB of an ICO entry: height counts the AND mask too, pixels follow the palette. */
export function decodeIcoDib(buf: Buffer, maxPixels: number): RawImage {
  return decodeDib(buf, 0, { pixelOffset: null, maxPixels, icoMask: true });
}

interface DibOptions {
  /** Absolute offset of the pixel array, or null when it follows the header and palette. */
  pixelOffset: number | null;
  maxPixels: number;
  icoMask: boolean;
}

function decodeDib(buf: Buffer, at: number, opts: DibOptions): RawImage {
  need(buf, at + 4, 'header');
  const headerSize = buf.readUInt32LE(at);
  let width: number;
  let rawHeight: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  const core = headerSize === 12;
  if (core) {
    need(buf, at + 12, 'header');
    width = buf.readUInt16LE(at + 4);
    rawHeight = buf.readInt16LE(at + 6);
    bpp = buf.readUInt16LE(at + 10);
  } else if (headerSize >= 40 && headerSize <= 124) {
    need(buf, at + headerSize, 'header');
    width = buf.readInt32LE(at + 4);
    rawHeight = buf.readInt32LE(at + 8);
    bpp = buf.readUInt16LE(at + 14);
    compression = buf.readUInt32LE(at + 16);
    colorsUsed = buf.readUInt32LE(at + 32);
  } else {
    throw new BmpError(`unknown BMP header size ${headerSize}`, 'unsupported');
  }
  if (compression === 1 || compression === 2) throw new BmpError('RLE-compressed BMP is not supported', 'unsupported');
  if (compression === 4 || compression === 5) throw new BmpError('BMP with embedded JPEG/PNG is not supported', 'unsupported');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new BmpError(`unknown BMP compression ${compression}`, 'unsupported');
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new BmpError(`unsupported BMP bit depth ${bpp}`, 'unsupported');
  if (compression !== BI_RGB && bpp !== 16 && bpp !== 32) throw new BmpError(`bit fields with ${bpp} bits per pixel`, 'corrupt');

  const topDown = rawHeight < 0;
  // In an ICO the height covers the colour bitmap and the AND mask below it.
  const height = opts.icoMask ? Math.abs(rawHeight) / 2 : Math.abs(rawHeight);
  if (width <= 0 || height <= 0 || !Number.isInteger(height)) throw new BmpError(`bad BMP dimensions ${width}×${rawHeight}`, 'corrupt');
  if (width * height > opts.maxPixels) {
    throw new BmpError(`${width}×${height} is more than ${opts.maxPixels / 1e6} megapixels`, 'too-large');
  }

  // Channel masks: defaults, else after a 40-byte header, else inside V2+ headers.
  let masks: [number, number, number, number] =
    bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
  let cursor = at + headerSize;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    const inHeader = headerSize >= 52;
    const base = inHeader ? at + 40 : cursor;
    const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
    need(buf, base + count * 4, 'bit masks');
    masks = [buf.readUInt32LE(base), buf.readUInt32LE(base + 4), buf.readUInt32LE(base + 8), count === 4 ? buf.readUInt32LE(base + 12) : 0];
    if (!inHeader) cursor += count * 4;
  }

  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const entrySize = core ? 3 : 4;
    // No count given: 2^bpp, or as many as fit before the pixels (writers often store fewer).
    const room = opts.pixelOffset !== null ? Math.floor((opts.pixelOffset - cursor) / entrySize) : 1 << bpp;
    const entries = colorsUsed > 0 && colorsUsed <= 1 << bpp ? colorsUsed : Math.max(0, Math.min(1 << bpp, room));
    need(buf, cursor + entries * entrySize, 'palette');
    palette = new Uint8Array((1 << bpp) * 3);
    for (let i = 0; i < entries; i++) {
      const o = cursor + i * entrySize;
      palette[i * 3] = buf[o + 2]!;
      palette[i * 3 + 1] = buf[o + 1]!;
      palette[i * 3 + 2] = buf[o]!;
    }
    cursor += entries * entrySize;
  }

  const start = opts.pixelOffset ?? cursor;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  need(buf, start + stride * height, 'pixel data');
  const rgba = Buffer.alloc(width * height * 4);
  const channel = masks.map(maskShape);
  let anyAlpha = false;

  for (let y = 0; y < height; y++) {
    const row = start + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r: number, g: number, b: number, a = 255;
      if (palette) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)]!;
        const index = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        r = palette[index * 3]!;
        g = palette[index * 3 + 1]!;
        b = palette[index * 3 + 2]!;
      } else if (bpp === 24) {
        b = buf[row + x * 3]!;
        g = buf[row + x * 3 + 1]!;
        r = buf[row + x * 3 + 2]!;
      } else {
        const v = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        r = channel[0]!(v);
        g = channel[1]!(v);
        b = channel[2]!(v);
        if (bpp === 32) {
          // BI_RGB 32-bit: the fourth byte is "reserved", but icons and many tools put alpha there.
          a = compression === BI_RGB ? buf[row + x * 4 + 3]! : masks[3] ? channel[3]!(v) : 255;
          if (a !== 0) anyAlpha = true;
        }
      }
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = a;
    }
  }

  let hasAlpha = false;
  if (bpp === 32 && (compression === BI_RGB || masks[3])) {
    if (anyAlpha) hasAlpha = rgba.some((v, i) => (i & 3) === 3 && v !== 255);
    // An all-zero reserved byte means "no alpha": the image is opaque, not invisible.
    else for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  }
  if (opts.icoMask && !anyAlpha) hasAlpha = applyAndMask(buf, start + stride * height, width, height, topDown, rgba) || hasAlpha;

  if (hasAlpha) return { width, height, channels: 4, data: rgba };
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return { width, height, channels: 3, data: rgb };
}

/** The ICO AND mask: 1 bit per pixel, 1 = transparent. Missing mask = opaque. */
function applyAndMask(buf: Buffer, start: number, width: number, height: number, topDown: boolean, rgba: Buffer): boolean {
  const stride = Math.ceil(width / 32) * 4;
  if (buf.length < start + stride * height) return false;
  let any = false;
  for (let y = 0; y < height; y++) {
    const row = start + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      if ((buf[row + (x >> 3)]! >> (7 - (x & 7))) & 1) {
        rgba[(y * width + x) * 4 + 3] = 0;
        any = true;
      }
    }
  }
  return any;
}

/** A mask → a function extracting that channel scaled to 0–255. */
function maskShape(mask: number): (v: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (v) => Math.round((((v & mask) >>> shift) * 255) / max);
}

function need(buf: Buffer, end: number, what: string): void {
  if (end > buf.length) throw new BmpError(`truncated BMP: ${what} ends at byte ${end}, file has ${buf.length}`, 'corrupt');
}
