/**
 * The JSON archive programs read: JSON Feed 1.1 documents, paginated with
 * `next_url` so no file grows past a few hundred KB, each item carrying the
 * `_digest` extension (CONTRACT.md). Also api/feeds.json. Pure.
 */
import { ASSET_BASE_TOKEN } from '../model/asset-url.ts';
import type { RenderArticle, RenderFeed, RenderImage } from './input.ts';
import type { FeedDirectoryEntry } from './view-model.ts';
import { DIGEST_SCHEMA_VERSION } from './digest-schema.ts';
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
  /** paths.allJson or (page) => paths.feedJson(id, page). */
  pathOf: (page: number) => string;
  /** The feed this document is about (for `_digest.feed_id`), or null for all feeds. */
  feedId: string | null;
  /** Images served from elsewhere (RenderInput.assetUrl): their absolute URL, else null. */
  assetUrl?: ((variantPath: string) => string | null) | undefined;
  /**
   * Item sizes shared between the documents of one render: an article is in
   * the digest's document and its feed's, the same item in both.
   */
  sizes?: Map<string, number>;
}

/**
 * One document's files, made one at a time: a large archive's document is
 * never in memory whole, nor are its items. The pages are split by each
 * item's size first, then each page's items are serialized again as it is
 * written: twice the serializing, against holding every item of a
 * 100,000-article archive (~300 MB) at once.
 */
export function* jsonFeedFiles(articles: RenderArticle[], ctx: FeedContext): Generator<JsonFile> {
  const feedOf = (ra: RenderArticle) => (ctx.feedId && ra.feedIds.includes(ctx.feedId) ? ctx.feedId : ra.feedIds[0]!);
  const itemOf = (ra: RenderArticle) => JSON.stringify(jsonItem(ra, ctx.siteUrl, feedOf(ra), ctx.assetUrl));
  // Split into pages by count and by size (bytes, not characters: CJK text is 3 bytes a character).
  // One item larger than the limit gets a file of its own.
  const starts = [0];
  let count = 0;
  let size = 0;
  for (const [i, ra] of articles.entries()) {
    const key = `${ra.article.id} ${feedOf(ra)}`;
    let bytes = ctx.sizes?.get(key);
    if (bytes === undefined) {
      bytes = Buffer.byteLength(itemOf(ra)) + 1;
      ctx.sizes?.set(key, bytes);
    }
    if (count > 0 && (count >= MAX_ITEMS_PER_FILE || size + bytes > MAX_BYTES_PER_FILE)) {
      starts.push(i);
      count = 0;
      size = 0;
    }
    count++;
    size += bytes;
  }
  const pages = starts.length;
  for (let i = 0; i < pages; i++) {
    const n = i + 1;
    const head: Record<string, unknown> = {
      version: 'https://jsonfeed.org/version/1.1',
      title: ctx.title,
      home_page_url: ctx.homePageUrl,
      feed_url: ctx.siteUrl + ctx.pathOf(1),
      ...(ctx.description ? { description: ctx.description } : {}),
      ...(ctx.icon ? { icon: ctx.icon, favicon: ctx.icon } : {}),
      language: ctx.language,
      ...(n < pages ? { next_url: ctx.siteUrl + ctx.pathOf(n + 1) } : {}),
      _digest: { schema_version: DIGEST_SCHEMA_VERSION, schema: ctx.siteUrl + paths.digestSchema(), page: n, pages },
    };
    // Items are serialized on their own: splice them in rather than nest and serialize again.
    const json = JSON.stringify(head);
    const items = articles.slice(starts[i], starts[i + 1] ?? articles.length).map(itemOf);
    yield { path: ctx.pathOf(n), body: `${json.slice(0, -1)},"items":[${items.join(',')}]}` };
  }
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
