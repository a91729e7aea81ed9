/**
 * The whole build, as a user runs it: the demo feeds served by a real HTTP
 * server on 127.0.0.1, a config with a project-site path prefix, real
 * fetching, sharp, Eleventy and files on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { build } from '../../src/build.ts';
import { startFixtureServer, type FixtureServer } from '../../scripts/fixture-server.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const DEMO_FEEDS = path.join(REPO_ROOT, 'demo', 'feeds');
const SITE_URL = 'https://user.github.io/repo/';

async function demoConfig(dir: string, server: FixtureServer, extraFeeds: object[] = []): Promise<string> {
  const template = JSON.parse((await readFile(path.join(REPO_ROOT, 'demo', 'feeds.json'), 'utf8')).replaceAll('__ORIGIN__', server.origin));
  template.site.url = SITE_URL;
  delete template.$schema;
  template.feeds.push(...extraFeeds);
  const file = path.join(dir, 'feeds.json');
  await writeFile(file, JSON.stringify(template, null, 2));
  return file;
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('a cold build writes the site, the JSON archive and WebP images; a warm build fetches nothing new', async (t) => {
  const dir = await tempDir(t);
  const server = await startFixtureServer(DEMO_FEEDS);
  t.after(() => server.close());
  const config = await demoConfig(dir, server);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');

  const { report } = await build({ config, out, cache, quiet: true });

  // Every feed fetched and parsed, GBK included.
  assert.deepEqual(
    report.feeds.map((f) => [f.id, f.outcome, f.error?.message ?? null]),
    [
      ['tech-blog', 'fetched', null],
      ['design-notes', 'fetched', null],
      ['science-rdf', 'fetched', null],
      ['zh-news-gbk', 'fetched', null],
      ['podcast', 'fetched', null],
    ],
  );
  assert.equal(report.feeds.find((f) => f.id === 'zh-news-gbk')!.charset, 'gb18030');
  assert.equal(report.totals.articles.new, 31);
  assert.equal(report.totals.images.failed, 0);
  assert.ok(report.totals.images.converted >= 15, `converted ${report.totals.images.converted}`);

  const written = await files(out);
  for (const p of ['index.html', 'feeds/tech-blog/index.html', 'api/all.json', 'api/feeds.json', 'api/report.json', 'api/feeds/zh-news-gbk.json', 'feed.xml', 'feeds.opml', 'sitemap.xml', '404.html', 'style.css']) {
    assert.ok(written.includes(p), `${p} is written`);
  }

  // JSON Feed archive: ids are the MD5 of the absolute link, `_digest` per CONTRACT.md.
  const all = JSON.parse(await readFile(path.join(out, 'api/all.json'), 'utf8'));
  assert.equal(all.version, 'https://jsonfeed.org/version/1.1');
  assert.equal(all.items.length, 31);
  const dates = all.items.map((i: { date_published: string }) => i.date_published);
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
  for (const item of all.items) {
    assert.match(item.id, /^[0-9a-f]{32}$/);
    assert.equal(item.id, item._digest.link_md5);
    if (item.url) assert.equal(item.id, md5(item.url));
    assert.ok(written.includes(`articles/${item.id}/index.html`), `article page for ${item.id}`);
    for (const [source, optimized] of Object.entries(item._digest.images as Record<string, string>)) {
      assert.match(source, /^http:\/\/127\.0\.0\.1:\d+\//);
      assert.ok(optimized.startsWith(`${SITE_URL}img/`) && optimized.endsWith('.webp'), optimized);
      assert.ok(item.content_html.includes(optimized), 'content_html points at the optimized image');
    }
    if (item._digest.cover) {
      const c = item._digest.cover;
      assert.ok(c.width > 0 && c.height > 0 && c.bytes > 0 && c.source_bytes > 0 && c.source_url.startsWith('http'));
    }
  }
  // The same images in an article page (under the site's path) and in the Atom document (absolute).
  const withImage = all.items.find((i: { _digest: { images: object } }) => Object.keys(i._digest.images).length > 0);
  const optimized = Object.values(withImage._digest.images as Record<string, string>)[0]!;
  const articlePage = await readFile(path.join(out, `articles/${withImage.id}/index.html`), 'utf8');
  assert.ok(articlePage.includes(`src="${new URL(optimized).pathname}"`), 'the article page links the image under the base path');
  assert.ok((await readFile(path.join(out, 'feed.xml'), 'utf8')).includes(`src=&quot;${optimized}&quot;`), 'feed.xml links it absolutely');
  const zh = JSON.parse(await readFile(path.join(out, 'api/feeds/zh-news-gbk.json'), 'utf8'));
  assert.ok(zh.items.some((i: { title: string }) => i.title === '国产大模型厂商密集发布推理模型，价格战进入“毫秒级”竞争'), 'GBK titles decode');

  // Images: real WebP files, referenced with width and height, under the path prefix.
  const webps = written.filter((f) => f.endsWith('.webp'));
  assert.ok(webps.length >= 15);
  for (const f of webps.slice(0, 5)) {
    const meta = await sharp(path.join(out, f)).metadata();
    assert.equal(meta.format, 'webp');
  }
  const gif = report.images.find((i) => i.url.endsWith('spinner.gif'));
  assert.ok(gif && gif.bytes, 'the animated GIF was converted');
  const anim = Object.entries(all.items.find((i: { _digest: { images: Record<string, string> } }) => Object.keys(i._digest.images).some((u) => u.endsWith('spinner.gif')))._digest.images).find(([u]) => u.endsWith('spinner.gif'))![1] as string;
  const animMeta = await sharp(path.join(out, anim.slice(SITE_URL.length)), { animated: true }).metadata();
  assert.ok((animMeta.pages ?? 1) > 1, 'animation kept');

  // Pages: sanitized content, every internal link under /repo/, images sized.
  const techItem = all.items.find((i: { _digest: { feed_id: string } }) => i._digest.feed_id === 'tech-blog');
  const page = await readFile(path.join(out, `articles/${techItem.id}/index.html`), 'utf8');
  const content = page.slice(page.indexOf('<div class="content">'), page.indexOf('</article>'));
  assert.doesNotMatch(content, /<script|onclick=|onerror=|javascript:/i);
  for (const img of content.match(/<img\b[^>]*>/g) ?? []) {
    if (!/referrerpolicy/.test(img)) assert.match(img, /width="\d+" height="\d+"/);
  }
  for (const f of written.filter((x) => x.endsWith('.html'))) {
    const html = await readFile(path.join(out, f), 'utf8');
    for (const [, href] of html.matchAll(/<\w+[^<>]*?\s(?:href|src)="(\/[^"]*)"/g)) {
      assert.ok(href!.startsWith('/repo/'), `${f}: ${href} is under the path prefix`);
    }
  }

  // Warm build: conditional requests, nothing parsed, nothing downloaded or converted.
  const searchKey = path.join(cache, 'render', 'search', '1', 'key.json');
  const keyBefore = await stat(searchKey);
  const pagefindBefore = (await files(path.join(out, 'pagefind'))).sort();
  const before = server.requests.length;
  const second = await build({ config, out, cache, quiet: true });
  const requests = server.requests.slice(before);
  assert.deepEqual(second.report.feeds.map((f) => f.outcome), Array(5).fill('not-modified'));
  assert.ok(requests.every((r) => /\.(xml|atom|json)$/.test(r.path)), `only feeds requested: ${requests.map((r) => r.path).join(' ')}`);
  assert.ok(requests.every((r) => r.ifNoneMatch), 'conditional requests');
  assert.equal(second.report.totals.images.converted, 0);
  assert.equal(second.report.totals.articles.total, 31);
  assert.equal((await files(out)).filter((f) => f.endsWith('.webp')).length, webps.length, 'the same images are published');
  // Nothing searchable changed: the search bundle is reused, not built again.
  assert.equal((await stat(searchKey)).mtimeMs, keyBefore.mtimeMs, 'the search index was not rebuilt');
  assert.deepEqual((await files(path.join(out, 'pagefind'))).sort(), pagefindBefore);
});

test('a failing feed is reported and the others go on; archived articles survive', async (t) => {
  const dir = await tempDir(t);
  let gone = false;
  const server = await startFixtureServer(DEMO_FEEDS, [
    (req, res) => {
      if (req.url === '/missing.xml') return void res.writeHead(404).end('nope'), true;
      if (req.url === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>hi</body></html>'), true;
      if (req.url === '/tech-blog.xml' && gone) return void res.writeHead(503).end(), true;
      return false;
    },
  ]);
  t.after(() => server.close());
  const config = await demoConfig(dir, server, [
    { id: 'missing', url: `${server.origin}/missing.xml` },
    { id: 'html-page', url: `${server.origin}/page.html` },
  ]);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const t0 = new Date('2026-11-20T08:00:00Z');
  const { report } = await build({ config, out, cache, quiet: true, now: t0, http: { retryBaseMs: 10 } });
  const byId = Object.fromEntries(report.feeds.map((f) => [f.id, f]));
  assert.equal(byId.missing!.outcome, 'failed');
  assert.equal(byId.missing!.status, 404);
  assert.match(byId.missing!.error!.message, /missing\.xml.*404/);
  assert.equal(byId['html-page']!.error!.code, 'not-a-feed');
  assert.equal(report.totals.feeds.fetched, 5);
  const techTotal = byId['tech-blog']!.total;

  // The publisher's server fails: nothing archived is lost, the failure is on the feed's page.
  gone = true;
  const again = await build({ config, out, cache, quiet: true, now: new Date(t0.getTime() + 3600_000), http: { retryBaseMs: 10 } });
  const tech = again.report.feeds.find((f) => f.id === 'tech-blog')!;
  assert.equal(tech.outcome, 'failed');
  assert.equal(tech.status, 503);
  const feedJson = JSON.parse(await readFile(path.join(out, 'api/feeds/tech-blog.json'), 'utf8'));
  assert.equal(feedJson.items.length, techTotal);
  const feedsJson = JSON.parse(await readFile(path.join(out, 'api/feeds.json'), 'utf8'));
  const entry = feedsJson.feeds.find((f: { id: string }) => f.id === 'tech-blog');
  assert.equal(entry.last_fetch.status, 503);
  assert.match(entry.last_fetch.error, /503/);
  assert.equal(entry.articles.total, techTotal);
  const feedPage = await readFile(path.join(out, 'feeds/tech-blog/index.html'), 'utf8');
  assert.match(feedPage, /Failing/);
  const health = (id: string) => feedsJson.feeds.find((f: { id: string }) => f.id === id).health;
  assert.equal(health('missing').failing_since, t0.toISOString(), 'a feed that never worked has failed since its first build');
  assert.equal(health('missing').stale, false);

  // Eight days on: failing for more than 7 days is flagged, whether the feed ever worked or not.
  await build({ config, out, cache, quiet: true, now: new Date(t0.getTime() + 8 * 86_400_000), http: { retryBaseMs: 10 } });
  const later = JSON.parse(await readFile(path.join(out, 'api/feeds.json'), 'utf8'));
  const stale = Object.fromEntries(later.feeds.map((f: { id: string; health: { stale: boolean } }) => [f.id, f.health.stale]));
  assert.deepEqual([stale.missing, stale['tech-blog'], stale['science-rdf']], [true, true, false]);
});

test('the CLI: exit 2 naming the file and JSON path for a bad config; --strict exits 1 on a failed feed', async (t) => {
  const dir = await tempDir(t);
  const bin = path.join(REPO_ROOT, 'bin', 'feed-digest.js');
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ site: { titel: 'typo' }, feeds: [{ id: 'a', url: 'ftp://x' }, { id: 'a', url: 'http://ok.example/' }] }));
  const failed = await run(process.execPath, [bin, 'build', '--config', bad, '--out', path.join(dir, 'o'), '--cache', path.join(dir, 'c')]).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  );
  assert.ok(failed, 'a bad config fails');
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, new RegExp(bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(failed.stderr, /site: .*"titel"/);
  assert.match(failed.stderr, /feeds\[0\]\.url/);
  assert.match(failed.stderr, /feeds\[1\]\.id: duplicate id "a"/);

  const usage = await run(process.execPath, [bin, 'build', '--concurrency', 'lots']).then(() => null, (err: { code: number; stderr: string }) => err);
  assert.equal(usage?.code, 2);
  assert.match(usage!.stderr, /--concurrency/);

  const server = await startFixtureServer(DEMO_FEEDS);
  t.after(() => server.close());
  const config = path.join(dir, 'one.json');
  await writeFile(config, JSON.stringify({ site: { url: SITE_URL }, fetch: { allowPrivateNetworks: true }, feeds: [{ url: `${server.origin}/science-rdf.xml` }, { url: `${server.origin}/nope.xml` }] }));
  // --no-restore: site.url is not served here, and an empty --cache would otherwise be restored from it.
  const args = ['build', '--config', config, '--out', path.join(dir, 'site'), '--cache', path.join(dir, 'cache'), '--quiet', '--no-restore'];
  const ok = await run(process.execPath, [bin, ...args]);
  assert.equal(ok.stdout, '');
  const strict = await run(process.execPath, [bin, ...args, '--strict']).then(() => null, (err: { code: number }) => err);
  assert.equal(strict?.code, 1, '--strict fails on the 404 feed');
  const feeds = JSON.parse(await readFile(path.join(dir, 'site', 'api', 'feeds.json'), 'utf8'));
  assert.deepEqual(feeds.feeds.map((f: { id: string }) => f.id), ['127-0-0-1-science-rdf', '127-0-0-1-nope'], 'ids derived from URLs');

  const help = await run(process.execPath, [bin, 'help']);
  assert.match(help.stdout, /feed-digest build \[--config feeds\.json\]/);
});
