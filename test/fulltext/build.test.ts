/**
 * Full text, end to end (issue 21): a summary-only RSS feed whose items link
 * to realistic article pages (test/fixtures/fulltext/: header, navigation,
 * cookie banner, sidebar, ads, comments, footer; English, Chinese in GBK,
 * Japanese) on a loopback publisher, built with `fullText: "auto"` by the
 * CLI, then rebuilt through the API with a moving clock:
 *
 * 1. the first build (the CLI, exit 0): every page fetched once, politely
 *    spaced; extracted articles published in the JSON archive and on the
 *    article pages with every paragraph of the body and none of the
 *    boilerplate, images local WebP (one behind hotlink protection that
 *    wants the article page as Referer, one relative to a <base href>),
 *    the feed's text as `summary`; nothing executable left of the script
 *    payload (static checks, then Chromium with the CSP bypassed); a 404, a
 *    PDF, a too-short page, a login wall and a consent wall fall back to the
 *    feed's text with their reasons in the report and api/report.json;
 * 2. a rebuild a minute later fetches no page;
 * 3. two hours later the fallbacks are tried again (back-off), and a page
 *    that now exists is extracted;
 * 4. with the cache lost, a build restores from the deployed site and has
 *    every extraction back without fetching a page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { load, type CheerioAPI } from 'cheerio';
import { chromium } from 'playwright-core';
import { build } from '../../src/build.ts';
import { serveSite } from '../../src/serve/index.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';
import { createAjv, describeErrors, jsonFeedValidator } from '../render/json-schema.ts';
import { loadCases, startPublisher, type FeedItem } from './publisher.ts';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin', 'feed-digest.js');
const T0 = Date.now();
const PAGE_DELAY_MS = 150;

interface Item {
  id: string;
  url: string;
  title: string;
  content_html: string;
  summary: string;
  image?: string;
  _digest: {
    images: Record<string, string>;
    full_text?: { source_url: string; fetched_at: string | null; error: { code: string; message: string } | null; failures: number; retry_after: string | null };
  };
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const textOf = (html: string) => norm(load(html).text());

/** What could run in a reader's browser: script elements, handlers, script URLs, srcdoc, plugins. */
function executables($: CheerioAPI, scope: string): string[] {
  const found: string[] = [];
  $(scope).find('script, iframe[srcdoc], object, embed, base, meta, form').each((_, el) => void found.push(`<${el.tagName}>`));
  $(scope)
    .find('*')
    .each((_, el) => {
      for (const [name, value] of Object.entries((el as { attribs: Record<string, string> }).attribs)) {
        if (/^on/i.test(name)) found.push(`${el.tagName}[${name}]`);
        if (/^(href|src|srcset|action|formaction|xlink:href|data)$/i.test(name) && /^\s*(javascript|vbscript|data:text)/i.test(value)) found.push(`${el.tagName}[${name}=${value}]`);
      }
    });
  return found;
}

