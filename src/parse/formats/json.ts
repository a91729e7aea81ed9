/** JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read directly. */
import type { Attachment, FeedDoc } from '../../model/feed.ts';
import { parseDate } from '../dates.ts';
import { absoluteUrl } from '../links.ts';
import { plainText } from '../text.ts';
import type { ParseInput, RawItem } from '../raw-item.ts';

type Json = Record<string, unknown>;

export function parseJsonFeed(text: string, input: ParseInput): { doc: Omit<FeedDoc, 'items'>; items: RawItem[] } {
  const data = JSON.parse(text) as unknown;
  if (!isObject(data) || typeof data.version !== 'string' || !data.version.startsWith('https://jsonfeed.org/version/')) {
    throw new Error('JSON document is not a JSON Feed (no "version": "https://jsonfeed.org/version/1.x")');
  }
  const base = absoluteUrl(str(data.feed_url), input.url) ?? input.url;
  const language = str(data.language);
  const warnings: string[] = [];
  const items = (Array.isArray(data.items) ? data.items : []).filter(isObject).map((item): RawItem => {
    const dateRaw = str(item.date_published);
    const published = parseDate(dateRaw);
    if (dateRaw && !published) warnings.push(`unreadable date "${dateRaw}" on "${plainText(item.title)}"`);
    const authors = Array.isArray(item.authors) ? item.authors : isObject(item.author) ? [item.author] : [];
    const author = authors.filter(isObject).map((a) => plainText(a.name)).filter(Boolean).join(', ');
    const html = str(item.content_html) ?? (str(item.content_text) ? escapeToHtml(str(item.content_text)!) : str(item.summary) ?? '');
    return {
      title: str(item.title) ?? '',
      link: str(item.url) ?? str(item.external_url) ?? null,
      guid: item.id === undefined || item.id === null ? null : String(item.id),
      author: author || null,
      published,
      updated: parseDate(str(item.date_modified)),
      contentHtml: html,
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
      homeUrl: absoluteUrl(str(data.home_page_url), base),
      description: plainText(data.description) || null,
      iconUrl: absoluteUrl(str(data.favicon) ?? str(data.icon), base),
      language,
      warnings,
    },
    items,
  };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v : null;
}

function escapeToHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`).join('\n');
}
