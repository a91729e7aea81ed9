/**
 * Issue 17's defects, end to end: a real build (fixture feeds and JPEG
 * images served on 127.0.0.1, sharp, Eleventy) of some of the defect
 * fixtures, asserting what is published: the per-feed JSON Feed (title,
 * content_html, summary, dates, cover and images) and the article pages
 * (<title>, heading, content, our own srcset). The fixtures' example.com
 * URLs are pointed at the loopback server, so nothing leaves the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import sharp from 'sharp';
import { build } from '../../src/build.ts';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { FIXTURES, tempDir } from '../support/tmp.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const FEEDS: Record<string, string> = {
  srcset: 'c9-srcset-rss20.xml',
  titles: 'c6-titles-atom10.xml',
  types: 'c8-dates-types-atom10.xml',
  naked: 'c3-naked-html-rss20.xml',
  comment: 'c1-comment-before-root-atom03.xml',
  version: 'c2-no-version-rss20.xml',
};

/** Photo-like JPEGs (noise, so none looks like a placeholder), by name and width. */
const IMAGES: Record<string, number> = { 'a-480.jpg': 480, 'a-1450.jpg': 1450, 'p-800.jpg': 800, 'p-1600.jpg': 1600, 'b.jpg': 600, 'b@2x.jpg': 1200 };

interface JsonItem {
  id: string;
  url?: string;
  title: string;
  content_html: string;
  summary: string;
  date_published: string;
  date_modified?: string;
  _digest: { cover: { source_url: string; width: number } | null; images: Record<string, string> };
}

