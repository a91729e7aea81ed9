/**
 * The demo site built in Chinese (demo/feeds.zh-CN.json) and in Japanese
 * (demo/feeds.json with site.language "ja"), in Chromium: every page type
 * shows no English word of the site's own once its scripts have run (text
 * nodes and visible attributes; the feeds' own text excluded), <html lang>
 * is the site's, search works with its words in the site's language, the
 * read mark is localized, and axe finds no serious problem.
 *
 * FEED_DIGEST_SCREENSHOTS=docs/screenshots also writes the Chinese site's
 * screenshots the README shows.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { serveSite, type RunningServer } from '../../src/serve/index.ts';
import { buildDemoSite, type DemoSite } from '../render/demo-build.ts';
import { englishWords, feedTexts, SHOWN_IN_PAGE, type Shown } from '../support/ui-text.ts';
import { REPO_ROOT } from '../support/tmp.ts';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const EN_TITLE = 'What we learned rewriting our image pipeline around libvips';
const ZH_TITLE = '智能手机出货量连续第四个季度回暖，折叠屏份额升至5.1%';

interface Language {
  lang: string;
  /** What the demo's config is built from, and how it is changed. */
  config: string;
  title: string;
  /** Texts the assertions look for. */
  expect: { latest: string; read: string; oneResult: string; noResults: string; notFound: string; filters: string };
}

const LANGUAGES: Language[] = [
  {
    lang: 'zh-CN',
    config: 'feeds.zh-CN.json',
    title: '订阅摘要演示',
    expect: { latest: '最新文章', read: '已读', oneResult: '找到1条与“libvips”相关的结果', noResults: '没有找到与“qqxxzzvv”相关的结果', notFound: '找不到这个页面', filters: '筛选' },
  },
  {
    lang: 'ja',
    config: 'feeds.json',
    title: 'フィードダイジェスト',
    expect: { latest: '新着記事', read: '既読', oneResult: '「libvips」の検索結果：1件', noResults: '「qqxxzzvv」に一致する記事はありません', notFound: 'ページが見つかりません', filters: '絞り込み' },
  },
];

