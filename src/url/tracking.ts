/**
 * URL hygiene shared by `parse` (article identity) and `content` (links in
 * articles): tracking parameters and fragments are noise, not identity.
 */
const TRACKING_PARAM =
  /^(utm_\w+|fbclid|gclid|dclid|gclsrc|msclkid|yclid|mc_cid|mc_eid|igshid|spm|scm|_hsenc|_hsmi|mkt_tok|wt\.mc_id|ref_src|vero_id|__twitter_impression)$/i;

export function isTrackingParam(name: string): boolean {
  return TRACKING_PARAM.test(name);
}

/** Removes tracking parameters from a parsed URL, in place. Returns whether any were removed. */
export function stripTrackingParams(url: URL): boolean {
  let removed = false;
  for (const key of [...url.searchParams.keys()]) {
    if (isTrackingParam(key)) {
      url.searchParams.delete(key);
      removed = true;
    }
  }
  return removed;
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
