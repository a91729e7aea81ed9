/**
 * Where a feed's icon comes from, in order: the image the feed declares
 * (RSS <image>, Atom <icon>/<logo>, JSON Feed icon/favicon), else the
 * site's /favicon.ico (the original system re-hosted icons the same way).
 * The favicon is a guess: when it is not there, that is not an error.
 */

export interface IconCandidate {
  url: string;
  /** True for /favicon.ico, which the feed never mentioned. */
  guessed: boolean;
}

export function iconCandidates(meta: { iconUrl: string | null; homeUrl: string | null }, feedUrl: string): IconCandidate[] {
  const out: IconCandidate[] = [];
  const add = (url: string | null, guessed: boolean) => {
    if (url && /^https?:\/\//i.test(url) && !out.some((c) => c.url === url)) out.push({ url, guessed });
  };
  add(meta.iconUrl, false);
  const site = [meta.homeUrl, feedUrl].find((u) => u && /^https?:\/\//i.test(u));
  if (site) {
    try {
      add(new URL('/favicon.ico', site).href, true);
    } catch {
      // Not a URL: no favicon to guess.
    }
  }
  return out;
}
