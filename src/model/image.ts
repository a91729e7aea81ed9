/** Images: what `images` produces and `render` / `content` read. */
import type { Failure } from './errors.ts';

export interface ImageVariant {
  width: number;
  height: number;
  /** Path below the site root, e.g. "img/3f/3f9a…-960.webp". */
  path: string;
  bytes: number;
}

/** One optimized image, named by the hash of its source bytes and the encoding options. */
export interface ImageAsset {
  hash: string;
  /** Dimensions of the largest variant (what `width`/`height` attributes carry). */
  width: number;
  height: number;
  sourceFormat: string;
  animated: boolean;
  sourceBytes: number;
  /** Ascending by width; the last one is the full-size image. */
  variants: ImageVariant[];
  convertMs: number;
}

export interface ImageAttempt {
  referer: string | null;
  status: number | null;
  error: string | null;
}

/** What we know about one source URL. */
export interface ImageSource {
  url: string;
  /** 'placeholder': the image carries no picture (1×1, fully transparent); articles drop it. */
  status: 'ok' | 'failed' | 'placeholder';
  /** Asset hash when ok. */
  hash: string | null;
  /** The attempts of the last try, in order (no Referer, host Referer, article page). */
  attempts: ImageAttempt[];
  referer: string | null;
  failure: Failure | null;
  /** Consecutive failed tries: the back-off before the next grows with it. */
  failures: number;
  /** ISO time before which a failed source is not tried again. */
  retryAfter: string | null;
  lastTried: string;
}

export interface ImageIndex {
  sources: Record<string, ImageSource>;
  assets: Record<string, ImageAsset>;
}

/** A content image found in an article, with what the downloader needs to know. */
export interface ImageRef {
  url: string;
  /** The article's page, the last Referer tried on hotlink-protected hosts. */
  pageUrl: string | null;
  /** 'icon': a feed's icon, converted to small sizes (default 'content'). */
  kind?: 'content' | 'icon';
}
