/** The validated, fully defaulted, frozen configuration every stage reads. */
export interface SiteConfig {
  title: string;
  /** Absolute URL the site is served at, always ending in "/". */
  url: string;
  /** Path part of `url` ("/" or "/repo/"): every internal link starts with it. */
  basePath: string;
  description: string;
  language: string;
  timezone: string;
  itemsPerPage: number;
  /** Absolute path of the user's template overrides, if any. */
  templates: string | null;
  cname: string | null;
}

export interface ImagesConfig {
  quality: number;
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
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
}

export interface ArchiveConfig {
  maxItemsPerFeed: number | null;
  maxAgeDays: number | null;
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
}

export interface Config {
  /** Absolute path of the config file, for messages. */
  file: string;
  site: SiteConfig;
  images: ImagesConfig;
  fetch: FetchConfig;
  archive: ArchiveConfig;
  feeds: FeedConfig[];
}
