/**
 * After `images`: points each <img> at its optimized WebP variants, with
 * width/height (no layout shift), srcset/sizes, and lazy loading for all
 * but the first image of a page. An image that could not be fetched keeps
 * its source URL and is asked for with no Referer, which gets past most
 * hotlink checks. An image that turned out, once downloaded, to be a
 * placeholder (a 1×1 GIF behind a normal-looking URL) is removed.
 */
import { load } from 'cheerio';
import type { ImageAsset } from '../model/image.ts';

export interface RewriteOptions {
  /** Prefix for asset paths: "/repo/" in pages, the absolute site URL in JSON. */
  assetBase: string;
  /** Whether the first image of this HTML is the first on its page (eager-loaded). */
  eagerFirst: boolean;
  sizes?: string;
  /** Source URLs to remove: placeholders only discoverable after download. */
  isPlaceholder?: (src: string) => boolean;
}

/** The article column is at most 46rem wide; below that, the viewport. */
export const DEFAULT_SIZES = '(max-width: 46rem) 100vw, 46rem';

export function rewriteImages(
  html: string,
  lookup: (src: string) => ImageAsset | null,
  options: RewriteOptions,
): string {
  if (!html.includes('<img')) return html;
  return rewriteImageTags(html, lookup, options) ?? rewriteWithDom(html, lookup, options);
}

/**
 * The fast path, for every article on every build: the HTML is our own
 * sanitizer's output, whose <img> tags are regular (double-quoted, escaped
 * attribute values, no `>` inside them), so they can be rewritten as text
 * without parsing the document. Returns null when a tag needs the DOM
 * (a placeholder whose empty parent must go too).
 */
function rewriteImageTags(html: string, lookup: (src: string) => ImageAsset | null, options: RewriteOptions): string | null {
  let seen = 0;
  let needsDom = false;
  const out = html.replace(/<img\b([^<>]*?)\s*\/?>/g, (tag, rawAttrs: string) => {
    const attrs = new Map<string, string>();
    for (const m of rawAttrs.matchAll(/([^\s="'<>\/]+)(?:="([^"]*)")?/g)) attrs.set(m[1]!.toLowerCase(), m[2] ?? '');
    const src = decodeAttribute(attrs.get('src') ?? '');
    if (options.isPlaceholder?.(src)) {
      needsDom = true;
      return tag;
    }
    pointAtAsset(attrs, src, seen++ === 0 && options.eagerFirst, lookup, options);
    return `<img${[...attrs].map(([k, v]) => ` ${k}="${v}"`).join('')}>`;
  });
  return needsDom ? null : out;
}

/** sanitize-html escapes &, <, > and " in attribute values; undo exactly that. */
function decodeAttribute(value: string): string {
  return value.includes('&') ? value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : value;
}

/** The general path: a real DOM, for removing placeholders together with the links or figures they leave empty. */
function rewriteWithDom(html: string, lookup: (src: string) => ImageAsset | null, options: RewriteOptions): string {
  const $ = load(html, null, false);
  let seen = 0;
  $('img').each((_, el) => {
    const img = $(el);
    const src = img.attr('src') ?? '';
    if (options.isPlaceholder?.(src)) {
      // A link or figure left with nothing in it goes too.
      const parent = img.parent();
      img.remove();
      if (parent.is('a, figure, picture') && parent.text().trim() === '' && parent.find('img, video, audio, iframe').length === 0) parent.remove();
      return;
    }
    const attrs: Attributes = { get: (n) => img.attr(n), set: (n, v) => void img.attr(n, v), delete: (n) => void img.removeAttr(n) };
    pointAtAsset(attrs, src, seen++ === 0 && options.eagerFirst, lookup, options);
  });
  return $.html();
}

/** The attribute operations both paths share (a Map has them; a cheerio element is adapted). */
interface Attributes {
  get(name: string): string | undefined;
  set(name: string, value: string): unknown;
  delete(name: string): unknown;
}

/** What every <img> becomes: our WebP variants, sized, or the source asked for with no Referer. */
function pointAtAsset(attrs: Attributes, src: string, eager: boolean, lookup: (src: string) => ImageAsset | null, options: RewriteOptions): void {
  const asset = lookup(src);
  if (asset) {
    const largest = asset.variants[asset.variants.length - 1]!;
    attrs.set('src', options.assetBase + largest.path);
    if (asset.variants.length > 1) {
      attrs.set('srcset', asset.variants.map((v) => `${options.assetBase}${v.path} ${v.width}w`).join(', '));
      attrs.set('sizes', options.sizes ?? DEFAULT_SIZES);
    } else attrs.delete('srcset');
    attrs.set('width', String(largest.width));
    attrs.set('height', String(largest.height));
  } else {
    // Not ours: the publisher's own width/height (if any) stay, their srcset may point anywhere.
    attrs.set('referrerpolicy', 'no-referrer');
    attrs.delete('srcset');
  }
  if (!attrs.get('alt')) attrs.set('alt', '');
  if (eager) attrs.delete('loading');
  else attrs.set('loading', 'lazy');
  attrs.set('decoding', eager ? 'auto' : 'async');
}
