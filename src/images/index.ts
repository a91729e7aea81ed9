/**
 * images: image URLs from articles → optimized WebP files + records.
 * In: `ImageRef`s, the image index from the last build, an HTTP client.
 * Out: `ImageAsset`s (files written under the cache's images/ folder, named
 * by the hash of the source bytes and the encoding options) and per-image
 * figures for the report. Never touches the archive or the site folder.
 *
 * A source URL seen before is neither downloaded nor converted again; the
 * same bytes under two URLs cost one conversion; a failed URL waits out a
 * growing back-off before it is tried again. Downloads and conversions run
 * under separate limits so encoding overlaps with fetching.
 */
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import pLimit from 'p-limit';
import type { ImagesConfig } from '../model/config.ts';
import type { Failure } from '../model/errors.ts';
import type { ImageAsset, ImageAttempt, ImageIndex, ImageRef, ImageSource } from '../model/image.ts';
import type { HttpClient } from '../net/http.ts';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.ts';
import { convertImage } from './convert.ts';
import { downloadImage } from './download.ts';

export interface ImageReportEntry {
  url: string;
  outcome: 'converted' | 'reused' | 'cached' | 'failed' | 'backoff';
  sourceBytes: number | null;
  /** Bytes of the full-size WebP. */
  bytes: number | null;
  variantBytes: number[];
  width: number | null;
  height: number | null;
  convertMs: number | null;
  downloadMs: number | null;
  referer: string | null;
  attempts: ImageAttempt[];
  error: Failure | null;
}

export interface ImageProcessorOptions {
  config: ImagesConfig;
  client: HttpClient;
  /** The cache folder for images (index.json and files/). */
  dir: string;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  now: Date;
  /** Parallel downloads (default 8). */
  downloads?: number;
  /** Parallel encodes (default: the number of cores). */
  encodes?: number;
}

export interface ImageProcessor {
  process(ref: ImageRef): Promise<ImageAsset | null>;
  /** The asset for a source URL known ok (this build or an earlier one). */
  lookup(url: string): ImageAsset | null;
  entries(): ImageReportEntry[];
  index(): ImageIndex;
  save(): Promise<void>;
  /** Forgets assets no live article references; returns how many. */
  prune(referenced: Iterable<string>): number;
  /** Absolute path of a variant file in the cache. */
  filePath(variantPath: string): string;
}

const HOUR = 3600_000;

export async function loadImageIndex(dir: string): Promise<{ index: ImageIndex; warning: string | null }> {
  try {
    const data = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as Partial<ImageIndex> & { version?: number };
    if (data.version !== 1 || typeof data.sources !== 'object' || typeof data.assets !== 'object') {
      return { index: { sources: {}, assets: {} }, warning: `${path.join(dir, 'index.json')}: unknown format, images will be fetched again` };
    }
    return { index: { sources: data.sources ?? {}, assets: data.assets ?? {} }, warning: null };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      index: { sources: {}, assets: {} },
      warning: missing ? null : `${path.join(dir, 'index.json')} is unreadable (${(err as Error).message}); images will be fetched again`,
    };
  }
}

