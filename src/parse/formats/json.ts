/** JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read directly. */
import type { Attachment, FeedDoc } from '../../model/feed.ts';
import { parseDate } from '../dates.ts';
import { absoluteUrl, normalizeLink } from '../links.ts';
import { plainText } from '../text.ts';
import { textToHtml } from '../text-construct.ts';
import type { ParseInput, RawItem } from '../raw-item.ts';

type Json = Record<string, unknown>;

export function parseJsonFeed(text: string, input: ParseInput): { doc: Omit<FeedDoc, 'items'>; items: RawItem[] } {
  const data = JSON.parse(text) as unknown;
  if (!isObject(data) || typeof data.version !== 'string' || !data.version.startsWith('https://jsonfeed.org/version/')) {
    throw new Error('JSON document is not a JSON Feed (no "version": "https://jsonfeed.org/version/1.x")');
  }
  const base = absoluteUrl(str(data.feed_url), input.url) ?? input.url;
  const language = str(data.language);
  const dates = { language: input.language ?? language, timezone: input.timezone ?? null };
  const warnings: string[] = [];
  // An item without authors has the feed's (JSON Feed 1.1 `authors`, 1.0 `author`).
  const feedAuthor = authorsOf(data);
  const items = (Array.isArray(data.items) ? data.items : []).filter(isObject).map((item): RawItem => {
    const dateRaw = str(item.date_published);
    const published = parseDate(dateRaw, dates);
    if (dateRaw && !published) warnings.push(`unreadable date "${dateRaw}" on "${plainText(item.title)}"`);
    const author = authorsOf(item) ?? feedAuthor;
    const content = str(item.content_html) ?? (str(item.content_text) ? textToHtml(str(item.content_text)!) : null);
    const summary = str(item.summary);
    return {
      title: plainText(str(item.title)),
      // `url` is the permalink; an `id` that is a URL is one too (1.0 feeds often give only that);
      // `external_url` is what a link-blog item points at, the last resort.
      link: str(item.url) ?? (typeof item.id === 'string' && /^https?:\/\//i.test(item.id) ? item.id : null) ?? str(item.external_url) ?? null,
      guid: item.id === undefined || item.id === null ? null : String(item.id),
      author: author || null,
      published,
      updated: parseDate(str(item.date_modified), dates),
      contentHtml: content ?? (summary ? textToHtml(summary) : ''),
      // JSON Feed's summary is plain text; kept when there is content beside it.
      summary: content && summary ? summary.trim() : null,
      categories: (Array.isArray(item.tags) ? item.tags : []).filter((t): t is string => typeof t === 'string'),
      attachments: (Array.isArray(item.attachments) ? item.attachments : []).filter(isObject).flatMap((a): Attachment[] => {
        const url = absoluteUrl(str(a.url), base);
        if (!url) return [];
        const size = Number(a.size_in_bytes);
        return [{ url, mimeType: str(a.mime_type) ?? 'application/octet-stream', sizeBytes: Number.isFinite(size) && size > 0 ? size : null, title: str(a.title) }];
      }),
      thumbnail: absoluteUrl(str(item.image) ?? str(item.banner_image), base),
      base,
      baseIsExplicit: false,
    };
  });
  return {
    doc: {
      format: 'json',
      title: plainText(data.title) || null,
      homeUrl: normalizeLink(str(data.home_page_url), base),
      description: plainText(data.description) || null,
      iconUrl: absoluteUrl(str(data.favicon) ?? str(data.icon), base),
      language,
      warnings,
    },
    items,
  };
}

function authorsOf(node: Json): string | null {
  const authors = Array.isArray(node.authors) ? node.authors : isObject(node.author) ? [node.author] : [];
  const names = authors.filter(isObject).map((a) => plainText(a.name)).filter(Boolean);
  return names.length > 0 ? names.join(', ') : null;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v : null;
}