test('a real build publishes what the defect fixtures mean: titles as text, content, summaries, dates, the widest image with our own srcset', async (t) => {
  const dir = await tempDir(t);
  const root = path.join(dir, 'served');
  await mkdir(path.join(root, 'img'), { recursive: true });
  for (const [name, width] of Object.entries(IMAGES)) {
    const height = Math.round(width * 0.6);
    const noise = await sharp({ create: { width, height, channels: 3, background: '#777', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 70 }).toBuffer();
    await writeFile(path.join(root, 'img', name), noise);
  }
  for (const file of Object.values(FEEDS)) {
    const xml = await readFile(path.join(FIXTURES, 'cases', file), 'utf8');
    await writeFile(path.join(root, file), xml.replaceAll('https://example.com', '__ORIGIN__'));
  }
  const server = await startFixtureServer(root);
  t.after(() => server.close());
  const o = server.origin;
  const config = path.join(dir, 'feeds.json');
  await writeFile(config, JSON.stringify({
    site: { title: 'Defects', url: 'https://user.github.io/repo/' },
    fetch: { allowPrivateNetworks: true },
    feeds: Object.entries(FEEDS).map(([id, file]) => ({ id, url: `${o}/${file}` })),
  }));
  const out = path.join(dir, '_site');
  const { report } = await build({ config, out, cache: path.join(dir, '.cache'), quiet: true });
  assert.deepEqual(report.feeds.map((f) => [f.id, f.outcome]), Object.keys(FEEDS).map((id) => [id, 'fetched']));

  const items = async (id: string) => (JSON.parse(await readFile(path.join(out, 'api', 'feeds', `${id}.json`), 'utf8')) as { items: JsonItem[] }).items;
  const byUrl = (list: JsonItem[], url: string) => {
    const item = list.find((i) => i.url === url);
    assert.ok(item, `${url} is published (have ${list.map((i) => i.url).join(', ')})`);
    return item;
  };
  const page = async (item: JsonItem) => load(await readFile(path.join(out, 'articles', item.id, 'index.html'), 'utf8'));

  // 9: the widest candidate is the source; the page's <img> carries our own variants.
  const srcset = await items('srcset');
  const wide = byUrl(srcset, `${o}/c9/rss20/1`);
  assert.equal(wide._digest.cover?.source_url, `${o}/img/a-1450.jpg`);
  assert.equal(wide._digest.cover?.width, 1450);
  assert.deepEqual(Object.keys(wide._digest.images), [`${o}/img/a-1450.jpg`]);
  const widePage = await page(wide);
  const img = widePage('.content img');
  assert.equal(img.length, 1);
  assert.deepEqual(
    img.attr('srcset')!.split(', ').map((c) => c.split(' ')[1]),
    ['480w', '960w', '1450w'],
    'our own variants, up to the widest source',
  );
  assert.match(img.attr('src')!, /\/repo\/img\/.+-1450\.webp$/);
  assert.equal(img.attr('width'), '1450');
  assert.equal(byUrl(srcset, `${o}/c9/rss20/2`)._digest.cover?.source_url, `${o}/img/p-1600.jpg`);
  assert.equal(byUrl(srcset, `${o}/c9/rss20/3`)._digest.cover?.source_url, `${o}/img/b@2x.jpg`);
  const fetched = server.requests.map((r) => r.path);
  for (const small of ['/img/a-480.jpg', '/img/p-800.jpg', '/img/b.jpg', '/img/p-3000.jxl']) assert.ok(!fetched.includes(small), `${small} is never downloaded`);

  // 6: titles are plain text in the JSON, the page's <title> and its heading.
  const titles = await items('titles');
  const expectedTitles: [string, string][] = [
    ['1', 'History of the <blink> tag'],
    ['3', 'Safe & sound'],
    ['4', '強調人工知能'],
    ['5', '第一段 第二段'],
  ];
  for (const [n, title] of expectedTitles) {
    const item = byUrl(titles, `${o}/c6/atom10/${n}`);
    assert.equal(item.title, title);
    const $ = await page(item);
    assert.equal($('h1.article-title').text(), title);
    assert.ok($('title').text().startsWith(`${title} · `), $('title').text());
  }

  // 8: binary content left out for the summary; out-of-line content linked; a summary kept beside content; dcterms dates.
  const types = await items('types');
  const png = byUrl(types, `${o}/c8/atom10/1`);
  assert.equal(png.content_html, 'A one-pixel image.');
  assert.doesNotMatch(JSON.stringify(png), /iVBORw0KGgo/, 'no base64 anywhere');
  assert.equal(png.date_published, '2026-10-01T08:00:00.000Z');
  assert.equal(png.date_modified, '2026-10-03T08:00:00.000Z');
  const pdf = byUrl(types, `${o}/c8/atom10/2`);
  assert.equal(load(pdf.content_html)('a').attr('href'), `${o}/c8/atom10/report.pdf`);
  const both = byUrl(types, `${o}/c8/atom10/3`);
  assert.equal(both.content_html, '<p>The content.</p>');
  assert.equal(both.summary, 'The summary.');
  assert.equal((await page(both))('.content').text().trim(), 'The content.');

  // 3: HTML written as elements is the content; a description beside it is the summary.
  const naked = await items('naked');
  assert.ok(byUrl(naked, `${o}/c3/rss20/1`).content_html.startsWith(`<p>Hello <b>world</b>, and <a href="${o}/more" rel="noopener noreferrer nofollow">more</a>.</p>`));
  const full = byUrl(naked, `${o}/c3/rss20/2`);
  assert.match(full.content_html, /<h2>Heading<\/h2><p>The <em>full<\/em> text\.<\/p>/);
  assert.equal(full.summary, 'A short teaser.');
  assert.equal((await page(full))('.content h2').text(), 'Heading');

  // 1 and 2: the documents that were cut or refused publish every item.
  assert.deepEqual((await items('comment')).map((i) => i.title), ['First entry']);
  assert.deepEqual((await items('version')).map((i) => [i.title, i.id]), [
    ['Item one', md5(`${o}/c2/1`)],
    ['Item two', md5(`${o}/c2/2`)],
  ]);
});
