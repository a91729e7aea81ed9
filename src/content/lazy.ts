/**
 * Before sanitizing: undo the tricks publishers play on images, or the
 * sanitizer would keep the placeholder and drop the real URL.
 * - lazy-load attributes (data-src, data-original, …) promoted to src/srcset;
 * - `<noscript><img></noscript>` fallbacks used when the visible image is a placeholder;
 * - the widest candidate of a srcset (or of a `<picture>`'s sources) becomes
 *   the `src`: the image stage makes our own variants, and our own srcset,
 *   from it; `<picture>` is collapsed to its `<img>`;
 * - placeholders (spacer GIFs, tiny data: URIs) and tracking pixels removed;
 * - every URL made absolute (the sanitizer then checks schemes and strips
 *   tracking parameters from links).
 * Operates on a cheerio document in place.
 */
import { load, type CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { absoluteHttpUrl } from '../url/tracking.ts';
import { parseSrcset } from './url-policy.ts';

const LAZY_SRC = ['data-src', 'data-original', 'data-actualsrc', 'data-lazy-src', 'data-orig-file', 'data-url', 'data-original-src', 'data-hi-res-src', 'data-echo'];
const LAZY_SRCSET = ['data-srcset', 'data-lazy-srcset', 'data-original-srcset'];

/** Hosts whose images exist only to count readers. */
const TRACKER_HOSTS = /(^|\.)(feeds\.feedburner\.com|feedproxy\.google\.com|pixel\.wp\.com|stats\.wordpress\.com|www\.google-analytics\.com|google-analytics\.com|pixel\.quantserve\.com|sb\.scorecardresearch\.com|ad\.doubleclick\.net|pixel\.facebook\.com|t\.co|analytics\.twitter\.com|counter\.yadro\.ru|hm\.baidu\.com|cnzz\.com|c\.statcounter\.com)$/i;
const TRACKER_PATHS = /\/(~r|~ff|~a|~f)\/|[/_](pixel|beacon|tracker|spacer|blank|transparent)\.(gif|png)\b/i;

export function isPlaceholderSrc(src: string | undefined): boolean {
  if (!src) return true;
  const s = src.trim();
  if (s === '' || s === '#' || s === 'about:blank') return true;
  // A data: URI under ~200 bytes is a 1×1 GIF/PNG or an SVG box, never content.
  if (/^data:/i.test(s)) return s.length < 200 || !/^data:image\/(png|gif|jpe?g|webp|avif)/i.test(s);
  return /(spacer|blank|placeholder|pixel|grey|loading)\.(gif|png|svg)(\?|$)/i.test(s);
}

export function promoteLazyImages($: CheerioAPI): void {
  // <noscript><img></noscript>: the real image for readers without JavaScript.
  $('noscript').each((_, el) => {
    const node = $(el);
    const inner = node.children().length > 0 ? node.html() ?? '' : node.text();
    if (!/<img\b/i.test(inner)) {
      node.remove();
      return;
    }
    const prev = node.prev('img');
    if (prev.length > 0 && !isPlaceholderSrc(realSrc(prev.get(0)!))) node.remove();
    else {
      prev.remove();
      node.replaceWith(load(inner, null, false).html() ?? '');
    }
  });

  $('img').each((_, el) => {
    const img = $(el);
    const src = img.attr('src');
    const lazy = LAZY_SRC.map((a) => img.attr(a)).find((v) => v && !isPlaceholderSrc(v));
    if (lazy && (isPlaceholderSrc(src) || lazy !== src)) img.attr('src', lazy);
    const lazySet = LAZY_SRCSET.map((a) => img.attr(a)).find(Boolean);
    if (lazySet) img.attr('srcset', lazySet);
    const widest = widestCandidate([img.attr('srcset')]);
    if (widest && (widest.wider || isPlaceholderSrc(img.attr('src')))) img.attr('src', widest.url);
  });

  $('source').each((_, el) => {
    const source = $(el);
    const lazySet = LAZY_SRCSET.map((a) => source.attr(a)).find(Boolean);
    if (lazySet) source.attr('srcset', lazySet);
  });

  // <picture>: the widest candidate of its sources (in a format we can read) and of its <img>.
  $('picture').each((_, el) => {
    const picture = $(el);
    const img = picture.find('img').first();
    if (img.length > 0) {
      const sources = picture.find('source[srcset]').toArray().filter((source) => readableType(source.attribs.type));
      // The img's own candidates first: on a tie they win (the img is the format the publisher falls back to).
      const widest = widestCandidate([img.attr('srcset'), ...sources.map((source) => source.attribs.srcset)]);
      if (widest && (widest.wider || isPlaceholderSrc(img.attr('src')))) img.attr('src', widest.url);
    }
    picture.replaceWith(img.length > 0 ? img : '');
  });
}

export function absolutizeAndClean($: CheerioAPI, baseUrl: string): void {
  $('img').each((_, el) => {
    const img = $(el);
    const src = absoluteHttpUrl(img.attr('src'), baseUrl) ?? (/^data:image\//i.test(img.attr('src') ?? '') ? img.attr('src')! : null);
    if (!src || isPlaceholderSrc(src) || isTrackingPixel(img.get(0)!, src)) {
      // An image wrapped in a link alone leaves an empty link: drop both.
      const parent = img.parent('a');
      img.remove();
      if (parent.length > 0 && parent.text().trim() === '' && parent.children().length === 0) parent.remove();
      return;
    }
    img.attr('src', src);
    const srcset = img.attr('srcset');
    if (srcset) img.attr('srcset', absolutizeSrcset(srcset, baseUrl));
  });
  for (const [selector, attr] of [['a', 'href'], ['source', 'src'], ['video', 'src'], ['audio', 'src'], ['video', 'poster'], ['iframe', 'src'], ['blockquote', 'cite'], ['q', 'cite'], ['track', 'src']] as const) {
    $(`${selector}[${attr}]`).each((_, el) => {
      const node = $(el);
      const value = node.attr(attr) ?? '';
      if (attr === 'href' && /^(mailto:|#)/i.test(value.trim())) return;
      const abs = absoluteHttpUrl(value, baseUrl);
      if (!abs) {
        node.removeAttr(attr);
        return;
      }
      node.attr(attr, abs);
    });
  }
  $('source[srcset]').each((_, el) => {
    $(el).attr('srcset', absolutizeSrcset($(el).attr('srcset') ?? '', baseUrl));
  });
}

function isTrackingPixel(el: Element, src: string): boolean {
  const w = el.attribs.width?.trim();
  const h = el.attribs.height?.trim();
  if ((w === '1' || w === '0') && (h === '1' || h === '0')) return true;
  try {
    const url = new URL(src);
    return TRACKER_HOSTS.test(url.hostname) || TRACKER_PATHS.test(url.pathname);
  } catch {
    return false;
  }
}

function realSrc(el: AnyNode): string | undefined {
  const attribs = (el as Element).attribs ?? {};
  return LAZY_SRC.map((a) => attribs[a]).find(Boolean) ?? attribs.src;
}

function absolutizeSrcset(srcset: string, baseUrl: string): string {
  return parseSrcset(srcset)
    .map(({ url, descriptor }) => {
      const abs = absoluteHttpUrl(url, baseUrl);
      return abs ? `${abs}${descriptor ? ` ${descriptor}` : ''}` : null;
    })
    .filter(Boolean)
    .join(', ');
}

/** Image types the image stage can decode (a <source> of another type, e.g. JPEG XL, is skipped). */
const READABLE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'image/avif', 'image/gif']);

function readableType(type: string | undefined): boolean {
  return !type?.trim() || READABLE_TYPES.has(type.trim().toLowerCase());
}

/**
 * The widest candidate of some srcsets: by width descriptor when any
 * candidate has one, else by pixel density (no descriptor is 1x). `wider`:
 * whether it is known to beat the element's src (any width descriptor, or
 * a density above 1x); else it only replaces a placeholder.
 */
function widestCandidate(srcsets: (string | undefined)[]): { url: string; wider: boolean } | null {
  const candidates = srcsets.flatMap((set) => parseSrcset(set));
  let best: { url: string; w: number; x: number } | null = null;
  for (const { url, descriptor } of candidates) {
    const value = parseFloat(descriptor);
    const unit = descriptor.trim().slice(-1).toLowerCase();
    const c = { url, w: unit === 'w' && value > 0 ? value : 0, x: unit === 'x' && value > 0 ? value : descriptor ? 0 : 1 };
    if (!best || c.w > best.w || (c.w === best.w && best.w === 0 && c.x > best.x)) best = c;
  }
  return best ? { url: best.url, wider: best.w > 0 || best.x > 1 } : null;
}
