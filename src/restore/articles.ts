/**
 * Deployed JSON → archive records: a JSON Feed item (with its `_digest`)
 * back into an `Article`, and an api/feeds.json entry back into a feed's
 * metadata, HTTP validators and health. Pure.
 *
 * The item's content_html points at the optimized images; the archive keeps
 * source URLs (the next render rewrites them again), so each image's src is
 * mapped back to its source URL.
 */
import type { Article, FeedState, FullTextRecord } from '../model/archive.ts';
import { emptyFeedState } from '../model/archive.ts';
import type { Attachment } from '../model/feed.ts';
import type { Failure } from '../model/errors.ts';

/** The parts of a deployed JSON Feed item a restore reads. */
export interface DeployedItem {
  id?: unknown;
  url?: unknown;
  title?: unknown;
  content_html?: unknown;
  summary?: unknown;
  date_published?: unknown;
  date_modified?: unknown;
  authors?: { name?: unknown }[];
  tags?: unknown;
  attachments?: { url?: unknown; mime_type?: unknown; title?: unknown; size_in_bytes?: unknown }[];
  _digest?: {
    link?: unknown;
    first_seen?: unknown;
    source_hash?: unknown;
    source_images?: unknown;
    source_cover?: unknown;
    images?: Record<string, unknown>;
    cover?: { url?: unknown; source_url?: unknown } | null;
    assets?: Record<string, DeployedAsset>;
    full_text?: { source_url?: unknown; fetched_at?: unknown; error?: unknown; failures?: unknown; retry_after?: unknown };
  };
}

/** `_digest.assets[source]` and api/feeds.json `icon_asset`: one optimized image. */
export interface DeployedAsset {
  source_bytes?: unknown;
  variants?: { url?: unknown; width?: unknown; height?: unknown; bytes?: unknown }[];
}

/** The parts of an api/feeds.json entry a restore reads. */
export interface DeployedFeed {
  id?: unknown;
  url?: unknown;
  title?: unknown;
  home_page_url?: unknown;
  description?: unknown;
  icon_source_url?: unknown;
  icon_asset?: DeployedAsset | null;
  language?: unknown;
  json_url?: unknown;
  last_fetch?: { status?: unknown; time?: unknown; ms?: unknown; bytes?: unknown; movedTo?: unknown };
  health?: { last_success?: unknown; consecutive_failures?: unknown; failing_since?: unknown; last_error?: unknown };
  http?: { etag?: unknown; last_modified?: unknown; body_hash?: unknown };
  articles?: { new?: unknown };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A feed's state from its api/feeds.json entry, without articles. */
export function feedStateFrom(entry: DeployedFeed, feed: { id: string; url: string }): FeedState {
  const state = emptyFeedState(feed.id, feed.url);
  const home = str(entry.home_page_url);
  state.meta = {
    title: str(entry.title),
    homeUrl: home,
    description: str(entry.description),
    iconUrl: feedIconUrl(str(entry.icon_source_url), home, feed.url),
    language: str(entry.language),
  };
  // Validators belong to a URL: a feed whose URL changed since must be fetched in full.
  if (entry.url === feed.url && entry.http) {
    state.http = { etag: str(entry.http.etag), lastModified: str(entry.http.last_modified), bodyHash: str(entry.http.body_hash) };
  }
  const lf = entry.last_fetch ?? {};
  const h = entry.health ?? {};
  state.health = {
    lastFetchAt: str(lf.time),
    lastSuccessAt: str(h.last_success),
    lastStatus: num(lf.status),
    lastError: isFailure(h.last_error) ? h.last_error : null,
    consecutiveFailures: num(h.consecutive_failures) ?? 0,
    failingSince: str(h.failing_since),
    lastMs: num(lf.ms),
    lastBytes: num(lf.bytes),
    lastNew: num(entry.articles?.new) ?? 0,
    movedTo: str(lf.movedTo),
  };
  return state;
}

/** The icon the feed itself declared: a /favicon.ico the build guessed is not one. */
function feedIconUrl(icon: string | null, home: string | null, feedUrl: string): string | null {
  if (!icon) return null;
  for (const base of [home, feedUrl]) {
    try {
      if (base && new URL('/favicon.ico', base).href === icon) return null;
    } catch {
      // Not a URL: nothing to compare.
    }
  }
  return icon;
}

function isFailure(v: unknown): v is Failure {
  return Boolean(v && typeof v === 'object' && typeof (v as Failure).code === 'string' && typeof (v as Failure).message === 'string');
}

/**
 * An archived article from a deployed item, or null when the item lacks
 * what an article needs. `sourceOf` maps an optimized image URL (any
 * variant) back to its source URL.
 */
export function articleFrom(item: DeployedItem, sourceOf: Map<string, string>): Article | null {
  const d = item._digest;
  const id = str(item.id);
  const title = str(item.title);
  const published = str(item.date_published);
  const html = str(item.content_html);
  const link = str(d?.link) ?? str(item.url);
  if (!d || !id || !/^[0-9a-f]{32}$/.test(id) || title === null || !published || html === null || !link) return null;
  const attachments: Attachment[] = (Array.isArray(item.attachments) ? item.attachments : []).flatMap((a) => {
    const url = str(a?.url);
    const mimeType = str(a?.mime_type);
    return url && mimeType ? [{ url, mimeType, sizeBytes: num(a.size_in_bytes), title: str(a.title) }] : [];
  });
  return {
    id,
    link,
    title,
    author: str(item.authors?.[0]?.name),
    published,
    modified: str(item.date_modified),
    firstSeen: str(d.first_seen) ?? published,
    contentHtml: sourceHtml(html, sourceOf),
    sourceHash: str(d.source_hash) ?? '',
    excerpt: str(item.summary) ?? '',
    categories: strings(item.tags),
    images: strings(d.source_images),
    cover: str(d.source_cover),
    attachments,
    ...(d.full_text ? fullTextFrom(d.full_text) : {}),
  };
}

/** `_digest.full_text`: the extraction comes back with content_html, the feed's text with summary, the back-off with this. */
function fullTextFrom(ft: NonNullable<NonNullable<DeployedItem['_digest']>['full_text']>): { fullText?: FullTextRecord } {
  const sourceUrl = str(ft.source_url);
  if (!sourceUrl) return {};
  return {
    fullText: {
      sourceUrl,
      fetchedAt: str(ft.fetched_at),
      error: isFailure(ft.error) ? { code: ft.error.code, message: ft.error.message } : null,
      failures: num(ft.failures) ?? 0,
      retryAfter: str(ft.retry_after),
    },
  };
}

/**
 * Each <img> whose src is an optimized image gets its source URL back. Only
 * src: the rewrite sets srcset, sizes, width and height again where they
 * stand (or drops srcset when the image is gone), so the page comes out
 * attribute for attribute as before. A text pass, not a DOM: serializing a
 * DOM would change the rest of the HTML (U+00A0 written as &nbsp;, …).
 */
export function sourceHtml(html: string, sourceOf: Map<string, string>): string {
  if (!html.includes('<img') || sourceOf.size === 0) return html;
  return html.replace(/<img\b[^<>]*>/g, (tag) =>
    tag.replace(/(\ssrc=")([^"]*)"/, (attr, head: string, value: string) => {
      const source = sourceOf.get(unescapeAttribute(value));
      return source ? `${head}${escapeAttribute(source)}"` : attr;
    }),
  );
}

function unescapeAttribute(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
