/**
 * Article identity: a link is normalized so the same article keeps one id
 * whatever tracking parameters or fragments a feed adds, and the id is the
 * lowercase hex MD5 of that link (the original system's linkMd5).
 */
import { createHash } from 'node:crypto';
import { absoluteHttpUrl, stripTrackingParams } from '../url/tracking.ts';

export { absoluteHttpUrl as absoluteUrl } from '../url/tracking.ts';

/**
 * Absolute http(s) URL with tracking parameters and the fragment removed;
 * scheme and host are lower-cased and default ports dropped by the URL parser.
 * Idempotent. Null when not an http(s) URL.
 */
export function normalizeLink(raw: string | null | undefined, base?: string | null): string | null {
  const abs = absoluteHttpUrl(raw, base);
  if (!abs) return null;
  const url = new URL(abs);
  url.hash = '';
  stripTrackingParams(url);
  return url.href;
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
