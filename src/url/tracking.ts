/**
 * URL hygiene shared by `parse` (article identity) and `content` (links in
 * articles): tracking parameters and fragments are noise, not identity.
 */
const TRACKING_PARAM =
  /^(utm_\w+|fbclid|gclid|dclid|gclsrc|msclkid|yclid|mc_cid|mc_eid|igshid|spm|scm|_hsenc|_hsmi|mkt_tok|wt\.mc_id|ref_src|vero_id|__twitter_impression)$/i;

export function isTrackingParam(name: string): boolean {
  return TRACKING_PARAM.test(name);
}

/**
 * Removes tracking parameters from a parsed URL, in place, and empty ones
 * (a bare "?", "&&").
 * The other parameters keep their order and their exact encoding
 * (URLSearchParams would re-encode them: "%20" → "+", which changes the URL
 * and so the article's id). Returns whether the query changed.
 */
export function stripTrackingParams(url: URL): boolean {
  const query = url.search.slice(1);
  if (!query) {
    url.search = ''; // "…/posts/4?" and "…/posts/4" are one page
    return false;
  }
  const parts = query.split('&');
  // Empty parameters ("?&", "a=1&&b=2") mean nothing either.
  const kept = parts.filter((part) => part !== '' && !isTrackingParam(paramName(part)));
  if (kept.length === parts.length) return false;
  url.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  return true;
}

function paramName(part: string): string {
  const name = part.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // a stray "%": not a tracking parameter we know anyway
  }
}

/** Resolves `raw` against `base`; null unless the result is http(s). */
export function absoluteHttpUrl(raw: string | null | undefined, base?: string | null): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw.trim(), base ?? undefined);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
