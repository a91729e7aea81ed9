/**
 * The JSON archive programs read: JSON Feed 1.1 documents, paginated with
 * `next_url` so no file grows past a few hundred KB, each item carrying the
 * `_digest` extension (CONTRACT.md). Also api/feeds.json. Pure.
 */
import { ASSET_BASE_TOKEN } from '../model/asset-url.ts';
import type { RenderArticle, RenderFeed, RenderImage } from './input.ts';
import type { FeedDirectoryEntry } from './view-model.ts';
import { DIGEST_SCHEMA_VERSION } from './digest-schema.ts';
import { stablePages, type Seal } from './pagination.ts';
import { paths } from './paths.ts';

export { DIGEST_SCHEMA_VERSION };
const MAX_ITEMS_PER_FILE = 100;
/** UTF-8 bytes of items per file: the JSON Feed spec suggests files of about 100–250 KB. */
export const MAX_BYTES_PER_FILE = 200 * 1024;

export interface JsonFile {
  path: string;
  body: string;
}

/** Any file the render writes from memory. */
export interface SiteFile {
  path: string;
  body: string | Uint8Array;
}

export interface FeedContext {
  siteUrl: string;
  title: string;
  description?: string;
  homePageUrl: string;
  language: string;
  icon?: string;
  /** paths.allJson or (page) => paths.feedJson(id, page): without a page, the newest document. */
  pathOf: (page?: number) => string;
  /** The feed this document is about (for `_digest.feed_id`), or null for all feeds. */
  feedId: string | null;
  /** Images served from elsewhere (RenderInput.assetUrl): their absolute URL, else null. */
  assetUrl?: ((variantPath: string) => string | null) | undefined;
  /**
   * Item sizes by `sizeKey`, kept between renders (the newest documents'
   * items are measured every render to know when to seal them, and measuring
   * means making the item's HTML). Absent: measured every time.
   */
  sizes?: Map<string, number>;
  /** A key of everything an item's JSON is made from (its size follows from it). */
  sizeKey?: (ra: RenderArticle, feedId: string) => string;
}

/** One JSON Feed's documents: newest first (the one at pathOf()), each with its items, newest first. */
export interface JsonFeedDocuments {
  /** Documents in next_url order: the newest first, then the sealed ones, newest to oldest (empty ones left out). */
  documents: { page: number; path: string; items: RenderArticle[] }[];
  seals: Seal[];
}

/**
 * Cuts a feed's articles (newest first) into stable documents
 * (pagination.ts): at most 100 items and ~200 KB of them each, counted in
 * UTF-8 bytes (CJK text is 3 bytes a character); one item larger than that
 * gets a document of its own. Document N (api/all/N.json, 1 the oldest)
 * keeps its items once full; the newest document (api/all.json) is never
 * empty while there are articles.
 */
export function jsonFeedDocuments(articles: RenderArticle[], ctx: FeedContext, previous: Seal[]): JsonFeedDocuments {
  const { pages, seals } = stablePages(articles, (ra) => ra.article, previous, {
    items: MAX_ITEMS_PER_FILE,
    bytes: { max: MAX_BYTES_PER_FILE, of: (ra) => itemSize(ra, ctx) },
    sealWhenFull: false,
  });
  const documents = pages
    .map((items, i) => ({ page: i + 1, path: i + 1 === pages.length ? ctx.pathOf() : ctx.pathOf(i + 1), items }))
    .filter((doc) => doc.items.length > 0 || doc.page === pages.length)
    .reverse();
  return { documents, seals };
}

/** An item's bytes in a document, with the comma between items. */
function itemSize(ra: RenderArticle, ctx: FeedContext): number {
  const key = ctx.sizeKey?.(ra, feedOf(ra, ctx));
  let bytes = key === undefined ? undefined : ctx.sizes?.get(key);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(itemJson(ra, ctx)) + 1;
    if (key !== undefined) ctx.sizes?.set(key, bytes);
  }
  return bytes;
}

const feedOf = (ra: RenderArticle, ctx: FeedContext) => (ctx.feedId && ra.feedIds.includes(ctx.feedId) ? ctx.feedId : ra.feedIds[0]!);
const itemJson = (ra: RenderArticle, ctx: FeedContext) => JSON.stringify(jsonItem(ra, ctx.siteUrl, feedOf(ra, ctx), ctx.assetUrl));

/**
 * The file of document `index` of `docs` (made one at a time: a large
 * archive's document is never in memory whole); `next_url` leads to the
 * next older document.
 */
export function jsonFeedFile(docs: JsonFeedDocuments['documents'], index: number, ctx: FeedContext): JsonFile {
  const doc = docs[index]!;
  const older = docs[index + 1];
  const head: Record<string, unknown> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: ctx.title,
    home_page_url: ctx.homePageUrl,
    feed_url: ctx.siteUrl + ctx.pathOf(),
    ...(ctx.description ? { description: ctx.description } : {}),
    ...(ctx.icon ? { icon: ctx.icon, favicon: ctx.icon } : {}),
    language: ctx.language,
    ...(older ? { next_url: ctx.siteUrl + older.path } : {}),
    _digest: { schema_version: DIGEST_SCHEMA_VERSION, schema: ctx.siteUrl + paths.digestSchema(), page: doc.page },
  };
  // Items are serialized on their own: splice them in rather than nest and serialize again.
  const json = JSON.stringify(head);
  return { path: doc.path, body: `${json.slice(0, -1)},"items":[${doc.items.map((ra) => itemJson(ra, ctx)).join(',')}]}` };
}

