/**
 * What a downloaded body is, from its bytes (never from the URL or the
 * Content-Type, which lie: CDNs serve HTML error pages as image/jpeg), and
 * its dimensions from the header alone, cheaply enough to run on every
 * download (a 1×1 answer is a placeholder, worth another Referer).
 */
import { bmpSize, isBmp } from './bmp.ts';
import { icoSize, isIco } from './ico.ts';
import { looksLikeSvg } from './svg.ts';

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'heif' | 'bmp' | 'tiff' | 'ico' | 'svg';

export function sniffFormat(b: Buffer): ImageFormat | null {
  if (b.length < 4) return null;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (b.length >= 12 && b.subarray(4, 8).toString('latin1') === 'ftyp') return 'heif'; // AVIF and HEIC
  if (isBmp(b)) return 'bmp';
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)) return 'tiff';
  if (isIco(b)) return 'ico';
  if (looksLikeSvg(b)) return 'svg';
  return null;
}

/** A short description of a body that is not an image, for error messages (`b` may be its first bytes, of `size`). */
export function describeNonImage(b: Buffer, size = b.length): string {
  if (size === 0) return 'an empty body';
  const head = b.subarray(0, 256).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<(head|body|title)\b/.test(head)) return 'an HTML page';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON';
  return `${size} bytes of an unknown format`;
}

/**
 * Width and height of a small image, or null when unknown (SVG is never
 * parsed here). `body` is the whole download: only a body that fits in
 * memory at once is probed (see download.ts), since only a tiny image can be
 * a placeholder.
 */
export async function probeSize(body: Buffer, format: ImageFormat): Promise<{ width: number; height: number } | null> {
  if (format === 'svg') return null;
  if (format === 'bmp') return bmpSize(body);
  if (format === 'ico') return icoSize(body);
  try {
    // Loaded here, not with this module: the build's own process reaches it only
    // through download.ts, whose downloads run on their thread (sharp takes
    // ~0.15 s to load, a tenth of a warm build of 2,000 articles).
    const { default: sharp } = await import('sharp');
    // Header only: the pixel limit is the converter's job, and it reports it better.
    const meta = await sharp(body, { limitInputPixels: false }).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
  } catch {
    return null;
  }
}

/** Images this small carry no picture: spacers, tracking pixels, hotlink placeholders. */
export function isPlaceholderSize(size: { width: number; height: number } | null): boolean {
  return size !== null && size.width <= 2 && size.height <= 2;
}
