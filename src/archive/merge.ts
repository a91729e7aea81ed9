/**
 * Merging a freshly parsed feed into its archived state. Pure: the clock and
 * the content step are arguments. Items the feed no longer lists are kept;
 * an item seen again with new title or content is updated in place (one id,
 * `modified` set); unchanged items are not reprocessed.
 */
import { createHash } from 'node:crypto';
import type { ArchiveConfig } from '../model/config.ts';
import type { Article, FeedState } from '../model/archive.ts';
import type { FeedDoc, ParsedItem } from '../model/feed.ts';

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
  options: { now: Date; maxItems: number | null; retention: ArchiveConfig; prepare: (item: ParsedItem) => PreparedItem },
): MergeResult {
  const now = options.now;
  const nowIso = now.toISOString();
  const byId = new Map(previous.articles.map((a) => [a.id, a]));
  const items = options.maxItems ? doc.items.slice(0, options.maxItems) : doc.items;
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
    const article: Article = {
      id: item.id,
      link: item.link,
      title: item.title || firstWords(prepared.excerpt) || '(untitled)',
      author: item.author,
      published: clampDate(item.published ?? old?.published ?? nowIso, now),
      modified: old ? clampDate(item.updated ?? nowIso, now) : item.updated && item.published && item.updated > item.published ? clampDate(item.updated, now) : null,
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
    counts: { added, updated, unchanged, expired: before - articles.length, total: articles.length },
    changed,
  };
}

/** Newest first; ties broken by id so the order is stable across builds. */
export function newestFirst(a: Article, b: Article): number {
  return a.published < b.published ? 1 : a.published > b.published ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A date more than a day in the future is a publisher's mistake: use now. */
function clampDate(iso: string, now: Date): string {
  return Date.parse(iso) > now.getTime() + DAY ? now.toISOString() : iso;
}

function firstWords(text: string): string {
  return [...text].slice(0, 60).join('').trim();
}
