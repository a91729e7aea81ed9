/**
 * content: raw item HTML + base URL → safe HTML and the images it shows.
 * In: untrusted HTML from a feed. Out: sanitized HTML whose URLs are all
 * absolute (image URLs are still the sources), the list of image URLs,
 * a plain-text excerpt. No I/O; `rewriteImages` and `chooseCover` run
 * after `images`.
 */
import { load } from 'cheerio';
import { Parser } from 'htmlparser2';
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

/**
 * Markup nested deeper than this is flattened first (the tags below go, their
 * text stays): over thousands of levels parse5 takes seconds (it rescans its
 * stack of open elements) and cheerio's serializer overflows the stack.
 */
const MAX_NESTING = 100;

/**
 * `summary`: the feed's own summary (plain text), when it gave one beside
 * the content; it is the excerpt then, rather than the content's first words.
 */
export function prepareContent(rawHtml: string, baseUrl: string, summary: string | null = null): PreparedContent {
  const html = nestsDeeperThan(rawHtml, MAX_NESTING * 5) ? flattenNesting(rawHtml, MAX_NESTING) : rawHtml;
  let prepared: PreparedContent;
  try {
    prepared = prepare(html, baseUrl);
  } catch (err) {
    // A stack overflow the cheap depth estimate did not see coming.
    if (!(err instanceof RangeError)) throw err;
    prepared = prepare(flattenNesting(html, MAX_NESTING), baseUrl);
  }
  return summary?.trim() ? { ...prepared, excerpt: excerpt(summary) } : prepared;
}

const VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)$/i;

/** A cheap, generous estimate of the nesting depth from the tags alone (unclosed <p>s count too). */
function nestsDeeperThan(html: string, limit: number): boolean {
  let depth = 0;
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else if (!m[3] && !VOID.test(m[2]!) && ++depth > limit) return true;
  }
  return false;
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
  return { html, images: imageSources(html), excerpt: excerpt(htmlToText(html)) };
}

/** The http(s) sources of the <img> elements, read by a tokenizer (attribute values come decoded). */
function imageSources(html: string): string[] {
  const images = new Set<string>();
  const parser = new Parser({
    onopentag(name, attrs) {
      const src = attrs.src;
      if (name === 'img' && src && /^https?:/i.test(src)) images.add(src);
    },
  });
  parser.write(html);
  parser.end();
  return [...images];
}
