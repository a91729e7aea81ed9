/**
 * An article after its page was tried: the extraction in place of the feed's
 * text, or the fallback with the failure recorded for the report and the
 * back-off. Pure.
 */
import type { Article, FullTextRecord } from '../model/archive.ts';
import type { Failure } from '../model/errors.ts';
import { retryAfter } from '../net/backoff.ts';
import { MAX_TRIES } from './select.ts';

export interface PreparedPage {
  /** Sanitized HTML, URLs absolute (image URLs still the sources). */
  html: string;
  images: string[];
  excerpt: string;
}

/** The page's article becomes the content; the feed's text stays as the excerpt (the JSON Feed `summary`). */
export function withExtraction(article: Article, sourceUrl: string, page: PreparedPage, now: Date): Article {
  return {
    ...article,
    contentHtml: page.html,
    images: page.images,
    // An item with no text of its own gets the article's opening as its summary.
    excerpt: article.excerpt || page.excerpt,
    fullText: { sourceUrl, fetchedAt: now.toISOString(), error: null, failures: 0, retryAfter: null },
  };
}

/**
 * The feed's text stays, unless an earlier version of the article (before
 * the feed updated it) had an extraction: that is kept rather than lost.
 * `earlier`: the article before this build's merge, when the feed updated it.
 */
export function withFallback(article: Article, earlier: Article | undefined, error: Failure, now: Date): Article {
  // A page cut short by a stopped build (SIGINT, SIGTERM) is not the page's failure: no try is counted, the next build tries it.
  const cutShort = error.code === 'stopped';
  const tries = (article.fullText?.error ? article.fullText.failures : 0) + (cutShort ? 0 : 1);
  const kept = earlier?.fullText?.fetchedAt ? earlier : article.fullText?.fetchedAt ? article : null;
  const record: FullTextRecord = {
    sourceUrl: kept?.fullText?.sourceUrl ?? article.link,
    fetchedAt: kept?.fullText?.fetchedAt ?? null,
    error,
    failures: tries,
    retryAfter: cutShort ? now.toISOString() : tries < MAX_TRIES ? retryAfter(tries, now) : null,
  };
  return kept && kept !== article
    ? { ...article, contentHtml: kept.contentHtml, images: kept.images, fullText: record }
    : { ...article, fullText: record };
}
