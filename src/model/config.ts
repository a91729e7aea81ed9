/** The validated, fully defaulted, frozen configuration every stage reads. */
import type { Message, StringKey } from '../i18n/index.ts';

export interface SiteConfig {
  title: string;
  /** Absolute URL the site is served at, always ending in "/". */
  url: string;
  /** Path part of `url` ("/" or "/repo/"): every internal link starts with it. */
  basePath: string;
  description: string;
  /** BCP 47: the pages' lang, dates, numbers and the catalog of the site's own words. */
  language: string;
  /** Overrides of catalog messages (validated: known keys, known placeholders). */
  strings: Readonly<Partial<Record<StringKey, Message>>>;
  timezone: string;
  itemsPerPage: number;
  /** Absolute path of the user's template overrides, if any. */
  templates: string | null;
  cname: string | null;
}

export interface ImagesConfig {
  quality: number;
  /** WebP encoder effort (0–6): time against bytes, not quality; not part of the cache key. */
  effort: number;
  maxWidth: number;
  /** Responsive widths, capped at maxWidth and sorted ascending. */
  widths: number[];
  maxBytes: number;
  maxPixels: number;
  /** Host suffix → Referer to try when an image refuses a request with none. */
  referers: Record<string, string>;
}

export interface FetchConfig {
  allowPrivateNetworks: boolean;
  concurrency: number;
  perHost: number;
  /** One HTTP attempt (connect, headers, body). */
  timeoutMs: number;
  /** One feed, every attempt and retry wait included: a slow server cannot hold the build longer. */
  feedDeadlineMs: number;
  /** Retries after a timeout, a reset, a 5xx or a 429. */
  retries: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** Pause between two article pages fetched from one host (full text). */
  pageDelayMs: number;
}

export interface ArchiveConfig {
  maxItemsPerFeed: number | null;
  maxAgeDays: number | null;
}

/** What a filter rule's pattern is matched against. */
export type FilterField = 'title' | 'content' | 'author' | 'category';

export interface FilterRule {
  /** A JavaScript regular expression source, checked when the config is read. */
  pattern: string;
  flags: string;
  fields: FilterField[];
}

/** An item passes when it matches some include rule (or there are none) and no exclude rule. */
export interface FilterConfig {
  include: FilterRule[];
  exclude: FilterRule[];
}

export interface FeedConfig {
  id: string;
  /** Absolute http(s) or file: URL. */
  url: string;
  title: string | null;
  category: string | null;
  enabled: boolean;
  language: string | null;
  userAgent: string | null;
  headers: Record<string, string>;
  maxItems: number | null;
  /** Proxy URL for this feed's requests (else HTTP(S)_PROXY / NO_PROXY apply). */
  proxy: string | null;
  filters: FilterConfig;
  /** Fetch each new article's page and publish the extracted article: always, for summary-only items ("auto"), or never. */
  fullText: FullTextMode;
}

export type FullTextMode = boolean | 'auto';

/**
 * Images served from jsDelivr (`https://<host>/gh/<repo>@<shard ref>/<path>`)
 * instead of the site: grouped into immutable shards, each pushed once and
 * pinned by a tag (see src/assets/).
 */
export interface AssetsConfig {
  cdn: 'jsdelivr';
  /** "owner/name" of the GitHub repository the shard tags are pushed to. */
  repo: string;
  /** jsDelivr host: cdn.jsdelivr.net, or a mirror such as fastly.jsdelivr.net. */
  host: string;
  /** Largest shard, in bytes (jsDelivr serves at most 50 MB per repo@ref). */
  shardBytes: number;
  /** Shard tags are this prefix and a number ("assets-00001"). */
  tagPrefix: string;
  /** An open shard is sealed (and its images move to the CDN) once it is this old, in ms. */
  sealAfterMs: number;
}

export interface Config {
  /** Absolute path of the config file, for messages. */
  file: string;
  site: SiteConfig;
  images: ImagesConfig;
  fetch: FetchConfig;
  archive: ArchiveConfig;
  /** null: images are served from the site itself. */
  assets: AssetsConfig | null;
  /** Applied to every feed, on top of each feed's own filters. */
  filters: FilterConfig;
  feeds: FeedConfig[];
}
