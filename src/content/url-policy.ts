/**
 * Which URLs an attribute may carry. Schemes are allowlisted per use: links
 * may be http(s) or mailto; images http(s) or a `data:` URI of a raster
 * image type (never SVG, which can carry script); media, citations and
 * posters http(s) only; frames https only, from the video hosts.
 *
 * The value is read the way a browser reads it (entities are already decoded
 * by the HTML parser; tabs and newlines inside are ignored; leading control
 * characters and spaces are ignored; the scheme is case-insensitive), so
 * `jav&#x09;ascript:`, `JaVaScRiPt:` and ` javascript:` are all seen as the
 * javascript: URLs they are.
 */

export type UrlUse = 'link' | 'image' | 'media' | 'cite' | 'frame';

const SCHEMES: Record<UrlUse, string[]> = {
  link: ['http', 'https', 'mailto'],
  image: ['http', 'https', 'data'],
  media: ['http', 'https'],
  cite: ['http', 'https'],
  frame: ['https'],
};

/** Raster image types a data: URI may hold, base64 only. */
const RASTER_DATA_URI = /^data:image\/(png|gif|jpeg|jpg|webp|avif);base64,[a-z0-9+/=]+$/i;

/** Video players that may be embedded (exact host names; render's CSP frame-src lists the same). */
export const IFRAME_HOSTS = [
  'www.youtube.com',
  'youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
  'player.bilibili.com',
];

/** The value as a browser would parse it, or null if it hides control characters. */
function normalize(raw: string): string | null {
  // The URL parser removes ASCII tab and newline anywhere, and C0 controls and spaces at both ends.
  const value = raw.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (/[\u0000-\u001f\u007f]/.test(value)) return null;
  return value;
}

/** The URL to keep for this use, or null to drop the attribute. Relative references are kept as they are. */
export function safeUrl(raw: string | undefined, use: UrlUse): string | null {
  if (raw === undefined) return null;
  const value = normalize(raw);
  if (value === null || value === '') return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) {
    // Protocol-relative: content is absolutized before sanitizing, so this came from elsewhere; refuse it.
    if (/^[/\\]{2}/.test(value)) return null;
    return use === 'frame' ? null : value;
  }
  if (!SCHEMES[use].includes(scheme)) return null;
  if (scheme === 'data') return RASTER_DATA_URI.test(value.replace(/\s+/g, '')) ? value.replace(/\s+/g, '') : null;
  if (scheme === 'mailto') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (use === 'frame' && !IFRAME_HOSTS.includes(url.hostname)) return null;
  return url.href;
}

/** An embed URL upgraded to https (players all serve it) when the host is allowed; else null. */
export function safeFrameUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const value = normalize(raw);
  if (!value) return null;
  const upgraded = value.replace(/^http:/i, 'https:').replace(/^\/\//, 'https://');
  return safeUrl(upgraded, 'frame');
}

/**
 * A srcset parsed candidate by candidate (URLs may contain commas; a
 * candidate ends at whitespace, then an optional descriptor, then a comma).
 */
export function parseSrcset(srcset: string | undefined): { url: string; descriptor: string }[] {
  if (!srcset) return [];
  const out: { url: string; descriptor: string }[] = [];
  let i = 0;
  const s = srcset;
  while (i < s.length) {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let start = i;
    while (i < s.length && !/\s/.test(s[i]!)) i++;
    let url = s.slice(start, i);
    let descriptor = '';
    if (url.endsWith(',')) {
      // "a.jpg," — a URL with no descriptor; a data: URI keeps its inner commas.
      url = url.replace(/,+$/, '');
    } else {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      start = i;
      while (i < s.length && s[i] !== ',') i++;
      descriptor = s.slice(start, i).trim();
    }
    if (url) out.push({ url, descriptor });
  }
  return out;
}

/** Keeps the candidates whose URL is allowed for images and whose descriptor is well-formed. */
export function safeSrcset(srcset: string | undefined): string | null {
  const kept = parseSrcset(srcset).flatMap(({ url, descriptor }) => {
    const safe = safeUrl(url, 'image');
    if (!safe || (descriptor && !/^\d+(\.\d+)?[wx]$/.test(descriptor))) return [];
    return [`${safe}${descriptor ? ` ${descriptor}` : ''}`];
  });
  return kept.length > 0 ? kept.join(', ') : null;
}