function jsonItem(ra: RenderArticle, siteUrl: string, feedId: string, assetUrl?: (variantPath: string) => string | null) {
  const a = ra.article;
  const abs = (p: string) => assetUrl?.(p) ?? siteUrl + p;
  const images: Record<string, string> = {};
  for (const [src, img] of Object.entries(ra.images)) images[src] = abs(img.path);
  const assets: Record<string, ReturnType<typeof assetJson>> = {};
  for (const img of [...Object.values(ra.images), ...(ra.cover ? [ra.cover] : [])]) assets[img.sourceUrl] = assetJson(img, abs);
  return {
    id: a.id,
    ...(a.link.startsWith('http') ? { url: a.link } : {}),
    title: a.title,
    content_html: ra.html.replaceAll(ASSET_BASE_TOKEN, siteUrl),
    summary: a.excerpt,
    ...(ra.cover ? { image: abs(ra.cover.path) } : {}),
    date_published: a.published,
    ...(a.modified ? { date_modified: a.modified } : {}),
    ...(a.author ? { authors: [{ name: a.author }] } : {}),
    ...(a.categories.length > 0 ? { tags: a.categories } : {}),
    ...(a.attachments.length > 0
      ? {
          attachments: a.attachments.map((att) => ({
            url: att.url,
            mime_type: att.mimeType,
            ...(att.title ? { title: att.title } : {}),
            ...(att.sizeBytes ? { size_in_bytes: att.sizeBytes } : {}),
          })),
        }
      : {}),
    _digest: {
      feed_id: feedId,
      feed_ids: ra.feedIds,
      link_md5: a.id,
      link: a.link,
      first_seen: a.firstSeen,
      cover: ra.cover ? coverJson(ra.cover, abs) : null,
      images,
      // What a restore needs to rebuild the archive from the deployed JSON.
      source_hash: a.sourceHash,
      source_images: a.images,
      source_cover: a.cover,
      assets,
      // feeds[].fullText: content_html is the page's article while fetched_at is set; summary is the feed's text.
      ...(a.fullText
        ? {
            full_text: {
              source_url: a.fullText.sourceUrl,
              fetched_at: a.fullText.fetchedAt,
              error: a.fullText.error ? { code: a.fullText.error.code, message: a.fullText.error.message } : null,
              failures: a.fullText.failures,
              retry_after: a.fullText.retryAfter,
            },
          }
        : {}),
    },
  };
}

/** Every variant of an optimized image: what a restore needs to put it back in the image cache. */
function assetJson(img: RenderImage, abs: (p: string) => string) {
  return {
    source_bytes: img.sourceBytes,
    variants: img.variants.map((v) => ({ url: abs(v.path), width: v.width, height: v.height, bytes: v.bytes })),
  };
}

function coverJson(cover: RenderImage, abs: (p: string) => string) {
  return {
    url: abs(cover.path),
    width: cover.width,
    height: cover.height,
    source_url: cover.sourceUrl,
    source_bytes: cover.sourceBytes,
    bytes: cover.bytes,
  };
}

export function feedsJson(
  feeds: RenderFeed[],
  views: FeedDirectoryEntry[],
  siteUrl: string,
  generatedAt: string,
  assetUrl?: (variantPath: string) => string | null,
): JsonFile {
  const abs = (p: string) => assetUrl?.(p) ?? siteUrl + p;
  const body = {
    version: 1,
    generated_at: generatedAt,
    feeds: feeds.map((f, i) => {
      const v = views[i]!;
      return {
        id: f.config.id,
        title: v.title,
        url: f.config.url,
        home_page_url: v.homeUrl,
        description: v.description,
        icon: f.icon ? abs(f.icon.path) : null,
        icon_source_url: f.icon?.sourceUrl ?? f.state.meta.iconUrl,
        icon_asset: f.icon ? assetJson(f.icon, abs) : null,
        category: f.config.category,
        language: v.language,
        json_url: siteUrl + paths.feedJson(f.config.id, 1),
        page_url: siteUrl + paths.feed(f.config.id),
        last_fetch: f.lastFetch,
        health: {
          last_success: f.state.health.lastSuccessAt,
          consecutive_failures: f.state.health.consecutiveFailures,
          failing_since: f.state.health.failingSince ?? null,
          last_error: f.state.health.lastError,
          stale: v.health.stale,
        },
        http: {
          etag: f.state.http.etag,
          last_modified: f.state.http.lastModified,
          body_hash: f.state.http.bodyHash,
        },
        articles: { total: f.state.articles.length, new: f.newArticles },
      };
    }),
  };
  return { path: paths.feedsJson(), body: JSON.stringify(body, null, 1) };
}
