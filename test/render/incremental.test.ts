/**
 * The site folder is updated in place: a render keeps the pages whose data
 * did not change and writes the rest. Every test compares the updated
 * folder byte for byte with a render of the same input into an empty
 * folder, so a page kept when it should have been written shows up as a
 * difference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import { renderSite, type RenderInput } from '../../src/render/index.ts';
import { tempDir } from '../support/tmp.ts';
import { assertSameFiles, files, renderFresh } from './same-site.ts';
import { syntheticInput, type SyntheticFeed } from './synthetic.ts';

function feeds(extra: { title: string; published: string }[] = [], retitle?: string): SyntheticFeed[] {
  const list = (id: string, n: number, day: number) =>
    Array.from({ length: n }, (_, k) => ({ title: `${id} article ${k}`, published: new Date(Date.UTC(2026, 10, day, 23 - k)).toISOString() }));
  const a = list('a', 25, 20);
  if (retitle) a[5]!.title = retitle;
  return [
    { id: 'a', title: 'Feed A', category: 'News', articles: [...extra, ...a] },
    { id: 'b', title: 'Feed B', articles: list('b', 12, 10) },
  ];
}

/** Every file a render of `input` into an empty folder writes: what the site must be. */
const fresh = async (input: RenderInput, dir: string) => files(await renderFresh(input, dir));
const assertSameSite = assertSameFiles;

const mtime = async (file: string) => (await stat(file)).mtimeMs;

test('a render with nothing new keeps every page; one with a new and a changed article writes only what shows them', async (t) => {
  const dir = await tempDir(t);
  const now = new Date('2026-12-01T00:00:00Z');
  const first = await syntheticInput(dir, { feeds: feeds(), now });
  const r1 = await renderSite(first);
  assert.equal(r1.pagesWritten, r1.pages, 'the first render writes every page');
  await assertSameSite(first.outDir, await fresh(first, dir), 'first render');

  // The same archive an hour later: the pages that show the build time are written again, nothing else.
  const later = new Date('2026-12-01T01:00:00Z');
  // As a build does, each render gets the lists' seals of the last one.
  const same = { ...(await syntheticInput(dir, { feeds: feeds(), now: later })), seals: r1.seals };
  const articleB = path.join(same.outDir, 'articles', same.articles.find((a) => a.article.title === 'b article 3')!.article.id, 'index.html');
  const before = await mtime(articleB);
  const feedPage = path.join(same.outDir, 'feeds', 'a', 'index.html');
  const feedPageBefore = await mtime(feedPage);
  const r2 = await renderSite(same);
  const showBuildTime = ['index.html', 'feeds/index.html'];
  t.diagnostic(`nothing new: ${r2.pagesWritten} of ${r2.pages} pages written`);
  assert.equal(r2.pages, r1.pages);
  assert.equal(r2.quiet, true, 'nothing the pages show changed: a quiet render');
  assert.equal(r1.quiet, false);
  assert.ok(r2.pagesWritten < 12, `only single pages and the first river page are written (${r2.pagesWritten})`);
  assert.equal(await mtime(feedPage), feedPageBefore, "a quiet feed's page is not written");
  assert.equal(await mtime(articleB), before, 'an unchanged article page is not written');
  await assertSameSite(same.outDir, await fresh(same, dir), 'nothing new');
  for (const page of showBuildTime) assert.match(await readFile(path.join(same.outDir, page), 'utf8'), /2026-12-01T09:00|1 December 2026|Dec(ember)? 1, 2026/, `${page} shows this build`);

  // Still nothing new, but feed B fails: quiet, and its landing page shows it.
  const failing = { ...(await syntheticInput(dir, { feeds: feeds(), now: later })), seals: r2.seals };
  const b = failing.feeds.find((f) => f.config.id === 'b')!;
  b.state.health = { ...b.state.health, consecutiveFailures: 2, failingSince: later.toISOString(), lastError: { code: 'http-status', message: 'HTTP 503 from the feed' } };
  const rFailing = await renderSite(failing);
  assert.equal(rFailing.quiet, true);
  assert.match(await readFile(path.join(failing.outDir, 'feeds', 'b', 'index.html'), 'utf8'), /HTTP 503 from the feed/);
  await assertSameSite(failing.outDir, await fresh(failing, dir), 'a feed failing in a quiet hour');

  // A new article in feed A and a retitled one: feed A's lists, its neighbours' pages, the river; not feed B's articles.
  const jsonB = path.join(same.outDir, 'api', 'feeds', 'b.json');
  const jsonAll = path.join(same.outDir, 'api', 'all.json');
  const [jsonBBefore, jsonAllBefore] = [await mtime(jsonB), await mtime(jsonAll)];
  const changed = { ...(await syntheticInput(dir, { feeds: feeds([{ title: 'brand new', published: '2026-11-30T12:00:00Z' }], 'a renamed article'), now: later })), seals: r2.seals };
  const r3 = await renderSite(changed);
  assert.equal(r3.quiet, false);
  assert.equal(await mtime(jsonB), jsonBBefore, "the other feed's JSON Feed is not made again");
  assert.notEqual(await mtime(jsonAll), jsonAllBefore, "the digest's JSON Feed is");
  t.diagnostic(`one new, one changed: ${r3.pagesWritten} of ${r3.pages} pages written`);
  assert.equal(r3.pages, r2.pages + 1);
  assert.ok(r3.pagesWritten < r3.pages / 2, `${r3.pagesWritten} of ${r3.pages} pages written`);
  assert.equal(await mtime(articleB), before, 'an article of the other feed is not written');
  await assertSameSite(changed.outDir, await fresh(changed, dir), 'one new, one changed');
  const renamed = changed.articles.find((a) => a.article.title === 'a renamed article')!;
  assert.match(await readFile(path.join(changed.outDir, 'articles', renamed.article.id, 'index.html'), 'utf8'), /a renamed article/);
});

