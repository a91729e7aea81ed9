/** What `render` is given: plain data assembled by build.ts from the other stages. */
import type { Config, FeedConfig } from '../model/config.ts';
import type { Article, FeedState } from '../model/archive.ts';
import type { ImageVariant } from '../model/image.ts';
import type { Seal } from './pagination.ts';

export interface RenderImage {
  /** Path of the full-size WebP below the site root. */
  path: string;
  width: number;
  height: number;
  variants: ImageVariant[];
  sourceUrl: string;
  sourceBytes: number;
  bytes: number;
}

export interface RenderArticle {
  article: Article;
  /** Feeds that list this article; the first is where it was found first. */
  feedIds: string[];
  /**
   * Article HTML with images rewritten; ASSET_BASE_TOKEN marks where the asset
   * base goes. May be made on first read (a getter): render reads it only for
   * the pages and JSON documents it writes.
   */
  readonly html: string;
  /**
   * A key of everything `html` is made from, when it is cheaper than the HTML
   * itself: render keys the article's pages by it. Absent: render hashes `html`.
   */
  htmlKey?: string;
  cover: RenderImage | null;
  /** Source URL → its optimized image, for every image in the content that was converted. */
  images: Record<string, RenderImage>;
}

export interface RenderFeed {
  config: FeedConfig;
  state: FeedState;
  icon: RenderImage | null;
  /** Articles new in this build. */
  newArticles: number;
  lastFetch: {
    status: number | null;
    time: string | null;
    ms: number | null;
    bytes: number | null;
    error: string | null;
    movedTo: string | null;
  };
}

export interface RenderInput {
  config: Config;
  feeds: RenderFeed[];
  /** Every archived article once, newest first. */
  articles: RenderArticle[];
  /** The build report, written as api/report.json. */
  report: unknown;
  now: Date;
  /** The site folder to write. */
  outDir: string;
  /** A scratch folder (under --cache) for staging templates. */
  workDir: string;
  /** Resolves a variant path ("img/ab/…webp") to the cached file to copy. */
  assetFile: (variantPath: string) => string;
  /**
   * The absolute URL of a variant served from elsewhere (a CDN such as
   * jsDelivr), or null when the site serves it: then it is copied into the
   * site and linked under the path prefix. Absent: the site serves every image.
   */
  assetUrl?: (variantPath: string) => string | null;
  /** More files for the site, written as they are (the jsDelivr asset manifest). */
  extraFiles?: { path: string; body: string }[];
  /** Pages Eleventy renders per run (default 2,000): fewer hold less in memory, more cost fewer start-ups. */
  pagesPerRun?: number;
  /** Article pages per search index part (default 5,000). */
  searchPartSize?: number;
  /** Where the bundled templates/ and public/ live. */
  packageRoot: string;
  /** When it aborts (the build is being stopped), the render ends at its next step with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Every list's sealed pages at the last render (RenderResult.seals), so a
   * full page keeps its articles; absent, pages are cut from the oldest article.
   */
  seals?: Record<string, Seal[]>;
}
