/**
 * renderSite on hand-made input: JSON Feed pagination by size on a large
 * CJK archive, month grouping in the site's time zone, previous/next within
 * a feed, and template overrides from site.templates.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { renderSite } from '../../src/render/index.ts';
import { MAX_BYTES_PER_FILE, jsonFeedDocuments, jsonFeedFile, type FeedContext } from '../../src/render/jsonfeed.ts';
import type { RenderArticle } from '../../src/render/index.ts';
import { buildViewModel, placeAtomFeed } from '../../src/render/view-model.ts';
import { tempDir } from '../support/tmp.ts';
import { describeErrors, jsonFeedValidator } from './json-schema.ts';
import { syntheticInput } from './synthetic.ts';

/** Every file of one JSON Feed made from nothing (no seals), newest document first. */
function jsonFeedFiles(articles: RenderArticle[], ctx: FeedContext) {
  const { documents } = jsonFeedDocuments(articles, ctx, []);
  return documents.map((_, i) => jsonFeedFile(documents, i, ctx));
}

const ZH = '人工智能芯片的性能在过去一年里提升明显，多家公司发布了新一代产品。';

test('JSON Feed: a large CJK archive is split by bytes, next_url chains every page, nothing lost', async (t) => {
  const dir = await tempDir(t);
  // 1,200 articles of ~6 KB UTF-8 each (2,000 CJK characters): ~7 MB in all.
  const input = await syntheticInput(dir, {
    feeds: [
      {
        id: 'big',
        title: '大档案',
        language: 'zh-CN',
        articles: Array.from({ length: 1200 }, (_, i) => ({
          title: `第${i}篇`,
          published: new Date(Date.UTC(2026, 10, 30) - i * 3_600_000).toISOString(),
          contentHtml: `<p>${ZH.repeat(60)}</p>`,
          excerpt: ZH,
        })),
      },
    ],
  });
  const files = [
    ...jsonFeedFiles(input.articles, {
      siteUrl: input.config.site.url,
      title: 'All',
      homePageUrl: input.config.site.url,
      language: 'zh-CN',
      pathOf: (n) => (n === undefined ? 'api/all.json' : `api/all/${n}.json`),
      feedId: null,
    }),
  ];
  assert.ok(files.length > 20, `${files.length} files`);
  const validate = jsonFeedValidator();
  const seen: string[] = [];
  let next: string | undefined = `${input.config.site.url}api/all.json`;
  const byUrl = new Map(files.map((f) => [input.config.site.url + f.path, f]));
  while (next) {
    const file = byUrl.get(next);
    assert.ok(file, `next_url ${next} is one of the files`);
    const bytes = Buffer.byteLength(file.body);
    assert.ok(bytes <= MAX_BYTES_PER_FILE + 2048, `${file.path}: ${bytes} bytes`);
    const doc = JSON.parse(file.body) as { next_url?: string; items: { id: string }[] };
    assert.ok(validate(doc), describeErrors(validate));
    seen.push(...doc.items.map((i) => i.id));
    byUrl.delete(next);
    next = doc.next_url;
  }
  assert.equal(byUrl.size, 0, 'every file is reached from api/all.json');
  assert.deepEqual(seen, input.articles.map((a) => a.article.id), 'every article once, newest first');
});

test('JSON Feed: an item larger than the limit gets a file of its own', async (t) => {
  const dir = await tempDir(t);
  const input = await syntheticInput(dir, {
    feeds: [
      {
        id: 'huge',
        title: 'Huge',
        articles: [
          { title: 'small 1', published: '2026-11-03T00:00:00Z' },
          { title: 'huge', published: '2026-11-02T00:00:00Z', contentHtml: `<p>${'x'.repeat(MAX_BYTES_PER_FILE + 10_000)}</p>` },
          { title: 'small 2', published: '2026-11-01T00:00:00Z' },
        ],
      },
    ],
  });
  const files = [...jsonFeedFiles(input.articles, { siteUrl: 'https://e.org/', title: 'H', homePageUrl: 'https://e.org/', language: 'en', pathOf: (n) => `p${n ?? ''}.json`, feedId: 'huge' })];
  assert.deepEqual(
    files.map((f) => (JSON.parse(f.body) as { items: { title: string }[] }).items.map((i) => i.title)),
    [['small 1'], ['huge'], ['small 2']],
  );
});

