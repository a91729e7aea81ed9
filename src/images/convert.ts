/**
 * Source bytes → WebP variants with sharp, safely: the format is read from
 * the bytes; a pixel limit against decompression bombs; `failOn: 'warning'`
 * so truncated files fail instead of rendering half an image; EXIF
 * orientation applied and then every piece of metadata dropped (sharp's
 * default: no EXIF, GPS or camera data reaches the site); sRGB output;
 * animation kept (frames, delays, loop). BMP and ICO, which libvips cannot
 * read, are decoded here (bmp.ts, ico.ts) and handed to sharp as raw pixels;
 * SVG is rasterized only when it refers to nothing outside itself.
 *
 * Images that carry no picture (1×1, fully transparent) are reported as
 * placeholders, not converted: the article drops them.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { failure, type Failure, type Result } from '../model/errors.ts';
import { BmpError, decodeBmp } from './bmp.ts';
import { decodeIco } from './ico.ts';
import { describeNonImage, isPlaceholderSize, sniffFormat } from './probe.ts';
import { svgExternalReference } from './svg.ts';

export interface ConvertOptions {
  quality: number;
  /** WebP method 0–6 (default 4): encoding time against file size, at the same quality. */
  effort?: number;
  maxWidth: number;
  widths: number[];
  maxPixels: number;
}

export interface ConvertedVariant {
  width: number;
  height: number;
  data: Buffer;
}

export type Converted =
  | {
      kind: 'image';
      sourceFormat: string;
      animated: boolean;
      /** Frames in the output (1 unless animated). */
      frames: number;
      /** Ascending by width; the last is the full-size image. */
      variants: ConvertedVariant[];
      ms: number;
    }
  | { kind: 'placeholder'; sourceFormat: string; width: number; height: number; reason: string; ms: number };

/** Makes a fresh sharp pipeline over the source (a pipeline runs once). */
export type Open = () => Sharp;

export async function convertImage(source: Buffer, url: string, options: ConvertOptions): Promise<Result<Converted>> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if (source.length === 0) return { ok: false, error: failure('image-decode', `${url}: empty response (zero bytes)`) };
  const format = sniffFormat(source);
  if (!format) {
    return { ok: false, error: failure('image-unsupported', `${url}: ${describeNonImage(source)}, not an image`) };
  }
  const limits: SharpOptions = { limitInputPixels: options.maxPixels, failOn: 'warning' };

  let open: Open;
  let sourceFormat: string = format;
  try {
    if (format === 'bmp') {
      const raw = decodeBmp(source, options.maxPixels);
      open = () => sharp(raw.data, { ...limits, raw: { width: raw.width, height: raw.height, channels: raw.channels } });
    } else if (format === 'ico') {
      const picture = decodeIco(source, options.maxPixels);
      if (picture.kind === 'png') open = () => sharp(picture.data, limits);
      else {
        const raw = picture.image;
        open = () => sharp(raw.data, { ...limits, raw: { width: raw.width, height: raw.height, channels: raw.channels } });
      }
    } else {
      if (format === 'svg') {
        const why = svgExternalReference(source.toString('utf8'));
        if (why) {
          return {
            ok: false,
            error: failure('image-unsupported', `${url}: SVG not rasterized: it ${why}`, {
              hint: 'The article keeps the remote URL; SVG is never served from the site itself.',
            }),
          };
        }
      }
      open = () => sharp(source, { ...limits, animated: true });
    }
  } catch (err) {
    return { ok: false, error: decodeFailure(url, err) };
  }

  let meta: Metadata;
  try {
    meta = await open().metadata();
  } catch (err) {
    return { ok: false, error: decodeFailure(url, err) };
  }
  // libvips calls AVIF "heif"; the report should say what the publisher sent.
  if (format !== 'bmp' && format !== 'ico') sourceFormat = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : (meta.format ?? format);
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
  if (isPlaceholderSize({ width, height })) {
    return { ok: true, value: { kind: 'placeholder', sourceFormat, width, height, reason: `${width}×${height} image`, ms: ms() } };
  }

  const full = Math.min(width, options.maxWidth);
  // Animations are costly to encode: one variant, full size.
  const targets = animated ? [full] : [...new Set([...options.widths.filter((w) => w < full), full])].sort((a, b) => a - b);
  try {
    const pixels = animated ? (target: number) => open().autoOrient().resize({ width: target, withoutEnlargement: true }).toColourspace('srgb') : await decodeOnce(open, targets, { width, height });
    const variants: ConvertedVariant[] = [];
    for (const target of targets) {
      const { data, info } = await pixels(target)
        .webp({ quality: options.quality, effort: options.effort ?? 4, alphaQuality: 90 })
        .toBuffer({ resolveWithObject: true });
      const frameH = animated ? (info.pageHeight ?? Math.round(info.height / pages)) : info.height;
      variants.push({ width: info.width, height: frameH, data });
      if (variants.length === 1 && meta.hasAlpha && (await fullyTransparent(data))) {
        // Lazy-load placeholders are often a transparent box at the real size; the
        // smallest variant tells as well as the source, at a fraction of the decode.
        return { ok: true, value: { kind: 'placeholder', sourceFormat, width, height, reason: 'fully transparent image', ms: ms() } };
      }
    }
    return { ok: true, value: { kind: 'image', sourceFormat, animated, frames: animated ? pages : 1, variants, ms: ms() } };
  } catch (err) {
    return { ok: false, error: decodeFailure(url, err) };
  }
}