test('full text: pages fetched once, extracted, sanitized, images local; failures fall back with reasons; a rebuild fetches nothing; restore keeps the extractions', async (t) => {
  const cases = await loadCases();
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const site = await serveSite({ root: out, basePath: '/news/', port: 0, host: '127.0.0.1' });
  t.after(() => site.close());

  const day = (d: number) => new Date(Date.UTC(2026, 1, d, 8)).toISOString();
  const items: FeedItem[] = [
    { page: '/fulltext/en-article.html', title: 'Bike lanes approved', summary: 'The council voted for a protected cycle route.', published: day(10) },
    { page: '/fulltext/en-div.html', title: 'Spot instances', summary: 'How we cut our CI bill by sixty per cent.', published: day(9) },
    { page: '/fulltext/zh-gbk.html', title: '国产大模型厂商密集发布推理模型', summary: '多家厂商发布推理模型并下调价格。', published: day(8) },
    { page: '/fulltext/ja-article.html', title: '観光列車で利用者が回復', summary: '観光列車の効果で利用者が回復した。', published: day(7) },
    { page: '/fulltext/too-short.html', title: 'Watch: the new ferry', summary: 'The new ferry docked this morning.', published: day(6) },
    { page: '/fulltext/login-wall.html', title: 'The secret budget', summary: 'How the harbour board spent its reserves.', published: day(5) },
    { page: '/fulltext/consent-wall.html', title: 'Behind a consent page', summary: 'A story behind a consent page.', published: day(4) },
    { page: '/not-html', title: 'Annual report', summary: 'The annual report is out.', published: day(3) },
    { page: '/fulltext/en-article.html?edition=late', title: 'Bike lanes, late edition', summary: 'The late edition of the bike lane story.', published: day(2) },
    // The feed's text is the whole article: "auto" leaves its page alone.
    { page: '/fulltext/never-fetched.html', title: 'A full item', summary: `<p>${'This item comes with its whole text in the feed, so there is nothing to fetch. '.repeat(8)}</p>`, published: day(1) },
  ];
  const publisher = await startPublisher(items);
  t.after(() => publisher.close());
  publisher.missing.add('/fulltext/en-article.html?edition=late');
  const o = publisher.origin;
  const pageUrl = (p: string) => o + p;

  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'Harbour digest', url: site.url },
      fetch: { allowPrivateNetworks: true, pageDelaySeconds: PAGE_DELAY_MS / 1000, retries: 0 },
      feeds: [{ id: 'wire', url: `${o}/feed.xml`, fullText: 'auto' }],
    }),
  );

  // 1. The first build, as a user runs it.
  const cli = await run(process.execPath, [BIN, 'build', '--config', config, '--out', out, '--cache', cache, '--no-restore'], { cwd: dir });
  assert.match(cli.stderr, /Full text: 9 pages fetched \([^)]+\), 4 extracted, 5 fell back to the feed's text/);

  const pages = publisher.pageRequests();
  assert.deepEqual(pages.map((r) => r.path).sort(), items.slice(0, 9).map((i) => new URL(pageUrl(i.page)).pathname).sort(), 'each page of a summary item once; none for the full item');
  // Spaced by fetch.pageDelaySeconds (test/net/host-limiter.test.ts checks each gap; arrivals here also carry connection jitter).
  const arrivals = pages.map((r) => r.at).sort((a, b) => a - b);
  assert.ok(arrivals.at(-1)! - arrivals[0]! >= 8 * PAGE_DELAY_MS - 100, `9 pages to one host, ${PAGE_DELAY_MS} ms apart: ${arrivals.map((s) => s - arrivals[0]!).join(', ')}`);

  const report = JSON.parse(await readFile(path.join(out, 'api', 'report.json'), 'utf8'));
  const figures = report.feeds[0].fullText;
  assert.equal(report.feeds[0].outcome, 'fetched');
  assert.deepEqual([figures.fetched, figures.extracted, figures.fallback], [9, 4, 5]);
  assert.deepEqual(figures.reasons, { 'http-status': 1, 'not-html': 1, 'too-short': 1, 'login-wall': 1, 'consent-wall': 1 });
  assert.ok(figures.bytes > 15_000, `bytes fetched: ${figures.bytes}`);
  assert.deepEqual(report.totals.fullText.reasons, figures.reasons);
  const reasonOf = new Map<string, string>(figures.failures.map((f: { url: string; error: { code: string } }) => [f.url, f.error.code]));
  assert.deepEqual(Object.fromEntries(reasonOf), {
    [pageUrl('/fulltext/too-short.html')]: 'too-short',
    [pageUrl('/fulltext/login-wall.html')]: 'login-wall',
    [pageUrl('/fulltext/consent-wall.html')]: 'consent-wall',
    [pageUrl('/not-html')]: 'not-html',
    [pageUrl('/fulltext/en-article.html?edition=late')]: 'http-status',
  });

  const readItems = async (): Promise<Item[]> => JSON.parse(await readFile(path.join(out, 'api', 'feeds', 'wire.json'), 'utf8')).items;
  const first = await readItems();
  // The archive stays valid JSON Feed 1.1, and `_digest.full_text` (extracted and fallen back) follows api/digest.schema.json.
  const ajv = createAjv();
  const validateFeed = jsonFeedValidator(ajv);
  const digestSchema = JSON.parse(await readFile(path.join(out, 'api', 'digest.schema.json'), 'utf8')) as { $id: string };
  ajv.addSchema(digestSchema);
  const validateDigest = ajv.getSchema(`${digestSchema.$id}#/definitions/item`)!;
  assert.ok(validateFeed(JSON.parse(await readFile(path.join(out, 'api', 'feeds', 'wire.json'), 'utf8'))), describeErrors(validateFeed));
  for (const item of first) assert.ok(validateDigest(item._digest), `${item.url}: ${describeErrors(validateDigest)}`);
  const byPage = new Map(first.map((i) => [i.url, i]));
  const webp = async (url: string) => {
    assert.ok(url.startsWith(`${site.url}img/`) && url.endsWith('.webp'), `a local WebP: ${url}`);
    assert.ok((await stat(path.join(out, url.slice(site.url.length)))).size > 0);
  };

  for (const [file, c] of Object.entries(cases)) {
    if (c.expect !== 'extracted' || file === 'en-table-layout.html') continue;
    const item = byPage.get(pageUrl(`/fulltext/${file}`))!;
    const feedItem = items.find((i) => i.page === `/fulltext/${file}`)!;
    assert.equal(item.summary, feedItem.summary, `${file}: the feed's text is the summary`);
    assert.equal(item._digest.full_text?.source_url, pageUrl(`/fulltext/${file}`));
    assert.ok(item._digest.full_text?.fetched_at, `${file}: extracted`);
    const $article = load(await readFile(path.join(out, 'articles', item.id, 'index.html'), 'utf8'));
    for (const [where, text] of [['JSON archive', textOf(item.content_html)], ['article page', norm($article('article .content').text())]] as const) {
      for (const p of c.body!) assert.ok(text.includes(norm(p)), `${file} (${where}) holds: ${p}`);
      for (const b of c.boilerplate!) assert.ok(!text.includes(norm(b)), `${file} (${where}) has no boilerplate: ${b}`);
    }
    // Every image converted and published from the site, the lazy and the <base>-relative ones included.
    assert.deepEqual(Object.keys(item._digest.images).map((u) => new URL(u).pathname), c.images, `${file}: images`);
    const srcs = load(item.content_html)('img').map((_, el) => el.attribs.src!).get();
    assert.equal(srcs.length, c.images!.length, `${file}: every image kept`);
    for (const src of [...srcs, ...Object.values(item._digest.images)]) await webp(src);
    assert.equal(executables($article, 'article .content').length, 0, `${file}: nothing executable on the article page`);
  }
  assert.ok(byPage.get(pageUrl('/fulltext/en-article.html'))!.image, 'the extracted photo is the cover');
  await webp(byPage.get(pageUrl('/fulltext/en-article.html'))!.image!);
  const hotlinked = publisher.log.filter((r) => r.path === '/hotlink/photo.jpg');
  assert.equal(hotlinked.at(-1)!.referer, pageUrl('/fulltext/ja-article.html'), 'the article page is the last Referer tried');
  assert.equal(textOf(byPage.get(pageUrl('/fulltext/zh-gbk.html'))!.content_html).includes('本周，多家国产大模型厂商'), true, 'GBK declared by <meta> decoded');

  // The script payload in en-div's body: nothing of it survives.
  const payloadItem = byPage.get(pageUrl('/fulltext/en-div.html'))!;
  assert.deepEqual(executables(load(payloadItem.content_html), 'body'), [], 'JSON content_html');
  assert.ok(!/pwned/.test(payloadItem.content_html), 'no trace of the payload');

  // Fallbacks: the feed's text is the content, the reason is in the archive.
  for (const [p, code] of reasonOf) {
    const item = byPage.get(p)!;
    assert.equal(textOf(item.content_html), textOf(items.find((i) => pageUrl(i.page) === p)!.summary), `${p} falls back to the feed's text`);
    assert.equal(item._digest.full_text?.fetched_at, null);
    assert.equal(item._digest.full_text?.error?.code, code);
    assert.equal(item._digest.full_text?.failures, 1);
  }
  assert.equal(byPage.get(pageUrl('/fulltext/never-fetched.html'))!._digest.full_text, undefined, 'the full item is published as the feed gave it');

  const directory = load(await readFile(path.join(out, 'feeds', 'index.html'), 'utf8'));
  assert.match(directory('.feeds-table th').text(), /full text from the site/);
  assert.match(load(await readFile(path.join(out, 'feeds', 'wire', 'index.html'), 'utf8'))('.feed-facts').text(), /full text from the site/);

  // In a browser, with the site's CSP bypassed so the sanitizer stands alone: the payload never runs.
  // The raw page first, as control: there the payload does run.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ bypassCSP: true });
  const visit = async (url: string) => {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    await page.close();
  };
  const pwned = () => publisher.log.filter((r) => r.path.startsWith('/pwned')).length;
  await visit(pageUrl('/fulltext/en-div.html'));
  assert.ok(pwned() > 0, 'control: the raw page runs its payload');
  const before = pwned();
  await visit(`${site.url}articles/${payloadItem.id}/`);
  assert.equal(pwned(), before, 'the published article runs nothing');

  // 2. A minute later: the feed has nothing new, no page is fetched.
  let cut = publisher.log.length;
  const second = await build({ config, out, cache, quiet: true, now: new Date(T0 + 60_000), restoreFrom: false });
  assert.deepEqual(
    publisher.log.slice(cut).filter((r) => r.path !== '/feed.xml' && r.path !== '/favicon.ico'),
    [],
    'a rebuild with nothing new requests no page',
  );
  assert.equal(second.report.feeds[0]!.fullText!.fetched, 0);
  assert.equal(second.report.feeds[0]!.fullText!.waiting, 5, 'the fallbacks wait out their back-off');

  // 3. Two hours later: the back-off is over, the fallbacks are tried again; the late page now exists.
  publisher.missing.clear();
  cut = publisher.log.length;
  const third = await build({ config, out, cache, quiet: true, now: new Date(T0 + 2 * 3600_000), restoreFrom: false });
  assert.deepEqual(
    publisher.pageRequests(cut).map((r) => r.path).sort(),
    ['/fulltext/consent-wall.html', '/fulltext/en-article.html', '/fulltext/login-wall.html', '/fulltext/too-short.html', '/not-html'],
  );
  const f3 = third.report.feeds[0]!.fullText!;
  assert.deepEqual([f3.fetched, f3.extracted, f3.fallback], [5, 1, 4]);
  const afterRetry = await readItems();
  const late = afterRetry.find((i) => i.url === pageUrl('/fulltext/en-article.html?edition=late'))!;
  assert.ok(late._digest.full_text?.fetched_at && late._digest.full_text.error === null, 'extracted on retry');
  assert.ok(textOf(late.content_html).includes(norm(cases['en-article.html']!.body![0]!)));
  for (const src of Object.values(late._digest.images)) await webp(src);
  assert.equal(afterRetry.find((i) => i.url === pageUrl('/not-html'))!._digest.full_text?.failures, 2);

  // 4. The cache is lost: the deployed site brings every extraction back, and no page is fetched.
  await rm(cache, { recursive: true, force: true });
  cut = publisher.log.length;
  const restored = await build({ config, out, cache, quiet: true, now: new Date(T0 + 3 * 3600_000), restoreFrom: site.url });
  assert.ok(restored.report.steps.restore !== undefined, 'restored from the site');
  assert.deepEqual(
    publisher.log.slice(cut).filter((r) => r.path !== '/feed.xml' && r.path !== '/favicon.ico').map((r) => r.path),
    [],
    'no page (and no image) fetched again',
  );
  const after = await readItems();
  assert.deepEqual(
    after.map((i) => [i.id, i.content_html, i.summary, i._digest.full_text]),
    afterRetry.map((i) => [i.id, i.content_html, i.summary, i._digest.full_text]),
  );
  const state = JSON.parse(await readFile(path.join(cache, 'state', 'feeds', 'wire.json'), 'utf8'));
  const enArticle = state.articles.find((a: { link: string }) => a.link === pageUrl('/fulltext/en-article.html'));
  assert.ok(enArticle.fullText.fetchedAt, 'the archive knows the content is the extraction');
  assert.equal(enArticle.excerpt, items[0]!.summary, "and keeps the feed's text");
  assert.equal(restored.report.feeds[0]!.fullText!.waiting, 4);
});
