/**
 * ICO (favicon.ico) → its best picture, because sharp cannot read ICO. An
 * ICO is a directory of pictures, each a PNG file or a headerless BMP (DIB);
 * we take the largest (then the deepest), as a PNG buffer for sharp or as
 * raw pixels decoded by bmp.ts.
 */
import { BmpError, decodeIcoDib, type RawImage } from './bmp.ts';

export type IcoPicture = { kind: 'png'; data: Buffer } | { kind: 'raw'; image: RawImage };

export function isIco(buf: Buffer): boolean {
  // reserved 0, type 1 (icon) or 2 (cursor), at least one entry.
  return buf.length >= 22 && buf.readUInt16LE(0) === 0 && (buf.readUInt16LE(2) === 1 || buf.readUInt16LE(2) === 2) && buf.readUInt16LE(4) > 0;
}

interface Entry {
  width: number;
  height: number;
  bpp: number;
  size: number;
  offset: number;
}

function entries(buf: Buffer): Entry[] {
  const count = buf.readUInt16LE(4);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const o = 6 + i * 16;
    if (o + 16 > buf.length) break;
    const e = {
      width: buf[o] || 256,
      height: buf[o + 1] || 256,
      bpp: buf.readUInt16LE(o + 6),
      size: buf.readUInt32LE(o + 8),
      offset: buf.readUInt32LE(o + 12),
    };
    if (e.size > 0 && e.offset + e.size <= buf.length) out.push(e);
  }
  return out;
}

/** Dimensions of the picture `decodeIco` would pick, from the directory alone. */
export function icoSize(buf: Buffer): { width: number; height: number } | null {
  if (!isIco(buf)) return null;
  const best = pick(entries(buf));
  return best ? { width: best.width, height: best.height } : null;
}

function pick(list: Entry[]): Entry | null {
  return [...list].sort((a, b) => b.width * b.height - a.width * a.height || b.bpp - a.bpp)[0] ?? null;
}

export function decodeIco(buf: Buffer, maxPixels: number): IcoPicture {
  if (!isIco(buf)) throw new BmpError('not an ICO file', 'corrupt');
  const best = pick(entries(buf));
  if (!best) throw new BmpError('ICO has no readable picture', 'corrupt');
  const data = buf.subarray(best.offset, best.offset + best.size);
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47) return { kind: 'png', data };
  return { kind: 'raw', image: decodeIcoDib(data, maxPixels) };
}