/**
 * Beyond this many pixels in the largest variant, each variant streams from
 * the source instead: the decoded pixels of a 1600 px wide, very tall image
 * (a long infographic) would hold up to 200 MB while its variants encode.
 */
const DECODED_PIXELS_MAX = 16_000_000;

/**
 * A pipeline per variant width (ascending `targets`, the last the largest)
 * that decodes the source once: the largest variant's pixels are made from
 * the source (oriented, sRGB, 8 bits) and kept raw, and every variant is
 * encoded from them, the smaller ones resized from them. Per variant from
 * the source, a PNG was decoded in full three times and a JPEG once in full
 * plus twice shrunk; resized from the largest variant, the small ones also
 * come out closer to the source (docs/performance.md: PSNR and SSIM against
 * a resize of the fully decoded source). Heights are the source's
 * proportions rounded, as a resize from the source rounds them.
 */
export async function decodeOnce(open: Open, targets: number[], source: { width: number; height: number }): Promise<(target: number) => Sharp> {
  const largest = targets[targets.length - 1]!;
  const heightAt = (w: number) => Math.max(1, Math.round((source.height * w) / source.width));
  const fromSource = (w: number) => open().autoOrient().resize({ width: w, withoutEnlargement: true }).toColourspace('srgb');
  if (largest * heightAt(largest) > DECODED_PIXELS_MAX) return fromSource;
  const { data, info } = await fromSource(largest).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  return (w) => (w === info.width ? sharp(data, raw) : sharp(data, raw).resize({ width: w, height: heightAt(w), fit: 'fill' }));
}

async function fullyTransparent(webp: Buffer): Promise<boolean> {
  const stats = await sharp(webp, { animated: true }).stats();
  return stats.channels.length === 4 && stats.channels[3]!.max === 0;
}

function decodeFailure(url: string, err: unknown): Failure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BmpError) {
    const code = err.kind === 'too-large' ? 'image-too-large' : err.kind === 'unsupported' ? 'image-unsupported' : 'image-decode';
    return failure(code, `${url}: ${message}`, { cause: message });
  }
  if (/pixel limit/i.test(message)) {
    return failure('image-too-large', `${url}: image dimensions exceed the pixel limit`, {
      cause: message,
      hint: 'Raise images.maxPixels in feeds.json if such large images are expected.',
    });
  }
  if (/unsupported image format/i.test(message)) {
    return failure('image-unsupported', `${url}: not an image sharp can read`, { cause: message });
  }
  return failure('image-decode', `${url}: cannot decode image: ${message.split('\n')[0]}`, { cause: message });
}
