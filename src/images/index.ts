/**
 * images: image URLs from articles and feed icons → optimized WebP files + records.
 * In: `ImageRef`s, the image index from the last build, an HTTP client.
 * Out: `ImageAsset`s (files written under the cache's images/files/ folder,
 * named by the hash of the source bytes and the encoding options) and
 * per-image figures for the report. Never touches the archive or the site
 * folder (`render` links the files it needs from here).
 *
 * A source URL seen before is neither downloaded nor converted again; the
 * same bytes under two URLs cost one conversion and one set of files; a
 * failed URL waits out a growing back-off (1 h, 4 h, 16 h, 2.7 d, then
 * weekly) before it is tried again. Downloads and conversions run under
 * separate limits so encoding overlaps with fetching, and a third limit
 * bounds how many downloaded sources wait at once. A download runs on a
 * thread of its own (downloader.ts) and goes straight to a temp file the
 * encoder reads: the build never holds a whole body.
 */
import os from 'node:os';
import path from 'node:path';
import { readFile, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { ImagesConfig } from '../model/config.ts';
import { causeOf, failure, type Failure } from '../model/errors.ts';
import type { ImageAsset, ImageAttempt, ImageIndex, ImageRef, ImageSource, ImageVariant } from '../model/image.ts';
import type { HttpClient } from '../net/http.ts';
import { writeJsonAtomic } from '../io/atomic-file.ts';
import { retryAfter } from '../net/backoff.ts';
import type { ConvertOptions } from './convert.ts';
import { refererChain } from './download.ts';
import { createDownloader, type ThreadDownloaded } from './downloader.ts';
import { createEncoder } from './encoder.ts';

import type { IconCandidate } from './icons.ts';

export { iconCandidates, type IconCandidate } from './icons.ts';

export type ImageKind = 'content' | 'icon';

export interface ImageReportEntry {
  url: string;
  kind: ImageKind;
  /** 'missing': a guessed /favicon.ico that is not there (not an error; retried after the same back-off). */
  outcome: 'converted' | 'reused' | 'cached' | 'placeholder' | 'failed' | 'backoff' | 'missing';
  sourceFormat: string | null;
  sourceBytes: number | null;
  /** Bytes of the full-size WebP. */
  bytes: number | null;
  /** Bytes of each WebP, ascending by width (same order as `variants`). */
  variantBytes: number[];
  variants: { width: number; height: number; bytes: number }[];
  width: number | null;
  height: number | null;
  animated: boolean;
  convertMs: number | null;
  downloadMs: number | null;
  /** The Referer of the attempt that succeeded (null: none was needed). */
  referer: string | null;
  /** Status history of the last try: one entry per Referer tried. */
  attempts: ImageAttempt[];
  error: Failure | null;
}

/** Figures for the terminal summary and api/report.json totals. */
export interface ImageTotals {
  converted: number;
  reused: number;
  cached: number;
  placeholder: number;
  failed: number;
  backoff: number;
  /** Guessed favicons that are not there. */
  missing: number;
  /** Source bytes of the images converted in this build. */
  sourceBytes: number;
  /** Bytes of their full-size WebPs (what replaces the source in a page). */
  bytes: number;
  /** Bytes of every WebP written in this build, all widths. */
  writtenBytes: number;
  /** Wall-clock ms during which at least one download or conversion ran. */
  busyMs: number;
  /** Images downloaded and converted per second of busy time (null when none). */
  perSecond: number | null;
}

export interface ImageProcessorOptions {
  config: ImagesConfig;
  client: HttpClient;
  /** The cache folder for images (index.json and files/). */
  dir: string;
  allowPrivateNetworks: boolean;
  /** Time allowed to fetch one image (tests pass a short one). */
  timeoutMs: number;
  now: Date;
  /** Parallel downloads (default 8). */
  downloads?: number;
  /** Parallel encodes (default: the number of cores). */
  encodes?: number;
  /** Downloaded sources held at once (temp files), waiting or converting (default downloads + encodes). */
  inMemory?: number;
}

export interface ImageProcessor {
  process(ref: ImageRef): Promise<ImageAsset | null>;
  /** Tries a feed's icon candidates in order (feed image, then favicon); the first that converts wins. */
  processIcon(candidates: IconCandidate[], pageUrl: string | null): Promise<{ url: string; asset: ImageAsset } | null>;
  /** The asset for a source URL known ok (this build or an earlier one). */
  lookup(url: string, kind?: ImageKind): ImageAsset | null;
  /** The first icon candidate known ok. */
  lookupIcon(candidates: IconCandidate[]): { url: string; asset: ImageAsset } | null;
  /** Whether the URL turned out to be a placeholder (1×1, fully transparent): articles drop it. */
  isPlaceholder(url: string): boolean;
  entries(): ImageReportEntry[];
  totals(): ImageTotals;
  index(): ImageIndex;
  save(): Promise<void>;
  /**
   * Forgets every source no live article or feed references, deletes the
   * files of assets nothing uses any more (and stray files); returns how
   * many assets were removed.
   */
  prune(referenced: Iterable<string>, icons?: Iterable<string>): Promise<number>;
  /** Absolute path of a variant file in the cache. */
  filePath(variantPath: string): string;
  /** Stops the encoder's process and the downloads' thread once the build has no more images to convert (they give back their memory). */
  close(): Promise<void>;
  /**
   * The build is being stopped: downloads and conversions in progress end
   * now, their temp files are removed, and every image not done yet (now or
   * later) resolves to null without being recorded as failed, so it is
   * simply tried again by the next build. What was converted stays indexed.
   */
  stop(reason: string): Promise<void>;
}

/** Icons are shown at 32–64 CSS px: two small sizes are enough. */
const ICON_WIDTHS = [64, 128];

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

/** Index key: an icon is converted differently from the same URL in an article. */
function sourceKey(url: string, kind: ImageKind): string {
  // A space cannot occur in a URL, so the two key spaces never collide.
  return kind === 'icon' ? `icon ${url}` : url;
}

type Stored = { kind: 'asset'; asset: ImageAsset } | { kind: 'placeholder'; reason: string; sourceFormat: string } | { kind: 'failed'; error: Failure };

export function createImageProcessor(options: ImageProcessorOptions, index: ImageIndex): ImageProcessor {
  const { config } = options;
  const encodes = options.encodes ?? Math.max(1, os.availableParallelism());
  const downloads = options.downloads ?? 8;
  // Conversions run in the encoder's process, `encodes` at once.
  const encoder = createEncoder(path.join(options.dir, 'incoming'), encodes);
  // Downloads run on a thread of their own, with a client made like the build's.
  const downloader = createDownloader(options.client.options);
  const downloadLimit = pLimit(downloads);
  // Without this, fast downloads would pile up sources waiting for a free encoder.
  const memoryLimit = pLimit(options.inMemory ?? downloads + encodes);
  const profiles: Record<ImageKind, ConvertOptions> = {
    content: config,
    icon: { quality: Math.max(config.quality, 85), effort: config.effort, maxWidth: ICON_WIDTHS.at(-1)!, widths: ICON_WIDTHS, maxPixels: config.maxPixels },
  };
  const optionsKey = (kind: ImageKind) => {
    const p = profiles[kind];
    // Not the effort: it changes bytes, not what the image looks like, so converted images stay valid.
    return `webp-q${p.quality}-m${p.maxWidth}-w${p.widths.join('.')}`;
  };
  const inFlight = new Map<string, Promise<ImageAsset | null>>();
  const hashInFlight = new Map<string, Promise<Stored>>();
  const entries: ImageReportEntry[] = [];
  const filesDir = path.join(options.dir, 'files');
  const filePath = (variantPath: string) => path.join(filesDir, variantPath.replace(/^img\//, ''));
  let written = 0;
  let stopped: string | null = null;

  // Busy time: wall clock while anything downloads or converts.
  let active = 0;
  let busySince = 0;
  let busyMs = 0;
  async function busy<T>(work: () => Promise<T>): Promise<T> {
    if (active++ === 0) busySince = performance.now();
    try {
      return await work();
    } finally {
      if (--active === 0) busyMs += performance.now() - busySince;
    }
  }

  // One listing of the cache folder per build instead of a stat per file:
  // a warm build with thousands of images checks them all in milliseconds.
  let onDisk: Promise<Set<string>> | null = null;
  const listFiles = () =>
    (onDisk ??= readdir(filesDir, { recursive: true }).then(
      (names) => new Set(names.map((n) => n.split(path.sep).join('/'))),
      () => new Set<string>(),
    ));
  async function assetPresent(asset: ImageAsset): Promise<boolean> {
    const files = await listFiles();
    return asset.variants.every((v) => files.has(v.path.replace(/^img\//, '')));
  }

  async function run(ref: ImageRef, kind: ImageKind, guessed: boolean): Promise<ImageAsset | null> {
    const key = sourceKey(ref.url, kind);
    const known = index.sources[key];
    if (known?.status === 'ok' && known.hash) {
      const asset = index.assets[known.hash];
      if (asset && (await assetPresent(asset))) {
        entries.push(entry(ref.url, kind, 'cached', asset, known.referer, known.attempts));
        return asset;
      }
    }
    if (known?.status === 'placeholder') {
      entries.push(entry(ref.url, kind, 'placeholder', null, known.referer, known.attempts));
      return null;
    }
    if (known?.status === 'failed' && known.retryAfter && Date.parse(known.retryAfter) > options.now.getTime()) {
      entries.push({ ...entry(ref.url, kind, guessed ? 'missing' : 'backoff', null, null, known.attempts), error: known.failure });
      return null;
    }
    if (stopped) return null;
    return memoryLimit(() => (stopped ? null : busy(() => fetchAndConvert(ref, kind, key, known, guessed))));
  }

  /** The downloaded source is a temp file that lives only until this returns. */
  async function fetchAndConvert(ref: ImageRef, kind: ImageKind, key: string, known: ImageSource | undefined, guessed: boolean): Promise<ImageAsset | null> {
    // What a stop interrupted is not the image's fault: nothing is recorded, the next build tries it.
    const fail = (error: Failure, attempts: ImageAttempt[], sourceBytes: number | null) =>
      stopped ? null : recordFailure(ref.url, kind, key, error, attempts, known, sourceBytes, guessed);
    let download;
    try {
      download = await downloadLimit(async () =>
        downloader.download({
          url: ref.url,
          pageUrl: ref.pageUrl,
          options: { referers: config.referers, guardPrivate: !options.allowPrivateNetworks, maxBytes: config.maxBytes, timeoutMs: options.timeoutMs },
          tempFiles: await Promise.all(refererChain(ref.url, ref.pageUrl, config.referers).map(() => encoder.tempFile())),
          hashSuffix: optionsKey(kind),
        }),
      );
    } catch (err) {
      // The download's temp file could not be written, or its thread died: the message says which.
      return fail(failure('state', `${ref.url}: ${causeOf(err)}`, { cause: causeOf(err) }), [], null);
    }
    if (!download.ok) return fail(download.error, download.attempts, null);
    try {
      return await storeDownload(ref, kind, key, download, fail);
    } finally {
      // unlink, not rm: rm's recursive machinery stats first, thousands of times a build.
      await unlink(download.file).catch(() => {});
    }
  }

  async function storeDownload(
    ref: ImageRef,
    kind: ImageKind,
    key: string,
    download: Extract<ThreadDownloaded, { ok: true }>,
    fail: (error: Failure, attempts: ImageAttempt[], sourceBytes: number | null) => null,
  ): Promise<ImageAsset | null> {
    const { referer, attempts, ms: downloadMs, bytes: sourceBytes } = download;
    const hash = download.hash;
    const existing = index.assets[hash];
    if (existing && (await assetPresent(existing))) {
      index.sources[key] = okSource(ref.url, hash, referer, attempts);
      entries.push({ ...entry(ref.url, kind, 'reused', existing, referer, attempts), downloadMs, sourceBytes });
      return existing;
    }
    // Two URLs with the same bytes in flight at once: convert once (this one's file is
    // kept until the conversion it started is done: the caller waits for it below).
    let pending = hashInFlight.get(hash);
    const first = !pending;
    if (!pending) {
      pending = convertAndStore(ref.url, hash, download.file, sourceBytes, kind);
      hashInFlight.set(hash, pending);
      void pending.finally(() => hashInFlight.delete(hash)).catch(() => {});
    }
    const stored = await pending;
    if (stored.kind === 'failed') return fail(stored.error, attempts, sourceBytes);
    if (stored.kind === 'placeholder') {
      index.sources[key] = { ...okSource(ref.url, null, referer, attempts), status: 'placeholder' };
      entries.push({ ...entry(ref.url, kind, 'placeholder', null, referer, attempts), downloadMs, sourceBytes, sourceFormat: stored.sourceFormat });
      return null;
    }
    const asset = stored.asset;
    index.sources[key] = okSource(ref.url, hash, referer, attempts);
    entries.push({
      ...entry(ref.url, kind, first ? 'converted' : 'reused', asset, referer, attempts),
      convertMs: first ? asset.convertMs : null,
      downloadMs,
      sourceBytes,
    });
    return asset;
  }

  async function convertAndStore(url: string, hash: string, sourceFile: string, sourceBytes: number, kind: ImageKind): Promise<Stored> {
    const name = `img/${hash.slice(0, 2)}/${hash}-`;
    const converted = await encoder.encode(url, sourceFile, profiles[kind], filePath(name));
    if (!converted.ok) return { kind: 'failed', error: converted.error };
    const value = converted.value;
    if (value.kind === 'placeholder') return { kind: 'placeholder', reason: value.reason, sourceFormat: value.sourceFormat };
    const variants: ImageVariant[] = value.variants.map((v) => ({ width: v.width, height: v.height, path: `${name}${v.width}.webp`, bytes: v.bytes }));
    const files = await listFiles();
    for (const v of variants) {
      files.add(v.path.replace(/^img\//, ''));
      written += v.bytes;
    }
    const largest = variants[variants.length - 1]!;
    const asset: ImageAsset = {
      hash,
      width: largest.width,
      height: largest.height,
      sourceFormat: value.sourceFormat,
      animated: value.animated,
      sourceBytes,
      variants,
      convertMs: value.ms,
    };
    index.assets[hash] = asset;
    return { kind: 'asset', asset };
  }

  function recordFailure(
    url: string,
    kind: ImageKind,
    key: string,
    error: Failure,
    attempts: ImageAttempt[],
    known: ImageSource | undefined,
    sourceBytes: number | null,
    guessed: boolean,
  ): null {
    const failures = (known?.status === 'failed' ? known.failures : 0) + 1;
    index.sources[key] = {
      url,
      status: 'failed',
      hash: null,
      attempts,
      referer: null,
      failure: error,
      failures,
      retryAfter: retryAfter(failures, options.now),
      lastTried: options.now.toISOString(),
    };
    entries.push({ ...entry(url, kind, guessed ? 'missing' : 'failed', null, null, attempts), sourceBytes, error });
    return null;
  }

  function okSource(url: string, hash: string | null, referer: string | null, attempts: ImageAttempt[]): ImageSource {
    return { url, status: 'ok', hash, attempts, referer, failure: null, failures: 0, retryAfter: null, lastTried: options.now.toISOString() };
  }

  function lookup(url: string, kind: ImageKind = 'content'): ImageAsset | null {
    const source = index.sources[sourceKey(url, kind)];
    return source?.status === 'ok' && source.hash ? (index.assets[source.hash] ?? null) : null;
  }

  function process(ref: ImageRef, guessed = false): Promise<ImageAsset | null> {
    const kind = ref.kind ?? 'content';
    const key = sourceKey(ref.url, kind);
    let p = inFlight.get(key);
    if (!p) {
      p = run(ref, kind, guessed);
      inFlight.set(key, p);
    }
    return p;
  }

  return {
    process: (ref) => process(ref),
    async processIcon(candidates, pageUrl) {
      for (const { url, guessed } of candidates) {
        const asset = await process({ url, pageUrl, kind: 'icon' }, guessed);
        if (asset) return { url, asset };
      }
      return null;
    },
    lookup,
    lookupIcon(candidates) {
      for (const { url } of candidates) {
        const asset = lookup(url, 'icon');
        if (asset) return { url, asset };
      }
      return null;
    },
    isPlaceholder(url) {
      return index.sources[url]?.status === 'placeholder';
    },
    entries: () => entries,
    totals() {
      const count = (o: ImageReportEntry['outcome']) => entries.filter((e) => e.outcome === o).length;
      const converted = entries.filter((e) => e.outcome === 'converted');
      return {
        converted: converted.length,
        reused: count('reused'),
        cached: count('cached'),
        placeholder: count('placeholder'),
        failed: count('failed'),
        backoff: count('backoff'),
        missing: count('missing'),
        sourceBytes: converted.reduce((n, e) => n + (e.sourceBytes ?? 0), 0),
        bytes: converted.reduce((n, e) => n + (e.bytes ?? 0), 0),
        writtenBytes: written,
        busyMs: Math.round(busyMs),
        perSecond: converted.length > 0 && busyMs > 0 ? Math.round((converted.length / (busyMs / 1000)) * 10) / 10 : null,
      };
    },
    index: () => index,
    async save() {
      await writeJsonAtomic(path.join(options.dir, 'index.json'), { version: 1, ...index });
    },
    async prune(referenced, icons = []) {
      const live = new Set<string>();
      for (const url of referenced) live.add(sourceKey(url, 'content'));
      for (const url of icons) live.add(sourceKey(url, 'icon'));
      for (const key of Object.keys(index.sources)) if (!live.has(key)) delete index.sources[key];
      const liveHashes = new Set(Object.values(index.sources).flatMap((s) => (s.status === 'ok' && s.hash ? [s.hash] : [])));
      let removed = 0;
      for (const hash of Object.keys(index.assets)) {
        if (!liveHashes.has(hash)) {
          delete index.assets[hash];
          removed++;
        }
      }
      await sweepFiles(filesDir, new Set(Object.values(index.assets).flatMap((a) => a.variants.map((v) => filePath(v.path)))));
      return removed;
    },
    filePath,
    close: async () => {
      await Promise.all([encoder.close(), downloader.close()]);
    },
    async stop(reason) {
      stopped = reason;
      // The thread first: its downloads write into the folder the encoder's abort removes.
      await downloader.close();
      await encoder.abort(reason);
    },
  };
}

/** Deletes every file under `dir` that is not in `keep` (old assets, leftovers of a killed build), then empty folders. */
async function sweepFiles(dir: string, keep: Set<string>): Promise<number> {
  let deleted = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const sub = path.join(dir, name);
    let files: string[];
    try {
      files = await readdir(sub);
    } catch {
      // A plain file at the top level: not ours.
      if (!keep.has(sub)) await rm(sub, { force: true });
      continue;
    }
    for (const f of files) {
      const file = path.join(sub, f);
      if (!keep.has(file)) {
        await rm(file, { force: true, recursive: true });
        deleted++;
      }
    }
    if (files.every((f) => !keep.has(path.join(sub, f)))) await rmdir(sub).catch(() => {});
  }
  return deleted;
}

function entry(
  url: string,
  kind: ImageKind,
  outcome: ImageReportEntry['outcome'],
  asset: ImageAsset | null,
  referer: string | null,
  attempts: ImageAttempt[],
): ImageReportEntry {
  return {
    url,
    kind,
    outcome,
    sourceFormat: asset?.sourceFormat ?? null,
    sourceBytes: asset?.sourceBytes ?? null,
    bytes: asset ? asset.variants[asset.variants.length - 1]!.bytes : null,
    variantBytes: asset ? asset.variants.map((v) => v.bytes) : [],
    variants: asset ? asset.variants.map((v) => ({ width: v.width, height: v.height, bytes: v.bytes })) : [],
    width: asset?.width ?? null,
    height: asset?.height ?? null,
    animated: asset?.animated ?? false,
    convertMs: null,
    downloadMs: null,
    referer,
    attempts,
    error: null,
  };
}
