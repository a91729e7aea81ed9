/**
 * Stable page numbers for every list the site publishes (the river, each
 * feed, category and month, and the JSON Feed archive's documents). Page 1
 * holds the oldest articles. Once a page is full it is sealed: its range of
 * articles (up to the newest one it held) is recorded, and from then on it
 * holds the articles of that range whatever arrives later. New articles go
 * to the newest, open page, which is sealed in turn when it fills. So the
 * readers' links to page N keep showing the same articles, an hour with new
 * articles rewrites the newest page and not the list, and a CDN can keep a
 * full page forever.
 *
 * A sealed page changes only when its own articles do: one removed (by
 * retention) makes it shorter, even empty; one that arrives with an older
 * date than the page's newest (a feed added with its history) joins it. A
 * sealed page that grows past twice a page is split again from there on,
 * renumbering the pages after it: a one-time cost, where the alternative
 * was one enormous page.
 *
 * Pure: the seals of the last render in, the pages and the new seals out.
 */

/** Where an article sits in the lists' order (newest first: later `published`, then smaller id). */
export interface Position {
  published: string;
  id: string;
}

/** A sealed page: the position of the newest article it covers, as [published, id]. */
export type Seal = [string, string];

export interface PageLimit<T> {
  /** Items a page holds. */
  items: number;
  /** Bytes a page holds, with each item's size (the JSON archive: ~100–250 KB a file). */
  bytes?: { max: number; of: (item: T) => number };
  /**
   * true: a page is sealed the moment it holds `items` (a list of pages: the
   * newest may then be empty, but a full page never changes again, not even
   * its link to the next). false: only once an item does not fit (the JSON
   * archive, read from its newest document: that one is never empty).
   */
  sealWhenFull: boolean;
}

export interface StablePages<T> {
  /** pages[N - 1] is page N, newest item first; all but the last are sealed (and may be empty). */
  pages: T[][];
  /** The seals of this render, for the next one. */
  seals: Seal[];
}

/** True when `a` comes before `b` in a list, i.e. is newer. */
export function newer(a: Position, b: Position): boolean {
  return a.published > b.published || (a.published === b.published && a.id < b.id);
}

const positionOfSeal = (seal: Seal): Position => ({ published: seal[0], id: seal[1] });

/**
 * Cuts `items` (newest first) into stable pages, given the seals of the
 * last render (none for a new list, or when they were lost).
 */
export function stablePages<T>(items: readonly T[], positionOf: (item: T) => Position, previous: readonly Seal[], limit: PageLimit<T>): StablePages<T> {
  let seals = validSeals(previous);
  // Each item to the first sealed page whose newest position is not older than it.
  const pageOf = (p: Position) => {
    let lo = 0;
    let hi = seals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newer(p, positionOfSeal(seals[mid]!))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let sealed: T[][] = seals.map(() => []);
  let open: T[] = [];
  for (const item of items) {
    const n = pageOf(positionOf(item));
    (n < sealed.length ? sealed[n]! : open).push(item);
  }
  // A sealed page swollen by old arrivals is cut again, with every page after it.
  const swollen = sealed.findIndex((page) => page.length > 2 * limit.items);
  if (swollen >= 0) {
    open = [...sealed.slice(swollen).flat(), ...open];
    sealed = sealed.slice(0, swollen);
    seals = seals.slice(0, swollen);
  }
  // The open page's items, oldest first, fill new pages.
  const rest = open.map((item) => ({ item, at: positionOf(item) })).sort((x, y) => (newer(x.at, y.at) ? 1 : newer(y.at, x.at) ? -1 : 0));
  let current: typeof rest = [];
  let bytes = 0;
  const seal = () => {
    sealed.push(current.map((e) => e.item).reverse());
    const last = current[current.length - 1]!.at;
    seals.push([last.published, last.id]);
    current = [];
    bytes = 0;
  };
  for (const entry of rest) {
    const size = limit.bytes?.of(entry.item) ?? 0;
    const fits = current.length < limit.items && (!limit.bytes || bytes + size <= limit.bytes.max);
    if (current.length > 0 && !fits) seal();
    current.push(entry);
    bytes += size;
    if (limit.sealWhenFull && current.length >= limit.items) seal();
  }
  return { pages: [...sealed, current.map((e) => e.item).reverse()], seals };
}

/** Seals as saved: strictly ascending (older first) pairs of strings, else none (the list starts over). */
function validSeals(seals: readonly Seal[]): Seal[] {
  const ok = seals.every(
    (s, i) =>
      Array.isArray(s) && s.length === 2 && typeof s[0] === 'string' && typeof s[1] === 'string' && (i === 0 || newer(positionOfSeal(s), positionOfSeal(seals[i - 1]!))),
  );
  return ok ? [...seals] : [];
}
