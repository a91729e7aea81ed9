/**
 * A zh-CN site of English-only feeds (the demo's, the Chinese one left out,
 * plus a feed that fails): no page holds an English word of the site's own,
 * every page's language is right, the made-up Atom titles and the search
 * script's strings are Chinese, and a `site.strings` override shows on every
 * page where its text appears. And right-to-left sites and articles.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { renderSite } from '../../src/render/index.ts';
import { buildDemoSite, type DemoSite } from './demo-build.ts';
import { syntheticInput } from './synthetic.ts';
import { englishWords, feedTexts, shownInHtml } from '../support/ui-text.ts';

const SITE_URL = 'https://example.org/digest/';
const OVERRIDE = '往期';

describe('a zh-CN site of English feeds', () => {
  let dir: string;
  let site: DemoSite;
  let pages: string[];
  let feed: string[];
  const read = (p: string) => readFile(path.join(site.out, p), 'utf8');

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'feed-digest-i18n-'));
    let configTexts: string[] = [];
    site = await buildDemoSite(dir, SITE_URL, {
      config: 'feeds.zh-CN.json',
      edit(config) {
        const origin = new URL(String(config.feeds[0]!.url)).origin;
        config.feeds = config.feeds.filter((f) => f.id !== 'zh-news-gbk');
        config.feeds.push({ id: 'gone', url: `${origin}/gone.xml`, category: '技术' });
        config.site.itemsPerPage = 6;
        config.site.strings = { 'nav.archive': OVERRIDE };
        configTexts = [config.site.title, config.site.description, ...config.feeds.map((f) => f.category)].map(String);
      },
    });
    pages = (await readdir(site.out, { recursive: true })).filter((f) => f.endsWith('.html')).sort();
    feed = await feedTexts(site.out, SITE_URL, configTexts);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('no page shows an English word the site wrote itself (text nodes and visible attributes)', async () => {
    for (const kind of ['index.html', 'page/2/index.html', 'feeds/index.html', 'feeds/tech-blog/index.html', 'feeds/gone/index.html', 'archive/index.html', 'archive/2026/11/index.html', 'categories/技术/index.html', 'search/index.html', '404.html']) {
      assert.ok(pages.includes(kind), `${kind} was built`);
    }
    assert.ok(pages.filter((p) => p.startsWith('articles/')).length > 20);
    const found: string[] = [];
    for (const page of pages) for (const w of englishWords(shownInHtml(await read(page), page), feed)) found.push(`${w.where}: ${w.text}`);
    assert.deepEqual(found, []);

    // The check catches English UI text: the same home page with one English word of the site's own.
    const home = await read('index.html');
    assert.ok(home.includes('最新文章'));
    assert.deepEqual(
      englishWords(shownInHtml(home.replace('最新文章', 'Latest'), 'index.html'), feed).map((w) => w.text.split('  ')[0]),
      ['Latest'],
    );
  });

  test('the site speaks zh-CN; an article its feed language, with the site chrome in zh-CN', async () => {
    const $ = cheerio.load(await read('feeds/index.html'));
    assert.equal($('html').attr('lang'), 'zh-CN');
    assert.equal($('html').attr('dir'), 'ltr');
    assert.match($('.page-lede').text(), /^共5个订阅源，上次构建时1个出错（构建报告、OPML）。$/);
    const gone = $('tr').filter((_, tr) => $(tr).find('a.feed-name').attr('href') === '/digest/feeds/gone/');
    assert.equal(gone.find('.status.failing').text(), '出错');
    assert.equal(gone.find('.error-text').text(), '服务器返回 HTTP 404');
    assert.equal(gone.find('.error-detail summary').text(), '详细信息');
    assert.equal(gone.find('td[data-label]').first().attr('data-label'), '文章');

    const all = JSON.parse(await read('api/all.json')) as { items: { id: string; _digest: { feed_id: string } }[] };
    const article = all.items.find((i) => i._digest.feed_id === 'tech-blog')!;
    const $a = cheerio.load(await read(`articles/${article.id}/index.html`));
    assert.equal($a('html').attr('lang'), 'en-us');
    assert.equal($a('header.site-header').attr('lang'), 'zh-CN');
    assert.equal($a('footer.site-footer').attr('lang'), 'zh-CN');
    assert.equal($a('.article-header time').attr('lang'), 'zh-CN', 'the date is written in the site language');
    assert.equal($a('a.original').text().trim(), '阅读原文 →');
    // In lists, an English card carries its language; its date is the site's.
    const $h = cheerio.load(await read('index.html'));
    const card = $h('.card[lang="en-us"]').first();
    assert.equal(card.length, 1);
    assert.equal(card.find('time').attr('lang'), 'zh-CN');
    assert.match(card.find('time').text(), /^\d{1,2}月\d{1,2}日$/, 'this year: month and day');
    assert.match($h('.digest-status').text(), /^共\d+篇文章，来自5个订阅源（1个出错） · 更新于2026年11月27日 17:30$/);
    // The landing page has no number; numbered pages count from the oldest, with no total (a full page never changes).
    assert.equal($h('.pager-count').length, 0);
    assert.match($h('.pager a[rel="next"]').text(), /较早文章/);
    assert.equal(cheerio.load(await read('page/1/index.html'))('.pager-count').text(), '第1页');
    assert.equal($h('title').text(), '订阅摘要演示');
    assert.match(cheerio.load(await read('page/2/index.html'))('title').text(), /^订阅摘要演示（第2页） - 订阅摘要演示$/);
    assert.match(cheerio.load(await read('archive/index.html'))('.page-lede').text(), /^按月浏览全部存档文章（中国标准时间）。$/);
  });

  test('made-up titles (Atom, JSON Feed links) and the search script strings are zh-CN', async () => {
    const atom = cheerio.load(await read('feeds/tech-blog/feed.xml'), { xml: true });
    assert.equal(atom('feed > title').text(), 'Byte Harbor Engineering - 订阅摘要演示');
    const category = cheerio.load(await read('categories/技术/feed.xml'), { xml: true });
    assert.equal(category('feed > title').text(), '技术 - 订阅摘要演示');
    const $ = cheerio.load(await read('search/index.html'));
    assert.equal($('link[type="application/feed+json"]').first().attr('title'), '订阅摘要演示（JSON Feed）');
    const translations = JSON.parse($('#search').attr('data-translations')!) as Record<string, string>;
    assert.equal(translations.many_results, '找到[COUNT]条与“[SEARCH_TERM]”相关的结果');
    assert.equal(translations.placeholder, '搜索文章');
    assert.equal($('#search').attr('data-index-missing'), '本次构建缺少搜索索引。');
    assert.equal($('body').attr('data-read-label'), '已读');
  });

  test('a site.strings override is used on every page where its text appears, and the catalog text nowhere', async () => {
    for (const page of pages) {
      const $ = cheerio.load(await read(page));
      assert.equal($('.site-nav a[href="/digest/archive/"]').text(), OVERRIDE, page);
      assert.ok(!$('.site-nav').text().includes('归档'), page);
    }
    assert.equal(cheerio.load(await read('archive/index.html'))('h1').text(), '归档', 'another key with the same text is not overridden');
  });
});

test('direction: a right-to-left site gets dir="rtl"; an article written the other way carries its own lang and dir', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feed-digest-rtl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const feeds = [
    { id: 'en', title: 'English', language: 'en', articles: [{ title: 'An English article', published: '2026-11-02T00:00:00Z' }] },
    { id: 'he', title: 'עברית', language: 'he', articles: [{ title: 'מאמר בעברית', published: '2026-11-01T00:00:00Z' }] },
  ];
  for (const [language, expected] of [
    ['he-IL', { html: 'rtl', en: ' dir="ltr"', he: '' }],
    ['en', { html: 'ltr', en: '', he: ' dir="rtl"' }],
  ] as const) {
    const input = await syntheticInput(path.join(dir, language), { feeds, site: { language } });
    await renderSite(input);
    const read = (p: string) => readFile(path.join(input.outDir, p), 'utf8');
    const $ = cheerio.load(await read('index.html'));
    assert.equal($('html').attr('dir'), expected.html, language);
    for (const feed of ['en', 'he'] as const) {
      const card = $('.card').filter((_, c) => $(c).find('.feed-name').attr('href') === `/digest/feeds/${feed}/`);
      assert.equal(card.attr('lang'), feed, `${language}: ${feed} card`);
      assert.equal(card.attr('dir') ?? '', expected[feed].replace(/^ dir="|"$/g, ''), `${language}: ${feed} card dir`);
    }
    // An article page is in its feed's language and direction; the site's chrome keeps the site's.
    const he = input.articles.find((a) => a.feedIds[0] === 'he')!.article.id;
    const $a = cheerio.load(await read(`articles/${he}/index.html`));
    assert.equal($a('html').attr('lang'), 'he');
    assert.equal($a('html').attr('dir'), 'rtl');
    assert.equal($a('header.site-header').attr('dir'), language === 'en' ? 'ltr' : undefined, `${language}: the chrome's direction inside a Hebrew page`);
  }
});