let dir: string;
let browser: Browser;
let screenshotDir: string;
const sites = new Map<string, { site: DemoSite; server: RunningServer; feed: string[]; ids: { en: string; zh: string } }>();

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !page.url().includes('/no/such/page/')) problems.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message} (${page.url()})`));
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    // The 404 page is visited on purpose.
    if (r.status() >= 400 && !r.url().includes('/no/such/page/')) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

describe('the demo site in Chinese and Japanese, in Chromium', () => {
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `the browser tests need Chromium at ${CHROMIUM}`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'feed-digest-i18n-browser-'));
    const feeds = await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds'));
    for (const [i, l] of LANGUAGES.entries()) {
      const root = path.join(dir, l.lang);
      await mkdir(root);
      const server = await serveSite({ root: path.join(root, 'site'), basePath: '/digest/', port: 0, host: '127.0.0.1' });
      let configTexts: string[] = [];
      const site = await buildDemoSite(root, server.url, {
        config: l.config,
        // The second site starts from the first one's archive and images: the same feeds, another language.
        ...(i > 0 ? { cacheFrom: path.join(dir, LANGUAGES[0]!.lang) } : {}),
        feeds,
        edit(config) {
          config.site.language = l.lang;
          config.site.title = l.title;
          configTexts = [config.site.title, config.site.description, ...config.feeds.flatMap((f) => [f.category, f.title])].filter((s) => typeof s === 'string') as string[];
        },
      });
      const all = JSON.parse(await readFile(path.join(site.out, 'api', 'all.json'), 'utf8')) as { items: { id: string; title: string }[] };
      const ids = { en: all.items.find((i) => i.title === EN_TITLE)!.id, zh: all.items.find((i) => i.title === ZH_TITLE)!.id };
      sites.set(l.lang, { site, server, feed: await feedTexts(site.out, server.url, configTexts), ids });
    }
    await feeds.close();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    // The screenshots are always taken (into the temp folder); FEED_DIGEST_SCREENSHOTS=docs/screenshots refreshes the README's.
    screenshotDir = process.env.FEED_DIGEST_SCREENSHOTS ? path.resolve(REPO_ROOT, process.env.FEED_DIGEST_SCREENSHOTS) : path.join(dir, 'screenshots');
    await mkdir(screenshotDir, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    for (const { server } of sites.values()) await server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const l of LANGUAGES) {
    test(`${l.lang}: no English word of the site's own on any page type; <html lang>; search and the read mark in ${l.lang}; axe`, async () => {
      const { server, feed, ids } = sites.get(l.lang)!;
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const problems = watch(page);
      const shown: Shown[] = [];
      const look = async (p: string, ready?: () => Promise<unknown>) => {
        await page.goto(server.url + p, { waitUntil: 'load' });
        await ready?.();
        shown.push(...((await page.evaluate(SHOWN_IN_PAGE)) as Shown[]));
        return page.locator('html').getAttribute('lang');
      };

      // An article first, so the home page shows a read mark (public/app.js).
      assert.equal(await look(`articles/${ids.en}/`), 'en-us', 'an article page is in its feed language');
      assert.equal(await page.locator('header.site-header').getAttribute('lang'), l.lang, 'its chrome is in the site language');
      assert.equal(await look(`articles/${ids.zh}/`), 'zh-cn');
      for (const p of ['', 'page/2/', 'feeds/', 'feeds/tech-blog/', 'archive/', 'archive/2026/11/']) {
        assert.equal(await look(p), l.lang, `/${p}`);
      }
      assert.equal(await look(''), l.lang);
      assert.equal(await page.locator('h1').textContent(), l.expect.latest);
      assert.equal(await page.locator('.read-mark').first().textContent(), l.expect.read);
      const category = await page.locator('.site-nav .topic a').first().getAttribute('href');
      await look(category!.replace('/digest/', ''));

      // Search from the header's box: Pagefind's words are the site's.
      await look('');
      await page.fill('#search-q', 'libvips');
      await page.press('#search-q', 'Enter');
      await page.waitForURL(/\/search\/\?q=libvips$/);
      await page.locator('.pagefind-ui__result-link', { hasText: EN_TITLE }).waitFor({ timeout: 20_000 });
      assert.equal((await page.locator('.pagefind-ui__message').textContent())?.trim(), l.expect.oneResult);
      assert.equal((await page.locator('.pagefind-ui__filter-panel-label').textContent())?.trim(), l.expect.filters);
      assert.equal(await page.locator('html').getAttribute('lang'), l.lang);
      shown.push(...((await page.evaluate(SHOWN_IN_PAGE)) as Shown[]));
      // No result: the message reads in the site's language too.
      await look('search/?q=qqxxzzvv', () => page.locator('.pagefind-ui__message', { hasText: l.expect.noResults }).waitFor({ timeout: 20_000 }));

      const missing = await page.goto(`${server.url}no/such/page/`);
      assert.equal(missing?.status(), 404);
      assert.equal(await page.locator('h1').textContent(), l.expect.notFound);
      shown.push(...((await page.evaluate(SHOWN_IN_PAGE)) as Shown[]));

      assert.ok(shown.length > 400, `texts looked at: ${shown.length}`);
      // The reader's own words (the queries) are not the site's either.
      const found = englishWords(shown, ['libvips', 'qqxxzzvv', ...feed]).map((w) => `${w.where}: ${w.text}`);
      assert.deepEqual(found, []);
      assert.deepEqual(problems, []);

      // axe-core on the page types whose chrome changed with the language (the second language: the two with the most of it).
      const axe = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
      const violations: string[] = [];
      for (const p of l === LANGUAGES[0] ? ['', 'feeds/', `articles/${ids.en}/`, 'search/?q=libvips'] : ['', 'search/?q=libvips']) {
        await page.goto(server.url + p, { waitUntil: 'load' });
        if (p.startsWith('search/')) await page.locator('.pagefind-ui__result').first().waitFor();
        await page.evaluate(axe);
        const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as { id: string; impact: string; nodes: { target: string[] }[] }[];
        for (const v of result) if (v.impact === 'serious' || v.impact === 'critical') violations.push(`/${p}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      }
      assert.deepEqual(violations, []);
      await context.close();
    });
  }

  test('screenshots of the Chinese site (home, search, feeds at 1280 px; home at 375 px, dark)', async () => {
    const { server } = sites.get('zh-CN')!;
    for (const [name, p, options] of [
      ['home-zh-CN-1280-light', '', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }],
      ['search-zh-CN-1280-light', 'search/?q=libvips', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }],
      ['feeds-zh-CN-1280-light', 'feeds/', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }],
      ['home-zh-CN-375-dark', '', { viewport: { width: 375, height: 812 }, colorScheme: 'dark' }],
    ] as const) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      await page.goto(server.url + p, { waitUntil: 'load' });
      if (p.startsWith('search/')) await page.locator('.pagefind-ui__result').first().waitFor();
      await page.evaluate('document.fonts.ready');
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      await context.close();
      // A PNG of the viewport's width (IHDR's width is the big-endian word at byte 16).
      const png = await readFile(file);
      assert.equal(png.readUInt32BE(16), options.viewport.width, name);
    }
  });
});
