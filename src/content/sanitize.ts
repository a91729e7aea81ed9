/**
 * The allowlist sanitizer (sanitize-html: it neutralized every payload we
 * tried; DOMPurify is only safe with jsdom). Modelled on what a feed reader
 * needs and on Miniflux's rules: headings, paragraphs, lists, tables,
 * figures, quotes, code, sup/sub, picture/source, audio/video with controls;
 * no script, no style (element or attribute), no event handlers, no forms,
 * no ids or classes. Every URL goes through url-policy.ts (schemes per
 * attribute, srcset candidate by candidate, data: only for raster images,
 * obfuscated javascript: seen through); iframes only from video hosts,
 * sandboxed and lazy; links get rel="noopener noreferrer nofollow" and lose
 * their tracking parameters.
 */
import { load } from 'cheerio';
import sanitizeHtml from 'sanitize-html';
import { stripTrackingParams } from '../url/tracking.ts';
import { IFRAME_HOSTS, safeFrameUrl, safeSrcset, safeUrl, type UrlUse } from './url-policy.ts';

export { IFRAME_HOSTS } from './url-policy.ts';

export const IFRAME_SANDBOX = 'allow-scripts allow-same-origin allow-presentation allow-popups';

/** Per tag, the URL attributes and what they may point at. */
const URL_ATTRIBUTES: Record<string, Record<string, UrlUse>> = {
  a: { href: 'link' },
  img: { src: 'image' },
  source: { src: 'media' },
  audio: { src: 'media' },
  video: { src: 'media', poster: 'image' },
  track: { src: 'media' },
  blockquote: { cite: 'cite' },
  q: { cite: 'cite' },
  del: { cite: 'cite' },
  ins: { cite: 'cite' },
};

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'srcset', 'alt', 'title', 'width', 'height'],
  // srcset on <source> only inside <picture>; `type`/`media` pick the candidate.
  source: ['src', 'srcset', 'type', 'media', 'sizes', 'width', 'height'],
  audio: ['src', 'controls', 'preload', 'loop', 'muted'],
  video: ['src', 'controls', 'poster', 'preload', 'width', 'height', 'loop', 'muted', 'playsinline'],
  track: ['src', 'kind', 'srclang', 'label', 'default'],
  iframe: ['src', 'width', 'height', 'title', 'allowfullscreen', 'sandbox', 'loading', 'referrerpolicy'],
  td: ['colspan', 'rowspan', 'align'],
  th: ['colspan', 'rowspan', 'scope', 'align'],
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'reversed', 'type'],
  ul: ['type'],
  li: ['value'],
  time: ['datetime'],
  abbr: ['title'],
  dfn: ['title'],
  q: ['cite'],
  blockquote: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  bdo: ['dir'],
  details: ['open'],
  '*': ['lang', 'dir'],
};

function cleanAttributes(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  const out: sanitizeHtml.Attributes = { ...attribs };
  for (const [attr, use] of Object.entries(URL_ATTRIBUTES[tagName] ?? {})) {
    if (!(attr in out)) continue;
    const safe = safeUrl(out[attr], use);
    if (safe === null) delete out[attr];
    else out[attr] = safe;
  }
  // Dimensions are layout hints in CSS pixels: "100%", "auto" or "1e9" are not.
  for (const attr of ['width', 'height']) {
    if (!(attr in out)) continue;
    const value = out[attr]!.trim();
    if (/^\d{1,5}$/.test(value)) out[attr] = value;
    else delete out[attr];
  }
  if ('srcset' in out) {
    const safe = safeSrcset(out.srcset);
    if (safe === null) delete out.srcset;
    else out.srcset = safe;
  }
  return out;
}

function transform(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const clean = cleanAttributes(tagName, attribs);
  switch (tagName) {
    case 'a': {
      if (clean.href && /^https?:/i.test(clean.href)) {
        const url = new URL(clean.href);
        if (stripTrackingParams(url)) clean.href = url.href;
      }
      return { tagName, attribs: { ...clean, rel: 'noopener noreferrer nofollow' } };
    }
    case 'iframe': {
      const src = safeFrameUrl(attribs.src);
      const { src: _dropped, ...rest } = clean;
      return {
        tagName,
        attribs: {
          ...rest,
          ...(src ? { src } : {}),
          sandbox: IFRAME_SANDBOX,
          loading: 'lazy',
          referrerpolicy: 'strict-origin-when-cross-origin',
        },
      };
    }
    case 'audio':
    case 'video':
      return { tagName, attribs: { ...clean, controls: '' } };
    default:
      return { tagName, attribs: clean };
  }
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span', 'section', 'article', 'aside', 'header', 'footer',
    'a', 'b', 'i', 'strong', 'em', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'abbr', 'cite', 'q', 'dfn',
    'code', 'pre', 'kbd', 'samp', 'var', 'blockquote', 'time', 'ruby', 'rt', 'rp', 'wbr', 'bdi', 'bdo',
    'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'details', 'summary',
    'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'colgroup', 'col',
    'figure', 'figcaption', 'img', 'picture', 'source', 'audio', 'video', 'track', 'iframe',
  ],
  allowedAttributes: ALLOWED_ATTRIBUTES,
  // url-policy.ts has already decided per attribute; this second check is a backstop.
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: { a: ['http', 'https', 'mailto'], img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster', 'srcset'],
  allowProtocolRelative: false,
  allowedIframeHostnames: IFRAME_HOSTS,
  allowIframeRelativeUrls: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'xmp', 'noembed', 'noframes', 'iframe', 'object', 'embed', 'math', 'svg'],
  parseStyleAttributes: false,
  transformTags: { '*': transform },
  exclusiveFilter: (frame) => {
    // An image with no usable source, or an embed from a host we do not allow, is an empty box.
    if (frame.tag === 'img' || frame.tag === 'iframe') return !frame.attribs.src;
    if (frame.tag === 'source') return !frame.attribs.src && !frame.attribs.srcset;
    return false;
  },
};

export function sanitize(html: string): string {
  let out = sanitizeHtml(html, OPTIONS);
  // sanitize-html parses with htmlparser2, not as a browser does, and the tags it drops can leave a
  // nesting a browser re-parses differently (`<p><html><div>` → `<p><div>`, which a browser splits
  // into <p></p><div></div><p></p>). One more pass over the tree parse5 (the HTML standard's
  // parser, as browsers use) builds from it leaves no such difference to exploit (mutation XSS),
  // and makes sanitizing a fixed point: sanitizing the output again changes nothing.
  // parse5 writes U+00A0 as &nbsp;, which sanitize-html would then keep: put the character back,
  // so a second pass changes the markup only where a browser would.
  // Some nestings take more than one such pass to settle (`<a><table><a>`: the browser moves the
  // inner link out of the table, then out of the outer link): repeat until nothing changes.
  for (let pass = 0; pass < 5; pass++) {
    const next = sanitizeHtml(load(out, null, false).html().replaceAll('&nbsp;', '\u00a0'), OPTIONS);
    if (next === out) break;
    out = next;
  }
  return out;
}