test('view model: months in the site time zone, pagination, previous/next within a feed, lang per article', async (t) => {
  const dir = await tempDir(t);
  const input = await syntheticInput(dir, {
    site: { timezone: 'Asia/Shanghai', itemsPerPage: 2 },
    feeds: [
      {
        id: 'a',
        title: 'A',
        language: 'ja',
        category: 'Tech News',
        articles: [
          // 2026-11-30T17:00Z is 1 December, 01:00 in Shanghai.
          { title: 'a1', published: '2026-11-30T17:00:00Z' },
          { title: 'a2', published: '2026-11-30T15:00:00Z' },
          { title: 'a3', published: '2026-10-01T00:00:00Z' },
        ],
      },
      { id: 'b', title: 'B', articles: [{ title: 'b1', published: '2026-11-15T00:00:00Z' }] },
    ],
  });
  const vm = buildViewModel(input);
  assert.deepEqual(
    vm.years.map((y) => ({ year: y.year, months: y.months.map((m) => [m.key, m.count]) })),
    [{ year: '2026', months: [['2026/12', 1], ['2026/11', 2], ['2026/10', 1]] }],
  );
  assert.deepEqual(vm.monthPages.filter((p) => p.landing).map((p) => p.href), ['/digest/archive/2026/12/', '/digest/archive/2026/11/', '/digest/archive/2026/10/']);
  assert.equal(vm.monthPages[0]!.month!.label, 'December 2026');
  // Numbered from the oldest, two a page: page 2 is full, so the newest page (3) is empty
  // and the landing page shows page 2, its "older" link going on to page 1.
  assert.deepEqual(
    vm.riverPages.map((p) => [p.href, p.items.map((i) => i.title)]),
    [['/digest/', ['a1', 'a2']], ['/digest/page/1/', ['b1', 'a3']], ['/digest/page/2/', ['a1', 'a2']], ['/digest/page/3/', []]],
  );
  assert.deepEqual(vm.riverPages.map((p) => [p.newerHref, p.olderHref]), [
    [null, '/digest/page/1/'],
    ['/digest/page/2/', null],
    ['/digest/page/3/', '/digest/page/1/'],
    [null, '/digest/page/2/'],
  ]);
  assert.equal(vm.categoryPages[0]!.href, '/digest/categories/tech-news/');
  const a2 = vm.articlePages.find((a) => a.title === 'a2')!;
  assert.equal(a2.next?.title, 'a1');
  assert.equal(a2.prev?.title, 'a3', 'b1 is in another feed: not a neighbour');
  assert.equal(a2.language, 'ja');
  assert.equal(vm.articlePages.find((a) => a.title === 'b1')!.language, null);
  const categoryAtom = vm.atomFeeds.find((f) => f.path === 'categories/tech-news/feed.xml')!;
  assert.deepEqual(categoryAtom.items.map((i) => i.title), ['a1', 'a2', 'a3']);
  const placed = placeAtomFeed(categoryAtom, vm.site);
  assert.equal(placed.items[0]!.url, 'https://example.org/digest/articles/' + categoryAtom.items[0]!.id + '/');
});

test('site.templates: a user file replaces the bundled one of the same name, and may add pages', async (t) => {
  const dir = await tempDir(t);
  const own = path.join(dir, 'my-templates');
  await mkdir(path.join(own, '_includes'), { recursive: true });
  // A whole page template, a partial every page imports, and a page the bundle does not have.
  await writeFile(
    path.join(own, 'index.njk'),
    '---\npagination:\n  data: riverPages\n  size: 1\n  alias: p\npermalink: "{{ p.path }}"\nlayout: layout.njk\n---\n<p id="mine">My river: {% for i in p.items %}[{{ i.title }}]{% endfor %}</p>\n',
  );
  await writeFile(
    path.join(own, '_includes', 'macros.njk'),
    (await readFile(path.join(import.meta.dirname, '..', '..', 'templates', '_includes', 'macros.njk'), 'utf8')).replace('<h2 class="card-title">', '<h2 class="card-title my-card">'),
  );
  await writeFile(path.join(own, 'about.njk'), '---\npermalink: about/index.html\nlayout: layout.njk\npageTitle: About\n---\n<p id="about">{{ site.title }} has {{ site.articleCount }} articles.</p>\n');
  const input = await syntheticInput(dir, {
    site: { templates: own },
    feeds: [{ id: 'a', title: 'A', articles: [{ title: 'first', published: '2026-11-01T00:00:00Z' }, { title: 'second', published: '2026-10-01T00:00:00Z' }] }],
  });
  const result = await renderSite(input);
  const out = input.outDir;
  const home = await readFile(path.join(out, 'index.html'), 'utf8');
  assert.match(home, /<p id="mine">My river: \[first\]\[second\]<\/p>/);
  assert.doesNotMatch(home, /class="river"/, 'the bundled index.njk is replaced');
  assert.match(home, /<header class="site-header"/, 'the bundled layout still wraps it');
  assert.match(await readFile(path.join(out, 'feeds', 'a', 'index.html'), 'utf8'), /class="card-title my-card"/, 'the overridden macro is used');
  assert.match(await readFile(path.join(out, 'about', 'index.html'), 'utf8'), /<p id="about">Synthetic has 2 articles\.<\/p>/);
  // The bundle itself is untouched for the next build.
  assert.doesNotMatch(await readFile(path.join(import.meta.dirname, '..', '..', 'templates', 'index.njk'), 'utf8'), /My river/);
  assert.equal(result.warnings.length, 0, result.warnings.join('\n'));
  assert.ok(result.search && result.search.pages === 2);
});

