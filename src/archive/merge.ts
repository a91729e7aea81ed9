/**
 * Merging a freshly parsed feed into its archived state. Pure: the clock and
 * the content step are arguments. Items the feed no longer lists are kept;
 * an item seen again with new title or content is updated in place (one id,
 * `modified` set: the feed's own update time when it gives a newer one, else
 * the time we noticed); unchanged items are not reprocessed.
 *
 * Include/exclude filters decide which of the feed's items are read at all;
 * articles already archived stay when a filter is added later (remove them
 * by deleting the feed's state file, which re-reads only what the feed still
 * lists). `maxItems` then caps how many of the remaining items are read, in
 * document order; retention (archive.maxItemsPerFeed / maxAgeDays) prunes
 * the archive, and nothing else ever removes an article.
 */
import { createHash } from 'node:crypto';
import type { ArchiveConfig, FilterConfig } from '../model/config.ts';
import type { Article, FeedState } from '../model/archive.ts';
import type { FeedDoc, ParsedItem } from '../model/feed.ts';
import { compileFilters } from './filter.ts';

export interface PreparedItem {
  html: string;
  images: string[];
  excerpt: string;
}

export interface MergeCounts {
  added: number;
  updated: number;
  unchanged: number;
  /** Removed by retention rules (never because the feed stopped listing them). */
  expired: number;
  /** Items of this fetch left out by include/exclude filters. */
  filtered: number;
  total: number;
}

export interface MergeResult {
  state: FeedState;
  counts: MergeCounts;
  /** Articles added or updated in this merge (their images need processing). */
  changed: Article[];
}

const DAY = 86_400_000;

export function sourceHashOf(item: ParsedItem): string {
  return createHash('sha1')
    .update(item.title)
    .update('\0')
    .update(item.contentHtml)
    .update('\0')
    .update(item.author ?? '')
    .update('\0')
    .update(item.categories.join(','))
    .update('\0')
    .update(item.attachments.map((a) => a.url).join(','))
    .digest('hex');
}

export function mergeFeed(
  previous: FeedState,
  doc: FeedDoc,
  options: {
    now: Date;
    maxItems: number | null;
    retention: ArchiveConfig;
    prepare: (item: ParsedItem) => PreparedItem;
    /** The global filters and the feed's own: an item must pass all of them. */
    filters?: readonly FilterConfig[];
  },
): MergeResult {
  const now = options.now;
  const nowIso = now.toISOString();
  const byId = new Map(previous.articles.map((a) => [a.id, a]));
  const passes = compileFilters(options.filters ?? []);
  const wanted = passes ? doc.items.filter(passes) : doc.items;
  const items = options.maxItems ? wanted.slice(0, options.maxItems) : wanted;
  const changed: Article[] = [];
  let added = 0;
  let updated = 0;
  let unchanged = 0;

  for (const item of items) {
    const old = byId.get(item.id);
    const sourceHash = sourceHashOf(item);
    if (old && old.sourceHash === sourceHash) {
      unchanged++;
      continue;
    }
    const prepared = options.prepare(item);
    const published = clampDate(item.published ?? old?.published ?? nowIso, now);
    const article: Article = {
      id: item.id,
      link: item.link,
      title: item.title || firstWords(prepared.excerpt) || '(untitled)',
      author: item.author,
      published,
      modified: old ? modifiedAgain(item, old, published, now) : item.updated && item.updated > published ? clampDate(item.updated, now) : null,
      firstSeen: old?.firstSeen ?? nowIso,
      contentHtml: prepared.html,
      sourceHash,
      excerpt: prepared.excerpt,
      categories: item.categories,
      images: prepared.images,
      cover: item.thumbnail,
      attachments: item.attachments,
    };
    byId.set(item.id, article);
    changed.push(article);
    if (old) updated++;
    else added++;
  }

  let articles = [...byId.values()].sort(newestFirst);
  const before = articles.length;
  const { maxItemsPerFeed, maxAgeDays } = options.retention;
  if (maxAgeDays !== null) {
    const cutoff = now.getTime() - maxAgeDays * DAY;
    articles = articles.filter((a) => Date.parse(a.published) >= cutoff);
  }
  if (maxItemsPerFeed !== null) articles = articles.slice(0, maxItemsPerFeed);

  return {
    state: {
      ...previous,
      meta: {
        title: doc.title ?? previous.meta.title,
        homeUrl: doc.homeUrl ?? previous.meta.homeUrl,
        description: doc.description ?? previous.meta.description,
        iconUrl: doc.iconUrl ?? previous.meta.iconUrl,
        language: doc.language ?? previous.meta.language,
      },
      articles,
    },
    counts: { added, updated, unchanged, expired: before - articles.length, filtered: doc.items.length - wanted.length, total: articles.length },
    changed,
  };
}

/** Newest first; ties broken by id so the order is stable across builds. */
export function newestFirst(a: Article, b: Article): number {
  return a.published < b.published ? 1 : a.published > b.published ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * When a changed item was modified: the feed's own update time when it is
 * newer than anything we recorded, else now (a feed that never says, or
 * says the same time again, still gets the change recorded).
 */
function modifiedAgain(item: ParsedItem, old: Article, published: string, now: Date): string {
  const since = old.modified ?? published;
  return item.updated && item.updated > since ? clampDate(item.updated, now) : now.toISOString();
}

/** A date more than a day in the future is a publisher's mistake: use now. */
function clampDate(iso: string, now: Date): string {
  return Date.parse(iso) > now.getTime() + DAY ? now.toISOString() : iso;
}

function firstWords(text: string): string {
  return [...text].slice(0, 60).join('').trim();
}
