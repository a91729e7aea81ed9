/**
 * The captured-feeds corpus (test/fixtures/captured, README there): twenty
 * feeds shaped like real publishers' (news sites, forums, podcast hosts,
 * Chinese and Japanese blogs and portals, an aggregator, video, code
 * releases), each with its items, titles, links, dates and content written
 * by hand in expected.json. Read as a build reads them: served over
 * loopback, fetched, parsed, and prepared by the content step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { htmlToText, prepareContent } from '../../src/content/index.ts';
import { FIXTURES } from '../support/tmp.ts';
import { fixtureReader, ok } from './serve.ts';

const DIR = path.join(FIXTURES, 'captured');

interface Expected {
  format: string;
  title: string;
  homeUrl: string | null;
  items: {
    title: string;
    link: string;
    published: string | null;
    /** What the JSON Feed publishes as date_modified (only a later update counts); checked when given. */
    modified?: string | null;
    author?: string;
    /** Sentences the published content holds, as text. */
    contains: string[];
    /** The published summary (the feed's own, else our excerpt). */
    summary?: string;
    images?: string[];
    attachments?: string[];
  }[];
}

test('twenty captured-style feeds: every item, title, link, date and content as written by hand', async (t) => {
  const expected = JSON.parse(await readFile(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;
  assert.equal(Object.keys(expected).length, 20);
  const read = await fixtureReader(t, DIR);
  let items = 0;
  for (const [file, want] of Object.entries(expected)) {
    const doc = ok(await read(file));
    assert.deepEqual([doc.format, doc.title, doc.homeUrl], [want.format, want.title, want.homeUrl], `${file}: the feed`);
    assert.equal(doc.items.length, want.items.length, `${file}: items`);
    want.items.forEach((w, i) => {
      const item = doc.items[i]!;
      const where = `${file} item ${i + 1}`;
      assert.deepEqual([item.title, item.link, item.published], [w.title, w.link, w.published], where);
      if (w.modified !== undefined) {
        const modified = item.updated && item.published && item.updated > item.published ? item.updated : null;
        assert.equal(modified, w.modified, `${where}: modified`);
      }
      if (w.author !== undefined) assert.equal(item.author, w.author, `${where}: author`);
      const prepared = prepareContent(item.contentHtml, item.baseUrl, item.summary);
      const text = htmlToText(prepared.html).replace(/\s+/g, ' ');
      for (const sentence of w.contains) assert.ok(text.includes(sentence), `${where}: "${sentence}" in ${JSON.stringify(text)}`);
      if (w.summary !== undefined) assert.equal(prepared.excerpt, w.summary, `${where}: summary`);
      if (w.images) assert.deepEqual(prepared.images, w.images, `${where}: images`);
      if (w.attachments) assert.deepEqual(item.attachments.map((a) => a.url), w.attachments, `${where}: attachments`);
      items++;
    });
  }
  t.diagnostic(`captured corpus: ${Object.keys(expected).length} feeds, ${items} items, all as expected`);
});
