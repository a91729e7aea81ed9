/** The archive: what survives between builds, one state file per feed. */
import type { Attachment } from './feed.ts';
import type { Failure } from './errors.ts';

export interface Article {
  id: string;
  link: string;
  title: string;
  author: string | null;
  /** ISO 8601; the first-seen time when the feed gave none. */
  published: string;
  /** ISO 8601, set when the item changed after it was first archived. */
  modified: string | null;
  firstSeen: string;
  /** Sanitized HTML; image URLs are the absolute source URLs. */
  contentHtml: string;
  /** Hash of the feed's raw title + content: an unchanged item is not reprocessed. */
  sourceHash: string;
  /** Plain text. */
  excerpt: string;
  categories: string[];
  /** Source URLs of the content's images, in order. */
  images: string[];
  /** Source URL of the cover image, if any. */
  cover: string | null;
  attachments: Attachment[];
  /**
   * Feeds with `fullText`: the article's page, fetched and extracted. While
   * `fetchedAt` is set, contentHtml and images are the page's article and
   * `excerpt` is still the feed's own text. Absent for other feeds.
   */
  fullText?: FullTextRecord;
}

export interface FullTextRecord {
  /** The page: the URL that answered (after redirects), else the article's link. */
  sourceUrl: string;
  /** When the page now in contentHtml was fetched; null while contentHtml is the feed's text. */
  fetchedAt: string | null;
  /** Why the last try fell back (null after a success). An earlier extraction is kept over the feed's text. */
  error: Failure | null;
  /** Failed tries in a row. */
  failures: number;
  /** When a failed page is tried again; null when it is not (it worked, or it was given up). */
  retryAfter: string | null;
}

export interface FeedMeta {
  title: string | null;
  homeUrl: string | null;
  description: string | null;
  iconUrl: string | null;
  language: string | null;
}

export interface HttpValidators {
  etag: string | null;
  lastModified: string | null;
  /** SHA-256 of the last body, for servers that send no validators. */
  bodyHash: string | null;
}

export interface FeedHealth {
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  lastStatus: number | null;
  lastError: Failure | null;
  consecutiveFailures: number;
  /** When the current run of failures began (null while the feed works): "failing for 7 days" is measured from it. */
  failingSince: string | null;
  /** Figures of the last fetch, published in api/feeds.json. */
  lastMs: number | null;
  lastBytes: number | null;
  /** Articles that were new in the last successful fetch. */
  lastNew: number;
  /** Where a permanent redirect moved the feed: the config should be updated. */
  movedTo: string | null;
}

export interface FeedState {
  id: string;
  url: string;
  meta: FeedMeta;
  http: HttpValidators;
  health: FeedHealth;
  /** Newest first. */
  articles: Article[];
}

export function emptyFeedState(id: string, url: string): FeedState {
  return {
    id,
    url,
    meta: { title: null, homeUrl: null, description: null, iconUrl: null, language: null },
    http: { etag: null, lastModified: null, bodyHash: null },
    health: {
      lastFetchAt: null,
      lastSuccessAt: null,
      lastStatus: null,
      lastError: null,
      consecutiveFailures: 0,
      failingSince: null,
      lastMs: null,
      lastBytes: null,
      lastNew: 0,
      movedTo: null,
    },
    articles: [],
  };
}
