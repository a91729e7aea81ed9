/**
 * content: raw item HTML + base URL → safe HTML and the images it shows.
 * In: untrusted HTML from a feed. Out: sanitized HTML whose URLs are all
 * absolute (image URLs are still the sources), the list of image URLs,
 * a plain-text excerpt. No I/O; `rewriteImages` and `chooseCover` run
 * after `images`.
 */
import { load } from 'cheerio';
import sanitizeHtml from 'sanitize-html';
import { absolutizeAndClean, promoteLazyImages } from './lazy.ts';
import { sanitize } from './sanitize.ts';
import { excerpt, htmlToText } from './excerpt.ts';

export { rewriteImages, DEFAULT_SIZES } from './rewrite.ts';
export { chooseCover, COVER_MIN_WIDTH } from './cover.ts';
export { sanitize } from './sanitize.ts';
export { excerpt, htmlToText } from './excerpt.ts';

export interface PreparedContent {
  html: string;
  /** http(s) image sources in document order, without duplicates. */
  images: string[];
  excerpt: string;
}

/** Markup nested deeper than this is flattened (its text kept) when the normal path overflows the stack. */
const MAX_NESTING = 100;

export function prepareContent(rawHtml: string, baseUrl: string): PreparedContent {
  try {
    return prepare(rawHtml, baseUrl);
  } catch (err) {
    // Thousands of nested elements overflow the stack of cheerio's recursive serializer.
    if (!(err instanceof RangeError)) throw err;
    return prepare(flattenNesting(rawHtml, MAX_NESTING), baseUrl);
  }
}

/** Drops the tags nested deeper than `limit`, keeping their text; everything else passes (the sanitizer runs after). */
function flattenNesting(html: string, limit: number): string {
  return sanitizeHtml(html, { allowedTags: false, allowedAttributes: false, allowVulnerableTags: true, nestingLimit: limit });
}

function prepare(rawHtml: string, baseUrl: string): PreparedContent {
  const $ = load(rawHtml, null, false);
  promoteLazyImages($);
  absolutizeAndClean($, baseUrl);
  const html = sanitize($.html()).trim();
  const images: string[] = [];
  for (const m of html.matchAll(/<img\b[^>]*?\ssrc="([^"]+)"/g)) {
    const src = decodeAttr(m[1]!);
    if (/^https?:/i.test(src) && !images.includes(src)) images.push(src);
  }
  return { html, images, excerpt: excerpt(htmlToText(html)) };
}

/** sanitize-html escapes &, <, > and " in attributes; undo exactly that. */
function decodeAttr(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
