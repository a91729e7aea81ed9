/**
 * Which articles' pages a build fetches. Pure.
 *
 * - A page is fetched when its article is new, and again only when the feed
 *   updates the article (merge reports both as changed): a quiet build
 *   fetches no page.
 * - `fullText: "auto"` fetches only items whose feed text is a summary: its
 *   plain text is narrower than SUMMARY_MAX_WIDTH columns, a CJK character
 *   counting as two (500 columns: ~500 Latin letters or ~250 Chinese
 *   characters, about three sentences either way).
 * - A page that fell back is tried again once its back-off is over, at most
 *   MAX_TRIES times in all.
 */
import { load } from 'cheerio';
import type { Article } from '../model/archive.ts';
import type { FullTextMode } from '../model/config.ts';
import { displayWidth } from '../format/display-width.ts';

export const SUMMARY_MAX_WIDTH = 500;
/** Tries of one page (1 h, 4 h, 16 h and 2.7 days apart): then the feed's text stays for good. */
export const MAX_TRIES = 5;

export interface PageToFetch {
  article: Article;
  /** 'changed': new or updated by the feed in this build; 'retry': an earlier try fell back. */
  why: 'changed' | 'retry';
}

export function pagesToFetch(
  mode: FullTextMode,
  articles: readonly Article[],
  changed: ReadonlySet<string>,
  now: Date,
): { pages: PageToFetch[]; waiting: number } {
  const pages: PageToFetch[] = [];
  let waiting = 0;
  if (mode === false) return { pages, waiting };
  for (const article of articles) {
    if (!/^https?:\/\//i.test(article.link)) continue;
    if (changed.has(article.id)) {
      if (mode === true || isSummaryOnly(article.contentHtml)) pages.push({ article, why: 'changed' });
      continue;
    }
    const record = article.fullText;
    if (!record?.error || !record.retryAfter) continue;
    if (Date.parse(record.retryAfter) <= now.getTime()) pages.push({ article, why: 'retry' });
    else waiting++;
  }
  return { pages, waiting };
}

/** The "auto" rule: the feed's text for this item is short enough to be only a summary. */
export function isSummaryOnly(html: string): boolean {
  return textWidth(html) < SUMMARY_MAX_WIDTH;
}

/** Display width of an HTML fragment's text. */
export function textWidth(html: string): number {
  return html ? displayWidth(load(html, null, false).text()) : 0;
}
