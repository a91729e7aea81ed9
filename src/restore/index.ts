/**
 * restore: a deployed site → the state a lost --cache held.
 * In: the site's root URL, the configured feeds, an HTTP client.
 * Out: every feed's archive (articles, metadata, HTTP validators, health)
 * read back from api/feeds.json and every page of api/feeds/<id>.json
 * (following next_url), the image index rebuilt from `_digest.assets`, the
 * asset manifest (api/assets.json) when there is one, and the optimized
 * image files downloaded into the image cache, so no image still on the
 * site is converted again. Never writes the archive itself: build.ts saves
 * what this returns with the archive and image stores.
 *
 * A site with no api/feeds.json (404) has nothing to restore. Any other
 * failure to read the archive throws `RestoreError`: building on would
 * deploy a site that has lost every article the feeds no longer list.
 * An image that cannot be downloaded is only a warning (it is fetched from
 * its source again).
 */
import pLimit from 'p-limit';
import sharp from 'sharp';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeedState } from '../model/archive.ts';
import type { ImageIndex } from '../model/image.ts';
import type { HttpClient } from '../net/http.ts';
import { articleFrom, feedStateFrom, type DeployedFeed, type DeployedItem } from './articles.ts';
import { collectImages, type RestoreFile } from './images.ts';
import { RestoreError } from './restore-error.ts';

export type { RestoreFile } from './images.ts';

/** The archive cannot be read back: the build stops rather than deploy a smaller one. */
export { RestoreError };

export interface RestoreOptions {
  /** The deployed site's root URL (its path prefix included). */
  from: string;
  /** The feeds to restore (the config's, or one shard's). */
  feeds: { id: string; url: string }[];
  client: HttpClient;
  timeoutMs: number;
  /** Images may also come from `https://*.jsdelivr.net/gh/<repo>@…` (assets.repo). */
  assetsRepo: string | null;
  now: Date;
  /** Parallel downloads (default 8). */
  concurrency?: number;
}

export interface RestoredSite {
  feeds: Map<string, FeedState>;
  images: ImageIndex;
  files: RestoreFile[];
  /** api/assets.json as published, or null. */
  assetManifest: string | null;
  articles: number;
  pages: number;
  warnings: string[];
}

const JSON_MAX_BYTES = 64 * 1024 * 1024;
const MAX_PAGES_PER_FEED = 100_000;

/** Reads the deployed JSON archive; null when the site has none yet. */
export async function readDeployedSite(options: RestoreOptions): Promise<RestoredSite | null> {
  const root = options.from.endsWith('/') ? options.from : `${options.from}/`;
  const get = (url: string) => getJson(options, url);
  const feedsDoc = await get(`${root}api/feeds.json`);
  if (feedsDoc === null) return null;
  const entries = Array.isArray((feedsDoc as { feeds?: unknown }).feeds) ? ((feedsDoc as { feeds: DeployedFeed[] }).feeds) : null;
  if (!entries) throw new RestoreError(`${root}api/feeds.json is not a feed-digest feeds list (no "feeds" array)`);

  // URLs in the JSON carry the site.url it was built with; fetch them from `root` (a mirror, a local server).
  const published = publishedRoot(entries) ?? root;
  const rebase = (url: string) => (url.startsWith(published) ? root + url.slice(published.length) : url);
  const cdn = options.assetsRepo ? new RegExp(`^https://[a-z0-9.-]+\\.jsdelivr\\.net/gh/${escapeRegExp(options.assetsRepo)}@[^/]+/(.+)$`) : null;
  const locate = (url: string): { path: string; url: string } | null => {
    if (url.startsWith(published)) return { path: url.slice(published.length), url: rebase(url) };
    const m = cdn?.exec(url);
    return m ? { path: m[1]!, url } : null;
  };
  const nowIso = options.now.toISOString();
  const images = collectImages(locate, nowIso);
  const warnings: string[] = [];
  const byId = new Map(entries.filter((e) => typeof e?.id === 'string').map((e) => [e.id as string, e]));

  const feeds = new Map<string, FeedState>();
  let articles = 0;
  let pages = 0;
  const limit = pLimit(options.concurrency ?? 8);
  await Promise.all(
    options.feeds.map((feed) =>
      limit(async () => {
        const entry = byId.get(feed.id);
        if (!entry) return;
        const state = feedStateFrom(entry, feed);
        if (entry.icon_source_url && entry.icon_asset && typeof entry.icon_source_url === 'string') {
          images.add(entry.icon_source_url, entry.icon_asset, 'icon');
        }
        const seen = new Set<string>();
        const ids = new Set<string>();
        let url: string | null = `${root}api/feeds/${feed.id}.json`;
        while (url && !seen.has(url) && seen.size < MAX_PAGES_PER_FEED) {
          seen.add(url);
          const doc = (await get(url)) as { items?: DeployedItem[]; next_url?: unknown } | null;
          if (doc === null) {
            // The feed had no JSON (never fetched, or removed between builds): nothing to lose.
            if (seen.size === 1) warnings.push(`restore: ${url} not found; feed "${feed.id}" starts empty`);
            else throw new RestoreError(`${url} (page ${seen.size} of feed "${feed.id}") not found`);
            break;
          }
          pages++;
          for (const item of Array.isArray(doc.items) ? doc.items : []) {
            const sourceOf = new Map<string, string>();
            for (const [source, deployed] of Object.entries(item?._digest?.assets ?? {})) {
              for (const v of images.add(source, deployed, 'content')) sourceOf.set(v, source);
            }
            const article = articleFrom(item, sourceOf);
            if (!article) {
              warnings.push(`restore: an item of ${url} lacks an id, title, date, content or link; skipped`);
              continue;
            }
            // A feed's JSON never lists an article twice; a page that moved during the build could.
            if (!ids.has(article.id)) {
              ids.add(article.id);
              state.articles.push(article);
            }
          }
          url = typeof doc.next_url === 'string' ? rebase(doc.next_url) : null;
        }
        articles += state.articles.length;
        feeds.set(feed.id, state);
      }),
    ),
  );

  const manifest = await getText(options, `${root}api/assets.json`);
  return { feeds, images: images.index, files: images.files(), assetManifest: manifest, articles, pages, warnings };
}

