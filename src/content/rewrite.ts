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
    const eager = seen++ === 0 && options.eagerFirst;
    const asset = lookup(src);
    if (asset) {
      const largest = asset.variants[asset.variants.length - 1]!;
      img.attr('src', options.assetBase + largest.path);
      if (asset.variants.length > 1) {
        img.attr('srcset', asset.variants.map((v) => `${options.assetBase}${v.path} ${v.width}w`).join(', '));
        img.attr('sizes', options.sizes ?? DEFAULT_SIZES);
      } else img.removeAttr('srcset');
      img.attr('width', String(largest.width));
      img.attr('height', String(largest.height));
    } else {
      // Not ours: the publisher's own width/height (if any) stay, their srcset may point anywhere.
      img.attr('referrerpolicy', 'no-referrer');
      img.removeAttr('srcset');
    }
    if (!img.attr('alt')) img.attr('alt', '');
    if (eager) img.removeAttr('loading');
    else img.attr('loading', 'lazy');
    img.attr('decoding', eager ? 'auto' : 'async');
  });
  return $.html();
}
