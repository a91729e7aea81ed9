/**
 * Stable pages (pagination.ts): numbered from the oldest, a full page keeps
 * its articles whatever arrives, retention and late arrivals touch only the
 * pages they fall on, and every article is on exactly one page, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newer, stablePages, type PageLimit, type Position, type Seal } from '../../src/render/pagination.ts';

/** Article k, published k hours after the first (so a larger k is newer). */
const at = (k: number): Position => ({ published: new Date(Date.UTC(2026, 0, 1) + k * 3_600_000).toISOString(), id: `a${String(k).padStart(4, '0')}` });
/** The list as render gets it: newest first. */
const list = (ks: number[]) => [...ks].sort((x, y) => y - x).map(at);
const ids = (pages: Position[][]) => pages.map((p) => p.map((a) => Number(a.id.slice(1))));
const HTML: PageLimit<Position> = { items: 3, sealWhenFull: true };
const cut = (ks: number[], seals: Seal[] = [], limit = HTML) => stablePages(list(ks), (a) => a, seals, limit);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('pages are numbered from the oldest; a full page is sealed at once, so the newest page may be empty', () => {
  const seven = cut(range(0, 7));
  assert.deepEqual(ids(seven.pages), [[2, 1, 0], [5, 4, 3], [6]]);
  assert.equal(seven.seals.length, 2);
  const six = cut(range(0, 6));
  assert.deepEqual(ids(six.pages), [[2, 1, 0], [5, 4, 3], []]);
});

test('new articles fill the newest page and seal it; the full pages keep their articles', () => {
  const first = cut(range(0, 7));
  const later = cut(range(0, 12), first.seals);
  assert.deepEqual(ids(later.pages), [[2, 1, 0], [5, 4, 3], [8, 7, 6], [11, 10, 9], []]);
  assert.deepEqual(later.seals.slice(0, 2), first.seals, 'the old seals stand');
});

test('retention empties the oldest pages, it does not renumber the others; a late arrival joins the page of its date', () => {
  const first = cut(range(0, 10));
  const trimmed = cut(range(4, 10), first.seals);
  assert.deepEqual(ids(trimmed.pages), [[], [5, 4], [8, 7, 6], [9]]);
  // An article dated between 4 and 5 arrives (a feed added with its history).
  const late = stablePages([...list(range(4, 10)), { published: at(4).published, id: 'a0004b' }].sort((x, y) => (newer(x, y) ? -1 : 1)), (a) => a, trimmed.seals, HTML);
  assert.deepEqual(late.pages.map((p) => p.map((a) => a.id)), [[], ['a0005', 'a0004', 'a0004b'], ['a0008', 'a0007', 'a0006'], ['a0009']]);
  assert.deepEqual(late.seals, trimmed.seals);
});

test('a page swollen past twice its size by late arrivals is cut again, with the pages after it', () => {
  const first = cut(range(100, 109));
  // Seven articles older than everything land on page 1 (3 + 7 > 2 × 3).
  const swollen = cut([...range(0, 7), ...range(100, 109)], first.seals);
  assert.deepEqual(ids(swollen.pages), [[2, 1, 0], [5, 4, 3], [101, 100, 6], [104, 103, 102], [107, 106, 105], [108]]);
});

test('seals that are not in order are ignored: the list is cut from the oldest', () => {
  const first = cut(range(0, 7));
  const shuffled = [first.seals[1]!, first.seals[0]!];
  assert.deepEqual(ids(cut(range(0, 7), shuffled).pages), ids(first.pages));
  assert.deepEqual(ids(cut(range(0, 7), [['x', 'y'] as Seal, 'junk' as unknown as Seal]).pages), ids(first.pages));
});

test('JSON documents: sealed only when an item does not fit (by count or bytes), so the newest is never empty', () => {
  const bytes = new Map([[3, 500]]);
  const json: PageLimit<Position> = { items: 3, bytes: { max: 400, of: (a) => bytes.get(Number(a.id.slice(1))) ?? 100 }, sealWhenFull: false };
  assert.deepEqual(ids(cut(range(0, 6), [], json).pages), [[2, 1, 0], [3], [5, 4]], 'item 3 alone is over the limit: a document of its own');
  assert.deepEqual(ids(cut(range(0, 3), [], json).pages), [[2, 1, 0]], 'full, and still the newest');
});

test('property: whatever arrives or goes, every article is on one page, in order, and an untouched full page stays as it was', () => {
  // Each step: some articles removed, some added (newer ones mostly, a few old).
  const step = fc.record({ remove: fc.array(fc.nat(200), { maxLength: 6 }), addNew: fc.nat(12), addOld: fc.array(fc.nat(200), { maxLength: 3 }) });
  fc.assert(
    fc.property(fc.nat(40), fc.array(step, { maxLength: 8 }), fc.integer({ min: 1, max: 5 }), (start, steps, perPage) => {
      const limit: PageLimit<Position> = { items: perPage, sealWhenFull: true };
      let live = new Set(range(1000, 1000 + start));
      let next = 1000 + start;
      let last = stablePages(list([...live]), (a) => a, [], limit);
      for (const s of steps) {
        const removed = new Set(s.remove.map((r) => 1000 + r));
        const added = new Set([...range(next, next + s.addNew), ...s.addOld.filter((o) => !live.has(o))]);
        next += s.addNew;
        live = new Set([...[...live].filter((k) => !removed.has(k)), ...added]);
        const now = stablePages(list([...live]), (a) => a, last.seals, limit);
        const flat = now.pages.flat().map((a) => Number(a.id.slice(1)));
        assert.deepEqual(flat.sort((x, y) => x - y), [...live].sort((x, y) => x - y), 'every article once');
        // In order: every article of page N is older than every article of page N + 1.
        const pages = now.pages.filter((p) => p.length > 0);
        for (let i = 1; i < pages.length; i++) assert.ok(newer(pages[i]!.at(-1)!, pages[i - 1]![0]!));
        // A full page none of whose articles went or came is the page it was.
        const swollen = last.pages.some((p, i) => i < last.seals.length && p.length + [...added].length > 2 * perPage);
        if (!swollen) {
          for (const [i, page] of last.pages.slice(0, last.seals.length).entries()) {
            const touched = page.some((a) => removed.has(Number(a.id.slice(1)))) || [...added].some((k) => now.pages[i]?.some((a) => a.id === at(k).id));
            if (!touched) assert.deepEqual(now.pages[i], page);
          }
        }
        last = now;
      }
    }),
    { numRuns: 300 },
  );
});
