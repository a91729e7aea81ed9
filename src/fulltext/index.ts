/**
 * fulltext: for feeds with `fullText`, each new or updated article's page →
 * the article extracted from it, published as the article's content while
 * the feed's own text stays its summary.
 * In: a feed's articles after the merge, the ids the merge added or updated,
 * their versions before it, an HTTP client. Out: the articles with their
 * pages tried (content, images and a `fullText` record), and the feed's
 * figures for the report. Never touches the archive on disk, images or the
 * site; the pipeline hands the changed articles on to `images`.
 *
 * Pages are fetched with the limits of feed fetches, at most fetch.perHost
 * at once per host and fetch.pageDelaySeconds apart, fetch.concurrency in
 * all. Every failure (HTTP status, timeout, not HTML, too large, no article,
 * a login or consent wall) falls back to the feed's text, is reported, and
 * is tried again after the back-off of net/backoff.ts; none fails the feed.
 */
import pLimit from 'p-limit';
import type { Article } from '../model/archive.ts';
import type { FeedConfig, FetchConfig } from '../model/config.ts';
import { causeOf, failure, type Failure } from '../model/errors.ts';
import { emptyFullTextFigures, type FullTextFigures } from '../model/fulltext.ts';
import type { HttpClient } from '../net/http.ts';
import { createHostLimiter } from '../net/host-limiter.ts';
import { createArticleExtractor, type ArticleExtractor } from './extract.ts';
import { fetchPage, type Decode } from './page.ts';
import { withExtraction, withFallback, type PreparedPage } from './record.ts';
import { pagesToFetch, textWidth } from './select.ts';

export { SUMMARY_MAX_WIDTH, MAX_TRIES, isSummaryOnly } from './select.ts';
export { MIN_ARTICLE_WIDTH } from './verdict.ts';

export interface FullTextOptions {
  client: HttpClient;
  fetch: FetchConfig;
  now: Date;
  /** Bytes → text in the fetch stage's charset order, for HTML pages (fetch/charset.ts `decodeHtml`). */
  decode: Decode;
  /** The content stage's pass over feed HTML (lazy images, sanitizer, absolute URLs against the base). */
  prepare: (html: string, baseUrl: string) => PreparedPage;
  /** The build is being stopped: pages waiting for their host's turn go at once (the client then fails them fast, as 'stopped'). */
  stop?: AbortSignal | undefined;
}

export interface FullTextRun {
  /** The feed's articles, in order, those whose page was tried replaced by their new version. */
  articles: Article[];
  /** The merge's changed articles and those whose page changed their content, as they are now (their images need processing). */
  changed: Article[];
  figures: FullTextFigures;
}

export interface FullText {
  /**
   * Tries the pages this build should fetch for one feed. `changed`: ids the
   * merge added or updated; `earlier`: those articles before the merge.
   */
  run(feed: FeedConfig, articles: Article[], changed: ReadonlySet<string>, earlier: ReadonlyMap<string, Article>): Promise<FullTextRun>;
  /** Lets the DOM go (again harmless); a later run loads it anew. */
  close(): void;
}

export function createFullText(options: FullTextOptions): FullText {
  const { fetch: config, now } = options;
  const perHost = createHostLimiter({ perHost: config.perHost, gapMs: config.pageDelayMs, stop: options.stop });
  const global = pLimit(config.concurrency);
  let extractor: Promise<ArticleExtractor> | null = null;

  async function tryPage(feed: FeedConfig, article: Article, earlier: Article | undefined, figures: FullTextFigures): Promise<Article> {
    const fall = (error: Failure, bytes: number) => {
      figures.fallback++;
      figures.bytes += bytes;
      figures.reasons[error.code] = (figures.reasons[error.code] ?? 0) + 1;
      figures.failures.push({ url: article.link, error });
      return withFallback(article, earlier, error, now);
    };
    // Time spent on the page itself: not the wait for the host's turn, nor loading the DOM once.
    const timed = async <T>(work: () => Promise<T> | T): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        figures.ms += performance.now() - started;
      }
    };
    figures.fetched++;
    try {
      const page = await perHost(article.link, () => global(() => timed(() => fetchPage(options.client, article.link, feed, config, options.decode))));
      if (!page.ok) return fall(page.error, page.bytes);
      const dom = await extractor!;
      // The feed's own text for the item: an extraction must say more than it.
      const feedWidth = textWidth(article.fullText?.fetchedAt ? '' : article.contentHtml);
      const extracted = await timed(() => dom.extract(page.html, page.url, feedWidth));
      if (!extracted.ok) return fall(extracted.error, page.bytes);
      figures.extracted++;
      figures.bytes += page.bytes;
      return withExtraction(article, page.url, await timed(() => options.prepare(extracted.value.html, extracted.value.baseUrl)), now);
    } catch (err) {
      // A bug tripped by one page costs that page, not the feed.
      return fall(failure('internal', `${article.link}: the page could not be processed: ${causeOf(err)}`, { cause: causeOf(err) }), 0);
    }
  }

  return {
    async run(feed, articles, changed, earlier) {
      const figures = emptyFullTextFigures();
      const { pages, waiting } = pagesToFetch(feed.fullText, articles, changed, now);
      figures.waiting = waiting;
      // Loading jsdom blocks the event loop for a second or so: done once, before any page is timed.
      if (pages.length > 0) await (extractor ??= createArticleExtractor()).catch(() => undefined);
      const tried = new Map<string, Article>();
      await Promise.all(
        pages.map(async ({ article }) => {
          tried.set(article.id, await tryPage(feed, article, earlier.get(article.id), figures));
        }),
      );
      const out: Article[] = [];
      const contentChanged: Article[] = [];
      for (const before of articles) {
        const after = tried.get(before.id) ?? before;
        out.push(after);
        if (changed.has(before.id) || after.contentHtml !== before.contentHtml) contentChanged.push(after);
      }
      return { articles: out, changed: contentChanged, figures };
    },
    close() {
      const loaded = extractor;
      extractor = null;
      void loaded?.then((e) => e.close(), () => undefined);
    },
  };
}
