/**
 * Source bytes → WebP variants with sharp, safely: pixel limit against
 * decompression bombs, `failOn: 'warning'` so truncated files fail instead of
 * rendering half an image, EXIF orientation applied and then every piece of
 * metadata dropped (sharp's default), sRGB output, animation kept.
 */
import sharp, { type Metadata } from 'sharp';
import { failure, type Failure, type Result } from '../model/errors.ts';

export interface ConvertOptions {
  quality: number;
  maxWidth: number;
  widths: number[];
  maxPixels: number;
}

export interface ConvertedVariant {
  width: number;
  height: number;
  data: Buffer;
}

export interface Converted {
  sourceFormat: string;
  animated: boolean;
  variants: ConvertedVariant[];
  ms: number;
}

const RASTER_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'avif', 'heif', 'tiff', 'bmp', 'svg']);

export async function convertImage(source: Buffer, url: string, options: ConvertOptions): Promise<Result<Converted>> {
  const started = performance.now();
  if (source.length === 0) return { ok: false, error: failure('image-decode', `${url}: empty response`) };
  const isSvg = looksLikeSvg(source);
  if (isSvg && /<(image|use|feImage)\b[^>]*href\s*=\s*["'](?!data:|#)/i.test(source.toString('utf8'))) {
    return { ok: false, error: failure('image-unsupported', `${url}: SVG that loads external resources is not rasterized`) };
  }
  const input = { animated: true, limitInputPixels: options.maxPixels, failOn: 'warning' as const };
  let meta: Metadata;
  try {
    meta = await sharp(source, input).metadata();
  } catch (err) {
    return { ok: false, error: decodeFailure(url, err) };
  }
  if (!meta.format || !RASTER_FORMATS.has(meta.format)) {
    return { ok: false, error: failure('image-unsupported', `${url}: unsupported image format ${meta.format ?? 'unknown'}`) };
  }
  const pages = meta.pages ?? 1;
  const animated = pages > 1 && (meta.format === 'gif' || meta.format === 'webp');
  const frameHeight = animated ? (meta.pageHeight ?? meta.height ?? 0) : (meta.height ?? 0);
  // EXIF orientations 5–8 swap width and height.
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = (rotated ? frameHeight : meta.width) ?? 0;
  const height = (rotated ? meta.width : frameHeight) ?? 0;
  if (!width || !height) return { ok: false, error: failure('image-decode', `${url}: image has no dimensions`) };
  if (width * height * (animated ? pages : 1) > options.maxPixels) {
    return {
      ok: false,
      error: failure('image-too-large', `${url}: ${width}×${height}${animated ? `×${pages} frames` : ''} is more than ${options.maxPixels / 1e6} megapixels`),
    };
  }

  const full = Math.min(width, options.maxWidth);
  // Animations are costly to encode: one variant, full size.
  const targets = animated ? [full] : [...new Set([...options.widths.filter((w) => w < full), full])];
  try {
    const variants: ConvertedVariant[] = [];
    for (const target of targets) {
      const { data, info } = await sharp(source, input)
        .autoOrient()
        .resize({ width: target, withoutEnlargement: true })
        .toColourspace('srgb')
        .webp({ quality: options.quality, effort: 4, alphaQuality: 90 })
        .toBuffer({ resolveWithObject: true });
      variants.push({ width: info.width, height: animated ? (info.pageHeight ?? info.height) : info.height, data });
    }
    return { ok: true, value: { sourceFormat: meta.format, animated, variants, ms: Math.round(performance.now() - started) } };
  } catch (err) {
    return { ok: false, error: decodeFailure(url, err) };
  }
}

function looksLikeSvg(buf: Buffer): boolean {
  const head = buf.subarray(0, 512).toString('utf8').trimStart();
  return head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'));
}

function decodeFailure(url: string, err: unknown): Failure {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return failure('image-too-large', `${url}: image dimensions exceed the pixel limit`, { cause: message });
  }
  if (/unsupported image format/i.test(message)) {
    return failure('image-unsupported', `${url}: not an image sharp can read`, { cause: message });
  }
  return failure('image-decode', `${url}: cannot decode image: ${message.split('\n')[0]}`, { cause: message });
}
