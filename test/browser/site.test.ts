/**
 * The demo site in a real browser: Chromium (Debian's /usr/bin/chromium)
 * driven by playwright-core, the site built from demo/feeds and served
 * under a path prefix (/digest/), as GitHub Pages serves a project site.
 *
 * Screenshots go to a temp folder; set FEED_DIGEST_SCREENSHOTS=docs/screenshots
 * to refresh the ones the README shows.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import sharp from 'sharp';
import { serveSite, type RunningServer } from '../../src/serve/index.ts';
import { buildDemoSite, type DemoSite } from '../render/demo-build.ts';
import { REPO_ROOT } from '../support/tmp.ts';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** The articles the assertions look for (demo/feeds). */
const EN_TITLE = 'What we learned rewriting our image pipeline around libvips';
const ZH_TITLE = '智能手机出货量连续第四个季度回暖，折叠屏份额升至5.1%';
/** Inside a run of Chinese text with no space or punctuation: found only if that text is segmented into words. */
const ZH_WORD = '份额';

let dir: string;
let server: RunningServer;
let site: DemoSite;
let browser: Browser;
let screenshotDir: string;

/** Console errors, page errors, failed requests and HTTP errors seen by a page. */
function watch(page: Page): string[] {
  return watchInto(page, []);
}

