/**
 * Test helper: writes BMP files and ICO containers byte by byte (sharp cannot
 * write either), so the decoders are checked against pixels we chose rather
 * than against their own output.
 */

export type Rgba = [number, number, number, number];

export interface BmpSpec {
  width: number;
  height: number;
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  /** Colour of each pixel (for paletted depths, must be one of `palette`). */
  pixel: (x: number, y: number) => Rgba;
  palette?: Rgba[];
  topDown?: boolean;
  /** 12 (OS/2 core), 40 (INFO), 108 (V4, masks inside). Default 40. */
  headerSize?: 12 | 40 | 108;
  /** 16/32-bit: write BI_BITFIELDS masks (16 → 5-6-5; 32 → RGBA with alpha mask). */
  bitfields?: boolean;
  /** 32-bit BI_RGB: write the alpha byte (else 0, as most writers do). */
  alphaByte?: boolean;
}

/** The DIB: header, masks, palette, pixels (no file header). */
export function encodeDib(spec: BmpSpec, opts: { icoMask?: boolean } = {}): { dib: Buffer; pixelOffset: number } {
  const { width, height, bpp } = spec;
  const headerSize = spec.headerSize ?? 40;
  const core = headerSize === 12;
  const masks16 = [0xf800, 0x07e0, 0x001f, 0];
  const masks32 = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
  const masks = bpp === 16 ? masks16 : masks32;
  // With a 40-byte header, BI_BITFIELDS puts three masks (no alpha) after it.
  const separateMasks = spec.bitfields && headerSize === 40 ? 3 : 0;
  const palette = bpp <= 8 ? (spec.palette ?? []) : [];
  const entry = core ? 3 : 4;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const maskStride = Math.ceil(width / 32) * 4;
  const pixelOffset = headerSize + separateMasks * 4 + palette.length * entry;
  const size = pixelOffset + stride * height + (opts.icoMask ? maskStride * height : 0);
  const b = Buffer.alloc(size);
  b.writeUInt32LE(headerSize, 0);
  const storedHeight = (opts.icoMask ? 2 : 1) * height * (spec.topDown ? -1 : 1);
  if (core) {
    b.writeUInt16LE(width, 4);
    b.writeInt16LE(storedHeight, 6);
    b.writeUInt16LE(1, 8);
    b.writeUInt16LE(bpp, 10);
  } else {
    b.writeInt32LE(width, 4);
    b.writeInt32LE(storedHeight, 8);
    b.writeUInt16LE(1, 12);
    b.writeUInt16LE(bpp, 14);
    b.writeUInt32LE(spec.bitfields ? 3 : 0, 16);
    b.writeUInt32LE(stride * height, 20);
    b.writeUInt32LE(palette.length, 32);
    if (headerSize === 108) masks.forEach((m, i) => b.writeUInt32LE(m >>> 0, 40 + i * 4));
  }
  for (let i = 0; i < separateMasks; i++) b.writeUInt32LE(masks[i]! >>> 0, headerSize + i * 4);
  palette.forEach(([r, g, bl], i) => {
    const o = headerSize + separateMasks * 4 + i * entry;
    b[o] = bl;
    b[o + 1] = g;
    b[o + 2] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (spec.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const [r, g, bl, a] = spec.pixel(x, y);
      if (bpp <= 8) {
        const index = palette.findIndex((p) => p[0] === r && p[1] === g && p[2] === bl);
        if (index < 0) throw new Error(`pixel ${x},${y} is not in the palette`);
        const bit = x * bpp;
        const at = row + (bit >> 3);
        b[at] = b[at]! | (index << (8 - bpp - (bit & 7)));
      } else if (bpp === 24) {
        b[row + x * 3] = bl;
        b[row + x * 3 + 1] = g;
        b[row + x * 3 + 2] = r;
      } else if (bpp === 16) {
        b.writeUInt16LE(spec.bitfields ? ((r >> 3) << 11) | ((g >> 2) << 5) | (bl >> 3) : ((r >> 3) << 10) | ((g >> 3) << 5) | (bl >> 3), row + x * 2);
      } else {
        b[row + x * 4] = bl;
        b[row + x * 4 + 1] = g;
        b[row + x * 4 + 2] = r;
        b[row + x * 4 + 3] = spec.bitfields || spec.alphaByte ? a : 0;
      }
      if (opts.icoMask && a === 0) {
        const mrow = pixelOffset + stride * height + (spec.topDown ? y : height - 1 - y) * maskStride;
        b[mrow + (x >> 3)] = b[mrow + (x >> 3)]! | (0x80 >> (x & 7));
      }
    }
  }
  return { dib: b, pixelOffset };
}

export function encodeBmp(spec: BmpSpec): Buffer {
  const { dib, pixelOffset } = encodeDib(spec);
  const file = Buffer.alloc(14);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(14 + dib.length, 2);
  file.writeUInt32LE(14 + pixelOffset, 10);
  return Buffer.concat([file, dib]);
}

/** An ICO holding the given pictures (PNG files or DIBs with their AND mask). */
export function encodeIco(pictures: { width: number; height: number; bpp: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * pictures.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pictures.length, 4);
  let offset = header.length;
  pictures.forEach((p, i) => {
    const o = 6 + i * 16;
    header[o] = p.width >= 256 ? 0 : p.width;
    header[o + 1] = p.height >= 256 ? 0 : p.height;
    header.writeUInt16LE(1, o + 4);
    header.writeUInt16LE(p.bpp, o + 6);
    header.writeUInt32LE(p.data.length, o + 8);
    header.writeUInt32LE(offset, o + 12);
    offset += p.data.length;
  });
  return Buffer.concat([header, ...pictures.map((p) => p.data)]);
}
