/**
 * Which articles go in which part of the search index: a log-structured
 * layout, so the hourly build indexes what is new and not the archive.
 *
 * Articles are taken in the order they were first seen (new ones come
 * last) and cut into stable pages of `smallest` articles (pagination.ts:
 * a full one keeps its articles). Every part is a run of those pages:
 * sealed ones are merged in fours into parts 4 times as large, and those
 * in fives into parts 20 times as large (250 → 1,000 → 5,000), a counter
 * carried from one size to the next; the newest page is a part of its
 * own. An hourly build indexes the newest part, and now and then merges
 * (each article is indexed about three times in its life, whatever the
 * archive's size); a part whose articles did not change is not indexed
 * again. An updated article's part is indexed again; so is the part of a
 * removed one (retention), which shrinks.
 *
 * A part is named after the pages it spans ("1-20", "21-24", "25"), so a
 * part keeps its name, its cached index and its folder in the site for as
 * long as it is not merged. Pure.
 */
import { stablePages, type Position, type Seal } from './pagination.ts';

export interface SearchPart {
  /** Its folder in the bundle and in the cache. */
  name: string;
  /** Article ids: the pages articles/<id>/index.html of the site. */
  ids: string[];
  /** A hash of everything this part's index depends on (keyOf). */
  key: string;
}

/** How many of the smallest pages each larger part takes, largest first. */
const MERGES = [20, 4];

/** `articles`: oldest first, each with its position in that order (first seen, id). */
export function searchParts(
  articles: readonly { id: string; at: Position }[],
  previous: readonly Seal[],
  smallest: number,
  keyOf: (ids: string[]) => string,
): { parts: SearchPart[]; seals: Seal[] } {
  // stablePages takes the newest first.
  const { pages, seals } = stablePages([...articles].reverse(), (a) => a.at, previous, { items: smallest, sealWhenFull: true });
  const sealed = pages.length - 1;
  const spans: [number, number][] = [];
  let next = 1;
  for (const size of MERGES) {
    for (; next + size - 1 <= sealed; next += size) spans.push([next, next + size - 1]);
  }
  for (; next <= pages.length; next++) spans.push([next, next]);
  const parts: SearchPart[] = [];
  for (const [from, to] of spans) {
    const partIds = pages.slice(from - 1, to).flatMap((page) => page.map((a) => a.id).reverse());
    if (partIds.length === 0) continue;
    parts.push({ name: from === to ? String(from) : `${from}-${to}`, ids: partIds, key: keyOf(partIds) });
  }
  // The search page always finds an index, empty or not.
  if (parts.length === 0) parts.push({ name: '1', ids: [], key: keyOf([]) });
  return { parts, seals };
}