function watchInto(page: Page, problems: string[]): string[] {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message} (${page.url()})`));
  page.on('requestfailed', (r) => {
    // Navigating away cancels what the last page was still loading (lazy images): not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

async function newPage(options: BrowserContextOptions = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  return { page, problems: watch(page) };
}

/** Every URL a page refers to: links, images (src and srcset), media, feeds, canonical. */
const REFERENCES = `(() => {
  const urls = [];
  const add = (u) => { if (u) urls.push(new URL(u, location.href).href); };
  for (const el of document.querySelectorAll('a[href], link[href]')) add(el.getAttribute('href'));
  for (const el of document.querySelectorAll('img, source, audio, video')) {
    add(el.getAttribute('src'));
    for (const c of (el.getAttribute('srcset') || '').split(',')) add(c.trim().split(/\\s+/)[0]);
  }
  for (const el of document.querySelectorAll('meta[property="og:image"]')) add(el.content);
  for (const el of document.querySelectorAll('[data-pagefind-meta^="image:"]')) add(el.dataset.pagefindMeta.slice(6));
  return urls;
})()`;

describe('the demo site in Chromium', () => {
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `the browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install chromium; npm test installs it)`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'feed-digest-browser-'));
    // Serve first (the port goes into site.url), build second: the server reads files per request.
    server = await serveSite({ root: path.join(dir, 'site'), basePath: '/digest/', port: 0, host: '127.0.0.1' });
    // Ten articles a page: the river has full pages, linked from the landing page's "Older".
    site = await buildDemoSite(dir, server.url, { edit: (c) => void Object.assign(c.site, { itemsPerPage: 10 }) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    screenshotDir = process.env.FEED_DIGEST_SCREENSHOTS ? path.resolve(REPO_ROOT, process.env.FEED_DIGEST_SCREENSHOTS) : path.join(dir, 'screenshots');
    await mkdir(screenshotDir, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every page loads with no console error and no failed request; every internal link and image resolves', async () => {
    const { page, problems } = await newPage();
    const context = page.context();
    const root = server.url;
    const queue = [root];
    const visited = new Set<string>([root]);
    const assets = new Map<string, string>();
    // A few tabs at once: most of a page load is waiting on the server and the renderer.
    const tabs = [page, ...(await Promise.all([1, 2].map(async () => context.newPage())))];
    for (const tab of tabs.slice(1)) watchInto(tab, problems);
    const visit = async (tab: Page, url: string) => {
      const response = await tab.goto(url, { waitUntil: 'domcontentloaded' });
      assert.equal(response?.status(), 200, url);
      for (const ref of (await tab.evaluate(REFERENCES)) as string[]) {
        const clean = ref.split('#')[0]!;
        if (!clean.startsWith(root)) continue; // the originals, on the feeds' own server
        if (clean.endsWith('/') || clean.endsWith('.html')) {
          if (!visited.has(clean)) {
            visited.add(clean);
            queue.push(clean);
          }
        } else if (!assets.has(clean)) {
          assets.set(clean, url);
        }
      }
    };
    await Promise.all(
      tabs.map(async (tab) => {
        // A tab with nothing to do waits while the others may still find pages.
        for (let idle = 0; idle < 50; ) {
          const url = queue.shift();
          if (!url) {
            idle++;
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          idle = 0;
          await visit(tab, url);
        }
      }),
    );
    // The search page is reached from every page's form, not from an <a>.
    if (!visited.has(`${root}search/`)) await visit(page, `${root}search/`);
    for (const [asset, from] of assets) {
      const res = await fetch(asset);
      assert.equal(res.status, 200, `${asset} (linked from ${from})`);
      if (/\.(webp|png|svg)$/.test(asset)) assert.match(res.headers.get('content-type') ?? '', /^image\//, asset);
      await res.arrayBuffer();
    }
    const articles = [...visited].filter((u) => /\/articles\/[0-9a-f]{32}\/$/.test(u));
    assert.equal(articles.length, site.result.report.totals.articles.total, 'every article page is reachable by links');
    for (const p of ['feeds/', 'archive/', 'categories/zh/', 'page/2/', 'archive/2026/10/']) assert.ok(visited.has(root + p), p);
    assert.ok([...assets.keys()].some((a) => a.endsWith('.webp')), 'WebP images were checked');
    assert.deepEqual(problems, []);

    // A missing page gets the 404 page, styled (its links are absolute paths).
    const missing = await page.goto(`${root}no/such/page/`);
    assert.equal(missing?.status(), 404);
    assert.equal(await page.textContent('h1'), 'Page not found');
    await context.close();
  });

  test('search finds an article by an English word and by a Chinese word, and marks the words', async () => {
    const { page, problems } = await newPage();
    // From the search box in the header of any page.
    await page.goto(server.url);
    await page.fill('#search-q', 'libvips');
    await page.press('#search-q', 'Enter');
    await page.waitForURL(/\/digest\/search\/\?q=libvips$/);
    const enResult = page.locator('.pagefind-ui__result-link', { hasText: EN_TITLE });
    await enResult.waitFor({ timeout: 20_000 });
    assert.ok((await page.locator('.pagefind-ui__result-excerpt mark').count()) > 0, 'the excerpt highlights the word');
    assert.equal(await page.locator('#search-fallback').count(), 0, 'the no-JavaScript notice is gone');
    assert.match((await enResult.getAttribute('href')) ?? '', /^\/digest\/articles\/[0-9a-f]{32}\/\?highlight=libvips$/);

    // Chinese: the page is English; the zh-cn index is merged in and segments the query.
    await page.goto(`${server.url}search/?q=${encodeURIComponent(ZH_WORD)}`);
    const zhResult = page.locator('.pagefind-ui__result-link', { hasText: ZH_TITLE });
    await zhResult.waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.pagefind-ui__result-excerpt mark', { hasText: ZH_WORD }).first().textContent(), ZH_WORD);
    // The result opens the article with the word marked in it.
    await zhResult.click();
    await page.waitForURL(/\/digest\/articles\/[0-9a-f]{32}\/\?highlight=/);
    await page.locator('mark.search-hit').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('mark.search-hit').first().textContent(), ZH_WORD);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-cn');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('reading state: an opened article is marked as read in lists (localStorage)', async () => {
    const { page, problems } = await newPage();
    await page.goto(server.url);
    assert.equal(await page.locator('.card.read').count(), 0);
    await page.click(`text=${EN_TITLE}`);
    await page.waitForURL(/\/articles\//);
    await page.goto(server.url);
    const read = page.locator('.card.read');
    assert.equal(await read.count(), 1);
    assert.equal((await read.locator('.card-title').textContent())?.trim(), EN_TITLE);
    assert.equal(await read.locator('.read-mark').textContent(), 'Read');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('every page works without JavaScript', async () => {
    const { page, problems } = await newPage({ javaScriptEnabled: false });
    await page.goto(server.url);
    assert.ok((await page.locator('.card').count()) >= 10);
    await page.click(`text=${EN_TITLE}`);
    assert.ok(await page.locator('.content img').first().isVisible());
    await page.click('.prev-next a >> nth=0');
    assert.match(page.url(), /\/articles\/[0-9a-f]{32}\/$/);
    await page.goto(`${server.url}page/2/`);
    assert.ok((await page.locator('.card').count()) > 0);
    await page.fill('#search-q', 'libvips');
    await page.press('#search-q', 'Enter');
    await page.waitForURL(/\/search\/\?q=libvips$/);
    assert.ok(await page.getByText('Search runs in your browser and needs JavaScript').isVisible());
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('axe-core: no serious or critical accessibility violation (home, feed, article, search; light and dark)', async () => {
    const axe = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    const ids = await articleIds();
    const pages = ['', 'feeds/tech-blog/', `articles/${ids.en}/`, `articles/${ids.zh}/`, `search/?q=libvips`, 'feeds/'];
    const found: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems } = await newPage({ colorScheme });
      // Dark mode changes colours only: the contrast of the three main pages is what it can break.
      for (const p of colorScheme === 'light' ? pages : pages.slice(0, 3)) {
        await page.goto(server.url + p, { waitUntil: 'load' });
        if (p.startsWith('search/')) await page.locator('.pagefind-ui__result').first().waitFor();
        // page.evaluate runs outside the page's CSP, which would refuse an injected <script>.
        await page.evaluate(axe);
        const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as {
          id: string;
          impact: string;
          nodes: { target: string[] }[];
        }[];
        for (const v of violations) {
          if (v.impact === 'serious' || v.impact === 'critical') found.push(`${colorScheme} /${p}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
        }
      }
      assert.deepEqual(problems, []);
      await page.context().close();
    }
    assert.deepEqual(found, []);
  });

  test('screenshots at 375 and 1280 px, light and dark, with no layout shift; nothing scrolls sideways at 320 px', async () => {
    const ids = await articleIds();
    const shots = [
      { name: 'home', path: '' },
      { name: 'feed', path: 'feeds/tech-blog/' },
      { name: 'article', path: `articles/${ids.en}/` },
      { name: 'article-zh', path: `articles/${ids.zh}/` },
    ];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [375, 1280]) {
        const height = width === 375 ? 812 : 800;
        const { page, problems } = await newPage({ colorScheme, viewport: { width, height } });
        for (const shot of shots) {
          await page.goto(server.url + shot.path, { waitUntil: 'load' });
          await page.evaluate('document.fonts.ready');
          const shift = (await page.evaluate(`new Promise((resolve) => {
            let sum = 0;
            new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; })
              .observe({ type: 'layout-shift', buffered: true });
            setTimeout(() => resolve(sum), 100);
          })`)) as number;
          assert.ok(shift < 0.01, `${shot.name} ${width}px: cumulative layout shift ${shift}`);
          const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
          assert.equal(overflow, 0, `${shot.name} ${width}px scrolls sideways`);
          const file = path.join(screenshotDir, `${shot.name}-${width}-${colorScheme}.png`);
          await page.screenshot({ path: file });
          const meta = await sharp(file).metadata();
          assert.equal(meta.width, width);
          const { channels } = await sharp(file).stats();
          assert.ok(channels.some((c) => c.stdev > 10), `${file} is not blank`);
        }
        // The page background follows the colour scheme.
        const bg = (await page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
        const [r] = bg.match(/\d+/g)!.map(Number);
        assert.ok(colorScheme === 'dark' ? r! < 60 : r! > 200, `${colorScheme}: ${bg}`);
        assert.deepEqual(problems, []);
        await page.context().close();
      }
    }
    // The narrowest phones: nothing may scroll sideways.
    const { page } = await newPage({ viewport: { width: 320, height: 640 } });
    for (const p of ['', 'feeds/', 'feeds/zh-news-gbk/', `articles/${ids.zh}/`, 'search/?q=libvips']) {
      await page.goto(server.url + p, { waitUntil: 'load' });
      if (p.startsWith('search/')) await page.locator('.pagefind-ui__result').first().waitFor();
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.equal(overflow, 0, `/${p} at 320px scrolls sideways`);
    }
    await page.context().close();
  });
});

/** An English and a Chinese article with images, from the built JSON. */
async function articleIds(): Promise<{ en: string; zh: string }> {
  const all = JSON.parse(await readFile(path.join(site.out, 'api', 'all.json'), 'utf8')) as { items: { id: string; title: string }[] };
  const en = all.items.find((i) => i.title === EN_TITLE);
  const zh = all.items.find((i) => i.title === ZH_TITLE);
  assert.ok(en && zh, 'the demo articles the test looks for exist');
  return { en: en.id, zh: zh.id };
}