test('pages are rendered again when the templates or site settings change, or a kept file is gone', async (t) => {
  const dir = await tempDir(t);
  const input = await syntheticInput(dir, { feeds: feeds() });
  await renderSite(input);

  // A user template: every page that uses it is rendered with it.
  const templates = path.join(dir, 'my-templates');
  await mkdir(path.join(templates, '_includes', 'pages'), { recursive: true });
  const bundled = await readFile(path.resolve('templates/_includes/pages/article.njk'), 'utf8');
  await writeFile(path.join(templates, '_includes', 'pages', 'article.njk'), bundled.replace('<article', '<article data-mine="yes"'));
  const themed = await syntheticInput(dir, { feeds: feeds(), site: { templates } });
  const r = await renderSite(themed);
  assert.equal(r.pagesWritten, r.pages, 'a template change renders every page');
  await assertSameSite(themed.outDir, await fresh(themed, dir), 'new templates');
  const anArticle = path.join(themed.outDir, 'articles', themed.articles[0]!.article.id, 'index.html');
  assert.match(await readFile(anArticle, 'utf8'), /data-mine="yes"/);

  // A new site title: every page shows it.
  const renamed = await syntheticInput(dir, { feeds: feeds(), site: { templates, title: 'Renamed digest' } });
  assert.equal((await renderSite(renamed)).pagesWritten, r.pages);
  await assertSameSite(renamed.outDir, await fresh(renamed, dir), 'new title');

  // A page deleted by hand, a page edited… the deleted one is written again.
  await rm(anArticle);
  const again = await renderSite(renamed);
  assert.equal(again.pagesWritten < 15, true);
  assert.match(await readFile(anArticle, 'utf8'), /Renamed digest/);

  // The record of the last render is gone (a render killed half-way): everything is written again.
  await rm(path.join(renamed.workDir, 'site-manifest.json'));
  assert.equal((await renderSite(renamed)).pagesWritten, r.pages);
  await assertSameSite(renamed.outDir, await fresh(renamed, dir), 'no record');

  // A damaged record (cut short, hand-edited): the same, never an error.
  for (const damaged of ['{"version":3,"outDir":', 'null', '{"version":3,"outDir":"x","files":[]}']) {
    await writeFile(path.join(renamed.workDir, 'site-manifest.json'), damaged);
    assert.equal((await renderSite(renamed)).pagesWritten, r.pages, damaged);
  }
  await assertSameSite(renamed.outDir, await fresh(renamed, dir), 'damaged record');
});