export function createImageProcessor(options: ImageProcessorOptions, index: ImageIndex): ImageProcessor {
  const { config } = options;
  const encodes = options.encodes ?? Math.max(1, os.availableParallelism());
  // One libvips thread per image and as many images as cores: measured faster
  // than one image on every core, and it keeps memory per image small.
  sharp.concurrency(1);
  sharp.cache(false);
  const downloadLimit = pLimit(options.downloads ?? 8);
  const encodeLimit = pLimit(encodes);
  const optionsKey = `webp-q${config.quality}-m${config.maxWidth}-w${config.widths.join('.')}`;
  const inFlight = new Map<string, Promise<ImageAsset | null>>();
  const entries: ImageReportEntry[] = [];
  const hashInFlight = new Map<string, Promise<ImageAsset | null>>();
  const filesDir = path.join(options.dir, 'files');
  const filePath = (variantPath: string) => path.join(filesDir, variantPath.replace(/^img\//, ''));

  async function assetPresent(asset: ImageAsset): Promise<boolean> {
    try {
      await Promise.all(asset.variants.map((v) => access(filePath(v.path))));
      return true;
    } catch {
      return false;
    }
  }

  function record(source: ImageSource) {
    index.sources[source.url] = source;
  }

  async function run(ref: ImageRef): Promise<ImageAsset | null> {
    const known = index.sources[ref.url];
    if (known?.status === 'ok' && known.hash) {
      const asset = index.assets[known.hash];
      if (asset && (await assetPresent(asset))) {
        entries.push(entry(ref.url, 'cached', asset, known.referer, known.attempts, null, null));
        return asset;
      }
    }
    if (known?.status === 'failed' && known.retryAfter && Date.parse(known.retryAfter) > options.now.getTime()) {
      entries.push({ ...entry(ref.url, 'backoff', null, null, known.attempts, null, null), error: known.failure });
      return null;
    }

    const download = await downloadLimit(() =>
      downloadImage(ref.url, ref.pageUrl, {
        client: options.client,
        referers: config.referers,
        guardPrivate: !options.allowPrivateNetworks,
        maxBytes: config.maxBytes,
        timeoutMs: options.timeoutMs,
      }),
    );
    if (!download.ok) return fail(ref.url, download.error, download.attempts, known, null);

    const hash = createHash('sha256').update(download.body).update(optionsKey).digest('hex').slice(0, 24);
    const existing = index.assets[hash];
    if (existing && (await assetPresent(existing))) {
      record(okSource(ref.url, hash, download.referer, download.attempts));
      entries.push(entry(ref.url, 'reused', existing, download.referer, download.attempts, null, download.ms, download.body.length));
      return existing;
    }
    // Two URLs with the same bytes in flight at once: convert once.
    let pending = hashInFlight.get(hash);
    const first = !pending;
    if (!pending) {
      pending = encodeLimit(() => convertAndStore(ref.url, hash, download.body));
      hashInFlight.set(hash, pending);
    }
    const asset = await pending;
    if (!asset) {
      const failed = lastFailure.get(hash)!;
      return fail(ref.url, failed, download.attempts, known, download.body.length);
    }
    record(okSource(ref.url, hash, download.referer, download.attempts));
    entries.push(
      entry(ref.url, first ? 'converted' : 'reused', asset, download.referer, download.attempts, first ? asset.convertMs : null, download.ms, download.body.length),
    );
    return asset;
  }

  const lastFailure = new Map<string, Failure>();

  async function convertAndStore(url: string, hash: string, body: Buffer): Promise<ImageAsset | null> {
    const converted = await convertImage(body, url, config);
    if (!converted.ok) {
      lastFailure.set(hash, converted.error);
      return null;
    }
    const variants = [];
    for (const v of converted.value.variants) {
      const variantPath = `img/${hash.slice(0, 2)}/${hash}-${v.width}.webp`;
      await writeFileAtomic(filePath(variantPath), v.data);
      variants.push({ width: v.width, height: v.height, path: variantPath, bytes: v.data.length });
    }
    const largest = variants[variants.length - 1]!;
    const asset: ImageAsset = {
      hash,
      width: largest.width,
      height: largest.height,
      sourceFormat: converted.value.sourceFormat,
      animated: converted.value.animated,
      sourceBytes: body.length,
      variants,
      convertMs: converted.value.ms,
    };
    index.assets[hash] = asset;
    return asset;
  }

  function fail(url: string, error: Failure, attempts: ImageAttempt[], known: ImageSource | undefined, sourceBytes: number | null): null {
    const failures = (known?.status === 'failed' ? known.failures : 0) + 1;
    // 1 h, 4 h, 16 h, 2.7 d, then weekly.
    const backoff = Math.min(HOUR * 4 ** (failures - 1), 7 * 24 * HOUR);
    record({
      url,
      status: 'failed',
      hash: null,
      attempts,
      referer: null,
      failure: error,
      failures,
      retryAfter: new Date(options.now.getTime() + backoff).toISOString(),
      lastTried: options.now.toISOString(),
    });
    entries.push({ ...entry(url, 'failed', null, null, attempts, null, null, sourceBytes ?? undefined), error });
    return null;
  }

  function okSource(url: string, hash: string, referer: string | null, attempts: ImageAttempt[]): ImageSource {
    return { url, status: 'ok', hash, attempts, referer, failure: null, failures: 0, retryAfter: null, lastTried: options.now.toISOString() };
  }

  return {
    process(ref) {
      let p = inFlight.get(ref.url);
      if (!p) {
        p = run(ref);
        inFlight.set(ref.url, p);
      }
      return p;
    },
    lookup(url) {
      const source = index.sources[url];
      return source?.status === 'ok' && source.hash ? (index.assets[source.hash] ?? null) : null;
    },
    entries: () => entries,
    index: () => index,
    async save() {
      await writeJsonAtomic(path.join(options.dir, 'index.json'), { version: 1, ...index });
    },
    prune(referenced) {
      const live = new Set<string>();
      for (const url of referenced) {
        const hash = index.sources[url]?.hash;
        if (hash) live.add(hash);
      }
      let removed = 0;
      for (const hash of Object.keys(index.assets)) {
        if (!live.has(hash)) {
          delete index.assets[hash];
          removed++;
        }
      }
      for (const [url, source] of Object.entries(index.sources)) {
        if (source.hash && !index.assets[source.hash]) delete index.sources[url];
      }
      return removed;
    },
    filePath,
  };
}

function entry(
  url: string,
  outcome: ImageReportEntry['outcome'],
  asset: ImageAsset | null,
  referer: string | null,
  attempts: ImageAttempt[],
  convertMs: number | null,
  downloadMs: number | null,
  sourceBytes?: number,
): ImageReportEntry {
  return {
    url,
    outcome,
    sourceBytes: sourceBytes ?? asset?.sourceBytes ?? null,
    bytes: asset ? asset.variants[asset.variants.length - 1]!.bytes : null,
    variantBytes: asset ? asset.variants.map((v) => v.bytes) : [],
    width: asset?.width ?? null,
    height: asset?.height ?? null,
    convertMs,
    downloadMs,
    referer,
    attempts,
    error: null,
  };
}
