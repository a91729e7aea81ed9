/**
 * content: raw item HTML + base URL → safe HTML and the images it shows.
 * In: untrusted HTML from a feed. Out: sanitized HTML whose URLs are all
 * absolute (image URLs are still the sources), the list of image URLs,
 * a plain-text excerpt. No I/O; `rewriteImages` runs after `images`.
 */
import { load } from 'cheerio';
import { absolutizeAndClean, promoteLazyImages } from './lazy.ts';
import { sanitize } from './sanitize.ts';
import { excerpt, htmlToText } from './excerpt.ts';

export { rewriteImages } from './rewrite.ts';
export { sanitize } from './sanitize.ts';
export { excerpt, htmlToText } from './excerpt.ts';

export interface PreparedContent {
  html: string;
  /** http(s) image sources in document order, without duplicates. */
  images: string[];
  excerpt: string;
}

export function prepareContent(rawHtml: string, baseUrl: string): PreparedContent {
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
