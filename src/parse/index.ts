/**
 * parse: decoded feed text → `FeedDoc` with normalized items.
 * In: text and the URL it came from. Out: plain data, or a `parse` /
 * `not-a-feed` failure. No I/O. Detects the format and hands off to the
 * same-shaped parsers in formats/; identity (link normalization, MD5 id,
 * fallbacks for items with no link) is decided here, once, for all formats.
 */
import type { FeedDoc, ParsedItem } from '../model/feed.ts';
import { failure, type Result } from '../model/errors.ts';
import { parseJsonFeed } from './formats/json.ts';
import { parseXmlFeed } from './formats/xml.ts';
import { md5, normalizeLink } from './links.ts';
import { findRoot } from './xml-outline.ts';
import { plainText } from './text.ts';
import { MAX_ITEMS, type RawItem } from './raw-item.ts';

export { normalizeLink, md5 } from './links.ts';
export { parseDate } from './dates.ts';

export interface ParseOptions {
  /** IANA zone for dates that name none: the site's `site.timezone`. */
  timezone?: string | null;
  /** The feed's language from feeds.json, which wins over the document's. */
  language?: string | null;
  /** Items read from the document (feeds[].maxItems; default MAX_ITEMS, 1000). */
  maxItems?: number | null;
}

export async function parseFeed(text: string, url: string, options: ParseOptions = {}): Promise<Result<FeedDoc>> {
  const input = { url, timezone: options.timezone ?? null, language: options.language ?? null, maxItems: options.maxItems ?? MAX_ITEMS };
  try {
    if (text.slice(0, 1024).replace(/^\uFEFF/, '').trimStart().startsWith('{')) return { ok: true, value: finish(parseJsonFeed(text, input), url, input.maxItems) };
    const root = findRoot(text);
    if (root.name === null) {
      const html = root.htmlDoctype || root.firstElement?.toLowerCase() === 'html';
      return {
        ok: false,
        error: failure('not-a-feed', `${url} is not a feed (${html ? 'an HTML page' : root.firstElement ? `its root element is <${root.firstElement}>` : 'no XML or JSON'})`, {
          hint: 'check the URL in feeds.json: it should point to the RSS, Atom or JSON feed, not the web page',
        }),
      };
    }
    return { ok: true, value: finish(await parseXmlFeed(text, input), url, input.maxItems) };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const notFeed = /not recognized|not a JSON Feed/.test(message ?? '');
    return {
      ok: false,
      error: failure(notFeed ? 'not-a-feed' : 'parse', `${url}: ${notFeed ? 'not a feed' : 'cannot be parsed'}: ${message}`, {
        cause: String(err),
      }),
    };
  }
}

function finish(parsed: { doc: Omit<FeedDoc, 'items'>; items: RawItem[] }, feedUrl: string, maxItems = MAX_ITEMS): FeedDoc {
  const seen = new Set<string>();
  const items: ParsedItem[] = [];
  if (parsed.items.length > maxItems) {
    parsed.doc.warnings.push(`the document lists ${parsed.items.length} items; only the first ${maxItems} are read (feeds[].maxItems reads more)`);
  }
  for (const raw of parsed.items.slice(0, maxItems)) {
    const item = normalizeItem(raw, feedUrl);
    if (seen.has(item.id)) continue; // a feed listing the same link twice
    seen.add(item.id);
    items.push(item);
  }
  return { ...parsed.doc, items };
}

/**
 * Identity: the link when there is one; else a guid that is a URL; else a
 * stand-in URN from the guid, or from title + date, scoped to the feed.
 */
function normalizeItem(raw: RawItem, feedUrl: string): ParsedItem {
  const title = raw.title;
  const link =
    normalizeLink(raw.link, raw.base) ??
    normalizeLink(raw.guid, null) ??
    `urn:feed-digest:${md5(`${feedUrl}\n${raw.guid ?? `${title}\n${raw.published ?? ''}\n${raw.contentHtml.slice(0, 200)}`}`)}`;
  return {
    id: md5(link),
    link,
    guid: raw.guid,
    title,
    author: raw.author ? plainText(raw.author) || null : null,
    published: raw.published,
    updated: raw.updated,
    contentHtml: raw.contentHtml,
    summary: raw.summary,
    baseUrl: raw.baseIsExplicit ? raw.base : link.startsWith('http') ? link : raw.base,
    categories: [...new Set(raw.categories.map(plainText).filter(Boolean))],
    attachments: raw.attachments,
    thumbnail: raw.thumbnail,
  };
}