/**
 * Downloads the optimized files into the image cache (`dest(path)`), and
 * reads back whether each image is animated. Returns what it got.
 */
export async function downloadFiles(
  files: RestoreFile[],
  images: ImageIndex,
  options: { client: HttpClient; timeoutMs: number; dest: (variantPath: string) => string; concurrency?: number },
): Promise<{ files: number; bytes: number; failed: number; warnings: string[] }> {
  const limit = pLimit(options.concurrency ?? 8);
  const warnings: string[] = [];
  let count = 0;
  let bytes = 0;
  let failed = 0;
  const got = new Set<string>();
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        const res = await options.client.get({
          url: file.url,
          timeoutMs: options.timeoutMs,
          deadlineMs: options.timeoutMs + RETRY_BUDGET_MS,
          maxBytes: Math.max(file.bytes * 2, 1024 * 1024),
          maxRedirects: 5,
          guardPrivate: false,
          retries: RETRIES,
        });
        if (!res.ok || res.value.status !== 200) {
          failed++;
          if (warnings.length < 20) warnings.push(`restore: ${file.url}: ${res.ok ? `HTTP ${res.value.status}` : res.error.message}; the image will be fetched from its source again`);
          return;
        }
        const dest = options.dest(file.path);
        await mkdir(path.dirname(dest), { recursive: true });
        await writeFile(dest, res.value.body);
        got.add(file.path);
        count++;
        bytes += res.value.body.length;
      }),
    ),
  );
  if (failed > 20) warnings.push(`restore: … and ${failed - 20} more images could not be downloaded`);
  // Only the largest variant of a multi-frame image tells: animations have one variant.
  await Promise.all(
    Object.values(images.assets).map(async (asset) => {
      const full = asset.variants[asset.variants.length - 1]!;
      if (asset.variants.length !== 1 || !got.has(full.path)) return;
      const meta = await sharp(options.dest(full.path)).metadata().catch(() => null);
      asset.animated = (meta?.pages ?? 1) > 1;
    }),
  );
  return { files: count, bytes, failed, warnings };
}

/**
 * A restore is all or nothing (a page that cannot be read stops the build
 * rather than publish less), so a host that fails for a few seconds gets
 * more tries than a feed does: 4 retries, 1 + 2 + 4 + 8 s apart.
 */
const RETRIES = 4;
const RETRY_BUDGET_MS = 20_000;

/** The site root the JSON was built with, from a feed's json_url ("<root>api/feeds/<id>.json"). */
function publishedRoot(entries: DeployedFeed[]): string | null {
  for (const e of entries) {
    const url = typeof e?.json_url === 'string' ? e.json_url : null;
    const suffix = `api/feeds/${String(e?.id)}.json`;
    if (url?.endsWith(suffix)) return url.slice(0, -suffix.length);
  }
  return null;
}

async function getJson(options: RestoreOptions, url: string): Promise<unknown> {
  const text = await getText(options, url);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RestoreError(`${url} is not valid JSON (${(err as Error).message})`);
  }
}

/** The body of a 200, null for a 404 or 410; anything else throws. */
async function getText(options: RestoreOptions, url: string): Promise<string | null> {
  const res = await options.client.get({ url, timeoutMs: options.timeoutMs, deadlineMs: options.timeoutMs + RETRY_BUDGET_MS, maxBytes: JSON_MAX_BYTES, maxRedirects: 5, guardPrivate: false, retries: RETRIES });
  if (!res.ok) throw new RestoreError(`cannot read ${url}: ${res.error.message}`);
  if (res.value.status === 404 || res.value.status === 410) return null;
  if (res.value.status !== 200) throw new RestoreError(`cannot read ${url}: HTTP ${res.value.status}`);
  return res.value.body.toString('utf8');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