test('render writes a fresh site: pages of articles gone from the archive do not survive', async (t) => {
  const dir = await tempDir(t);
  const first = await syntheticInput(dir, { feeds: [{ id: 'a', title: 'A', articles: [{ title: 'old', published: '2026-10-01T00:00:00Z' }, { title: 'kept', published: '2026-11-01T00:00:00Z' }] }] });
  await renderSite(first);
  const oldId = first.articles.find((a) => a.article.title === 'old')!.article.id;
  assert.ok(await stat(path.join(first.outDir, 'articles', oldId, 'index.html')));
  const second = await syntheticInput(dir, { feeds: [{ id: 'a', title: 'A', articles: [{ title: 'kept', published: '2026-11-01T00:00:00Z' }] }] });
  await renderSite(second);
  assert.deepEqual(await readdir(path.join(second.outDir, 'articles')), [second.articles[0]!.article.id]);
  assert.deepEqual(await readdir(path.join(second.outDir, 'archive')), ['2026', 'index.html']);
  assert.deepEqual(await readdir(path.join(second.outDir, 'archive', '2026')), ['11']);
});

test('a failing feed shows its error on its page and in the feeds directory', async (t) => {
  const dir = await tempDir(t);
  const input = await syntheticInput(dir, {
    feeds: [
      { id: 'ok', title: 'Fine', articles: [{ title: 'x', published: '2026-11-01T00:00:00Z' }] },
      { id: 'down', title: 'Down', articles: [{ title: 'y', published: '2026-10-01T00:00:00Z' }] },
    ],
  });
  const down = input.feeds.find((f) => f.config.id === 'down')!;
  down.state.health = {
    ...down.state.health,
    lastStatus: 503,
    lastSuccessAt: '2026-11-10T00:00:00Z',
    consecutiveFailures: 3,
    lastError: { code: 'http-status', message: 'fetch: the server answered 503 Service Unavailable' },
  };
  await renderSite(input);
  const directory = await readFile(path.join(input.outDir, 'feeds', 'index.html'), 'utf8');
  assert.match(directory, /2 feeds, <span class="status failing">1 failing<\/span>/);
  assert.match(
    directory,
    /<span class="status failing">Failing<\/span> <span class="error-text">The server answered HTTP 503<\/span> · failing for 7\+ days <details class="error-detail"><summary>Details<\/summary><code lang="en" dir="ltr">fetch: the server answered 503 Service Unavailable<\/code><\/details>/,
  );
  const page = await readFile(path.join(input.outDir, 'feeds', 'down', 'index.html'), 'utf8');
  assert.match(page, /<span class="status failing">Failing<\/span> \(3 builds in a row\) · for more than 7 days/);
  assert.match(page, /<dt>Error<\/dt><dd><span class="error-text">The server answered HTTP 503<\/span> <details class="error-detail"><summary>Details<\/summary><code lang="en" dir="ltr">fetch: the server answered 503 Service Unavailable<\/code><\/details><\/dd>/);
  assert.match(page, /<dt>Last success<\/dt><dd><time datetime="2026-11-10T08:00:00\+08:00">/);
});