test('pages rendered over several Eleventy runs are the pages one run renders; stray files are deleted', async (t) => {
  const dir = await tempDir(t);
  const input = await syntheticInput(dir, { feeds: feeds() });
  await mkdir(path.join(input.outDir, 'old', 'folder'), { recursive: true });
  await writeFile(path.join(input.outDir, 'old', 'folder', 'page.html'), 'from another tool');
  const result = await renderSite({ ...input, pagesPerRun: 7 });
  t.diagnostic(`${result.pages} pages in runs of 7`);
  assert.equal(result.pagesWritten, result.pages);
  assert.equal(result.pruned, 1);
  await assertSameSite(input.outDir, await fresh(input, dir), 'runs of 7 pages');
  assert.deepEqual(await readdir(input.outDir).then((names) => names.includes('old')), false, 'the emptied folder is removed');
});

test('a full list page keeps its articles and its bytes as articles arrive; retention rewrites only the pages it empties', async (t) => {
  const dir = await tempDir(t);
  // 120 articles, 10 a page: river pages 1–12 full, the newest (13) empty; JSON: document 1 (100 items) and the newest.
  const hourly = (from: number, to: number) => [
    {
      id: 'a',
      title: 'Feed A',
      articles: Array.from({ length: to - from }, (_, i) => ({ title: `story ${to - 1 - i}`, published: new Date(Date.UTC(2026, 10, 1, 0, to - 1 - i)).toISOString() })),
    },
  ];
  const first = await syntheticInput(dir, { feeds: hourly(0, 120) });
  const r1 = await renderSite(first);
  const site = (file: string) => path.join(first.outDir, file);
  const titles = async (file: string) => load(await readFile(site(file), 'utf8'))('.card-title a').map((_, a) => load(a).text()).get();
  assert.deepEqual(await titles('page/1/index.html'), Array.from({ length: 10 }, (_, i) => `story ${9 - i}`), 'page 1 holds the oldest');
  assert.deepEqual((await titles('index.html')).slice(0, 2), ['story 119', 'story 118'], 'the landing page the newest');
  assert.equal((await titles('index.html')).length, 10, 'the newest page is empty: the landing page shows the last full one');
  const docs = async () => JSON.parse(await readFile(site('api/all.json'), 'utf8')) as { next_url?: string; items: unknown[]; _digest: { page: number } };
  assert.deepEqual([(await docs()).items.length, (await docs())._digest.page, (await docs()).next_url], [20, 2, 'https://example.org/digest/api/all/1.json']);

  // Five new articles: the full pages and document 1 stay as they were, byte for byte and on disk.
  const kept = ['page/1/index.html', 'page/12/index.html', 'feeds/a/page/5/index.html', 'api/all/1.json'];
  const before = await Promise.all(kept.map((f) => mtime(site(f))));
  const more = { ...(await syntheticInput(dir, { feeds: hourly(0, 125) })), seals: r1.seals };
  const r2 = await renderSite(more);
  assert.deepEqual(await Promise.all(kept.map((f) => mtime(site(f)))), before, 'full pages are not written again');
  assert.deepEqual(await titles('page/13/index.html'), ['story 124', 'story 123', 'story 122', 'story 121', 'story 120']);
  assert.equal((await titles('index.html')).length, 15);
  t.diagnostic(`5 new articles: ${r2.pagesWritten} of ${r2.pages} pages written`);
  assert.ok(r2.pagesWritten <= 5 * 5 + 12, `${r2.pagesWritten} pages written`);
  await assertSameSite(more.outDir, await fresh(more, dir), '5 new articles');

  // Retention drops the three oldest: page 1 and document 1 shrink, the other full pages are kept.
  const page2 = await mtime(site('page/2/index.html'));
  const trimmed = { ...(await syntheticInput(dir, { feeds: hourly(3, 125) })), seals: r2.seals };
  await renderSite(trimmed);
  assert.equal(await mtime(site('page/2/index.html')), page2, 'page 2 is kept');
  assert.deepEqual((await titles('page/1/index.html')).length, 7);
  assert.deepEqual(await titles('page/13/index.html'), ['story 124', 'story 123', 'story 122', 'story 121', 'story 120'], 'no page is renumbered');
  await assertSameSite(trimmed.outDir, await fresh(trimmed, dir), 'retention');
});
