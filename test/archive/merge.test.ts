/**
 * The archive merge: identity, updates in place with date_modified,
 * retention, never losing an article the feed stopped listing, maxItems,
 * include/exclude filters. Feeds are real RSS text through the real parser;
 * only the clock is chosen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeFeed, type PreparedItem } from '../../src/archive/merge.ts';
import { emptyFeedState, type FeedState } from '../../src/model/archive.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { parseFeed } from '../../src/parse/index.ts';
import type { FeedDoc, ParsedItem } from '../../src/model/feed.ts';
import type { FilterConfig } from '../../src/model/config.ts';

interface Item {
  title: string;
  link?: string;
  date?: string;
  body?: string;
  author?: string;
  categories?: string[];
  updated?: string;
}

async function doc(items: Item[]): Promise<FeedDoc> {
  const xml = `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>https://example.com/</link>${items
    .map(
      (i) => `<item><title>${i.title}</title>${i.link ? `<link>${i.link}</link>` : ''}${i.date ? `<pubDate>${i.date}</pubDate>` : ''}${
        i.updated ? `<atom:updated>${i.updated}</atom:updated>` : ''
      }${i.author ? `<dc:creator>${i.author}</dc:creator>` : ''}${(i.categories ?? []).map((c) => `<category>${c}</category>`).join('')}<description><![CDATA[${i.body ?? `<p>${i.title}</p>`}]]></description></item>`,
    )
    .join('')}</channel></rss>`;
  const r = await parseFeed(xml, 'https://example.com/feed.xml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return r.value;
}

const prepared: ParsedItem[] = [];
const prepare = (item: ParsedItem): PreparedItem => {
  prepared.push(item);
  return { html: item.contentHtml, images: [], excerpt: item.title };
};

function merge(state: FeedState, d: FeedDoc, now: string, extra: { maxItems?: number; retention?: { maxItemsPerFeed: number | null; maxAgeDays: number | null }; filters?: FilterConfig[] } = {}) {
  prepared.length = 0;
  return mergeFeed(state, d, {
    now: new Date(now),
    maxItems: extra.maxItems ?? null,
    retention: extra.retention ?? { maxItemsPerFeed: null, maxAgeDays: null },
    prepare,
    filters: extra.filters ?? [],
  });
}

const link = (n: number) => `https://example.com/posts/${n}`;

test('new items are added once; unchanged ones are not reprocessed; unlisted ones stay', async () => {
  const day1 = await doc([
    { title: 'Two', link: link(2), date: 'Tue, 24 Nov 2026 09:00:00 GMT' },
    { title: 'One', link: link(1), date: 'Mon, 23 Nov 2026 09:00:00 GMT' },
  ]);
  const first = merge(emptyFeedState('f', 'u'), day1, '2026-11-24T10:00:00Z');
  assert.deepEqual(first.counts, { added: 2, updated: 0, unchanged: 0, expired: 0, filtered: 0, total: 2 });
  assert.equal(prepared.length, 2);

  // The feed now lists only a new item: nothing is lost.
  const day2 = await doc([{ title: 'Three', link: link(3), date: 'Wed, 25 Nov 2026 09:00:00 GMT' }]);
  const second = merge(first.state, day2, '2026-11-25T10:00:00Z');
  assert.deepEqual(second.state.articles.map((a) => a.title), ['Three', 'Two', 'One']);

  const again = merge(second.state, day1, '2026-11-26T10:00:00Z');
  assert.equal(prepared.length, 0, 'unchanged items are not reprocessed');
  assert.deepEqual([again.counts.unchanged, again.counts.added, again.counts.total], [2, 0, 3]);
});

test('an updated item is updated in place: one id, date_modified recorded, first-seen kept', async () => {
  const v1 = await doc([{ title: 'Draft title', link: link(1), date: 'Mon, 23 Nov 2026 09:00:00 GMT' }]);
  const first = merge(emptyFeedState('f', 'u'), v1, '2026-11-23T10:00:00Z');
  assert.equal(first.state.articles[0]!.modified, null);

  // The feed says when it changed.
  const v2 = await doc([{ title: 'Final title', link: link(1), date: 'Mon, 23 Nov 2026 09:00:00 GMT', updated: '2026-11-24T08:00:00Z' }]);
  const second = merge(first.state, v2, '2026-11-24T10:00:00Z');
  assert.equal(second.state.articles.length, 1);
  const a = second.state.articles[0]!;
  assert.deepEqual([a.title, a.published, a.modified, a.firstSeen], ['Final title', '2026-11-23T09:00:00.000Z', '2026-11-24T08:00:00.000Z', '2026-11-23T10:00:00.000Z']);
  assert.equal(second.counts.updated, 1);
  assert.equal(a.id, first.state.articles[0]!.id);

  // The feed does not say: the time we noticed is recorded.
  const v3 = await doc([{ title: 'Final title', link: link(1), date: 'Mon, 23 Nov 2026 09:00:00 GMT', body: '<p>Corrected text</p>', updated: '2026-11-24T08:00:00Z' }]);
  const third = merge(second.state, v3, '2026-11-25T10:00:00Z');
  assert.equal(third.state.articles[0]!.modified, '2026-11-25T10:00:00.000Z');
  assert.equal(third.state.articles[0]!.contentHtml, '<p>Corrected text</p>');
});

test('no usable date: the first-seen time, kept on later builds; a future date is clamped', async () => {
  const d = await doc([
    { title: 'Undated', link: link(1), date: 'garbage' },
    { title: 'From the future', link: link(2), date: 'Fri, 01 Jan 2100 00:00:00 GMT' },
  ]);
  const first = merge(emptyFeedState('f', 'u'), d, '2026-11-24T10:00:00Z');
  const byTitle = new Map(first.state.articles.map((a) => [a.title, a]));
  assert.equal(byTitle.get('Undated')!.published, '2026-11-24T10:00:00.000Z');
  assert.equal(byTitle.get('From the future')!.published, '2026-11-24T10:00:00.000Z');
  const later = merge(first.state, d, '2026-11-30T10:00:00Z');
  assert.equal(later.state.articles.find((a) => a.title === 'Undated')!.published, '2026-11-24T10:00:00.000Z');
});

test('retention: everything by default; maxItemsPerFeed and maxAgeDays when set', async () => {
  const items = Array.from({ length: 40 }, (_, i) => ({ title: `P${i}`, link: link(i), date: new Date(Date.UTC(2026, 10, 24) - i * 86_400_000).toUTCString() }));
  const d = await doc(items);
  const all = merge(emptyFeedState('f', 'u'), d, '2026-11-24T10:00:00Z');
  assert.equal(all.state.articles.length, 40);

  const capped = merge(emptyFeedState('f', 'u'), d, '2026-11-24T10:00:00Z', { retention: { maxItemsPerFeed: 10, maxAgeDays: null } });
  assert.deepEqual(capped.state.articles.map((a) => a.title), items.slice(0, 10).map((i) => i.title), 'the newest 10');
  assert.equal(capped.counts.expired, 30);

  const young = merge(all.state, await doc([]), '2026-11-24T10:00:00Z', { retention: { maxItemsPerFeed: null, maxAgeDays: 7 } });
  assert.equal(young.state.articles.length, 7, 'published within 7×24 h of now: 24 Nov back to 18 Nov');
  assert.equal(young.counts.expired, 33);
});

test('per-feed maxItems reads only the first N items of a fetch', async () => {
  const d = await doc([1, 2, 3, 4].map((n) => ({ title: `P${n}`, link: link(n) })));
  const r = merge(emptyFeedState('f', 'u'), d, '2026-11-24T10:00:00Z', { maxItems: 2 });
  assert.deepEqual(r.state.articles.map((a) => a.title).sort(), ['P1', 'P2']);
});

test('include/exclude filters: per field, case, global and per feed together', async () => {
  const config = resolveConfig(
    {
      filters: { exclude: ['sponsored'] },
      feeds: [
        {
          url: 'https://example.com/feed.xml',
          filters: {
            include: [{ pattern: 'rust|golang', fields: ['title', 'category'] }, { pattern: '^Ada$', fields: ['author'], caseSensitive: true }],
            exclude: [{ pattern: '\\[AD\\]', fields: ['title'] }],
          },
        },
      ],
    },
    '/tmp/feeds.json',
  );
  const d = await doc([
    { title: 'Rust 2.0 released', link: link(1) },
    { title: 'Cooking tips', link: link(2), categories: ['golang'] },
    { title: 'Anything by Ada', link: link(3), author: 'Ada' },
    { title: 'Anything by ada', link: link(4), author: 'ada' },
    { title: '[AD] Learn Rust fast', link: link(5) },
    { title: 'Golang news', link: link(6), body: '<p>This post is <b>Sponsored</b> by a vendor.</p>' },
    { title: 'Nothing relevant', link: link(7) },
  ]);
  const r = merge(emptyFeedState('f', 'u'), d, '2026-11-24T10:00:00Z', { filters: [config.filters, config.feeds[0]!.filters] });
  assert.deepEqual(r.state.articles.map((a) => a.title).sort(), ['Anything by Ada', 'Cooking tips', 'Rust 2.0 released']);
  assert.equal(r.counts.filtered, 4);

  // A filter added later keeps what is already archived; it only decides what enters.
  const stricter = resolveConfig({ filters: { exclude: ['Rust'] }, feeds: [] }, '/tmp/feeds.json');
  const later = merge(r.state, await doc([{ title: 'Rust 2.1 released', link: link(8) }]), '2026-11-25T10:00:00Z', { filters: [stricter.filters] });
  assert.deepEqual(later.state.articles.map((a) => a.title).sort(), ['Anything by Ada', 'Cooking tips', 'Rust 2.0 released']);
  assert.equal(later.counts.filtered, 1);
});
