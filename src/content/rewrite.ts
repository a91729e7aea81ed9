/**
 * After `images`: points each <img> at its optimized WebP variants, with
 * width/height (no layout shift), srcset/sizes, and lazy loading for all
 * but the first image. An image that could not be fetched keeps its source
 * URL and is asked for with no Referer, which gets past most hotlink checks.
 */
import { load } from 'cheerio';
import type { ImageAsset } from '../model/image.ts';

export interface RewriteOptions {
  /** Prefix for asset paths: "/repo/" in pages, the absolute site URL in JSON. */
  assetBase: string;
  /** Whether the first image of this HTML is the first on its page (eager-loaded). */
  eagerFirst: boolean;
  sizes?: string;
}

const DEFAULT_SIZES = '(max-width: 46rem) 100vw, 46rem';

export function rewriteImages(
  html: string,
  lookup: (src: string) => ImageAsset | null,
  options: RewriteOptions,
): string {
  if (!html.includes('<img')) return html;
  const $ = load(html, null, false);
  $('img').each((i, el) => {
    const img = $(el);
    const src = img.attr('src') ?? '';
    const asset = lookup(src);
    const eager = i === 0 && options.eagerFirst;
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
      img.attr('referrerpolicy', 'no-referrer');
      img.removeAttr('srcset');
    }
    if (!img.attr('alt')) img.attr('alt', '');
    if (!eager) img.attr('loading', 'lazy');
    img.attr('decoding', eager ? 'auto' : 'async');
  });
  return $.html();
}
