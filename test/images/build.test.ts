/**
 * Content and images through a whole build, as a user runs it: a feed on a
 * loopback server whose articles carry every kind of image trouble, a real
 * build (fetch, sanitize, download, sharp, Eleventy). Assertions on the
 * written site: rewritten HTML, WebP files, no SVG, covers, the favicon
 * fallback in api/feeds.json, per-image figures in api/report.json, a warm
 * build that fetches no image, and pruning when articles leave the archive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { load } from 'cheerio';
import { build } from '../../src/build.ts';
import { tempDir } from '../support/tmp.ts';
import { IMAGES, startImageServer } from './servers.ts';
import { encodeIco } from './encode.ts';

const SITE = 'https://user.github.io/repo/';

function feedXml(origin: string, second: boolean): string {
  const item1 = `<item>
      <title><![CDATA[Every kind of <b>image</b> &lt;script&gt;alert("t")&lt;/script&gt;]]></title>
      <author>ed@pictures.example (<i>Ed</i> &amp; Co)</author>
      <link>${origin}/articles/one.html</link>
      <guid>${origin}/articles/one.html</guid>
      <pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
      <media:thumbnail url="${origin}/photo.jpg" width="1200" height="800"/>
      <description><![CDATA[
        <p>Intro</p>
        <p><img src="${origin}/alpha.png" alt="first"></p>
        <p><img src="${origin}/photos/2024/header.gif" alt="pixel behind a normal URL"></p>
        <p><img data-src="${origin}/anim.gif" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></p>
        <p><img src="${origin}/script.svg"></p>
        <p><img src="${origin}/own-referer/photo.tiff"></p>
        <p><img src="${origin}/html-as.jpg" width="300" height="100"></p>
        <p><img src="${origin}/photo.bmp"></p>
        <p><a href="${origin}/x?utm_source=rss&amp;id=4" onclick="evil()">link</a><script>evil()</script></p>
      ]]></description>
    </item>`;
  const item2 = `<item>
      <title>No thumbnail</title>
      <link>${origin}/articles/two.html</link>
      <guid>${origin}/articles/two.html</guid>
      <pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
      <description><![CDATA[<p><img src="${origin}/tiny.png"> <img src="${origin}/wide.jpg"> <img src="${origin}/photo.avif"></p>]]></description>
    </item>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title><![CDATA[Pictures <em>&amp;</em> more]]></title>
    <link>${origin}/</link>
    <description>images</description>
    ${item1}
    ${second ? item2 : ''}
  </channel>
</rss>`;
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test('a build: rewritten HTML, WebP only, covers, favicon icon, report figures; warm build; pruning', async (t) => {
  const dir = await tempDir(t);
  let withSecond = true;
  const server = await startImageServer([
    (req, res, origin) => {
      if (req.url === '/feed.xml') {
        const body = feedXml(origin, withSecond);
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: `"${withSecond ? 2 : 1}"` }).end(body);
        return true;
      }
      return false;
    },
    async (req, res) => {
      // A spacer GIF behind a URL that looks like a photo: only its bytes tell.
      if (req.url !== '/photos/2024/header.gif') return false;
      res.writeHead(200, { 'content-type': 'image/gif' }).end(await readFile(path.join(IMAGES, 'spacer.gif')));
      return true;
    },
  ]);
  t.after(() => server.close());
  const png = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 10, g: 160, b: 90, alpha: 1 } } }).png().toBuffer();
  server.favicon = encodeIco([{ width: 32, height: 32, bpp: 32, data: png }]);

  const writeConfig = async (extra: object = {}) => {
    const file = path.join(dir, 'feeds.json');
    await writeFile(file, JSON.stringify({ site: { title: 'T', url: SITE }, fetch: { allowPrivateNetworks: true }, feeds: [{ id: 'pics', url: `${server.origin}/feed.xml` }], ...extra }));
    return file;
  };
  const config = await writeConfig();
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const lines: string[] = [];
  const { report } = await build({ config, out, cache, log: (l) => lines.push(l), http: { retryBaseMs: 5 } });
  const o = server.origin;

  // The article page: rewritten images.
  const all = JSON.parse(await readFile(path.join(out, 'api/all.json'), 'utf8'));
  const one = all.items.find((i: { url: string }) => i.url.endsWith('one.html'));
  const two = all.items.find((i: { url: string }) => i.url.endsWith('two.html'));
  const page = await readFile(path.join(out, `articles/${one.id}/index.html`), 'utf8');
  const $ = load(page);
  const content = $('.content').length ? $('.content') : $('article');
  const imgs = content.find('img').toArray().map((el) => ({ ...el.attribs }));
  const srcs = imgs.map((i) => i.src!);
  assert.ok(!srcs.some((s) => s.includes('header.gif')), 'the 1×1 GIF behind a normal URL is gone');
  assert.ok(!srcs.some((s) => s.endsWith('.svg')), 'no SVG served');
  // Titles, author and feed names are plain text, escaped on the page.
  assert.equal(one.title, 'Every kind of image <script>alert("t")</script>');
  assert.doesNotMatch(page, /<script>alert\("t"\)|<b>image<\/b>|<em>&amp;<\/em>|<i>Ed<\/i>/);
  assert.match(page, /&lt;script&gt;alert/);
  const ours = imgs.filter((i) => i.src!.startsWith('/repo/img/'));
  assert.equal(ours.length, 5, `alpha, anim, svg, tiff, bmp: ${srcs.join(' ')}`);
  for (const i of ours) {
    assert.match(i.src!, /^\/repo\/img\/[0-9a-f]{2}\/[0-9a-f]{24}-\d+\.webp$/);
    assert.match(i.width!, /^\d+$/);
    assert.match(i.height!, /^\d+$/);
  }
  assert.equal(imgs[0]!.alt, 'first');
  assert.equal(imgs[0]!.loading, undefined, 'the first image is not lazy');
  assert.ok(imgs.slice(1).every((i) => i.loading === 'lazy' && i.decoding === 'async'));
  const remote = imgs.find((i) => i.src === `${o}/html-as.jpg`)!;
  assert.equal(remote.referrerpolicy, 'no-referrer');
  assert.deepEqual([remote.width, remote.height], ['300', '100']);
  assert.doesNotMatch(content.html()!, /onclick|<script|utm_source/);
  assert.match(content.html()!, /rel="noopener noreferrer nofollow"/);

  // WebP files only (the site's own favicon.svg is ours, not a feed's).
  const written = await files(out);
  assert.ok(written.filter((f) => f.startsWith('img/')).every((f) => f.endsWith('.webp')));
  assert.deepEqual(written.filter((f) => f.endsWith('.svg')), ['favicon.svg']);
  for (const i of ours) {
    const meta = await sharp(path.join(out, i.src!.slice('/repo/'.length)), { animated: true }).metadata();
    assert.equal(meta.format, 'webp');
    assert.equal(String(meta.width), i.width);
  }
  const anim = ours.find((i) => (one._digest.images[`${o}/anim.gif`] as string).endsWith(i.src!.slice('/repo/'.length)))!;
  assert.equal((await sharp(path.join(out, anim.src!.slice('/repo/'.length)), { animated: true }).metadata()).pages, 5);

  // Covers: the feed's thumbnail; else the first content image ≥ 200 px (not the 10 px one).
  assert.equal(one._digest.cover.source_url, `${o}/photo.jpg`);
  assert.equal(two._digest.cover.source_url, `${o}/wide.jpg`);
  assert.equal(two._digest.cover.width, 1600);

  // Icon: no feed image, so the site's favicon.ico, converted.
  const feeds = JSON.parse(await readFile(path.join(out, 'api/feeds.json'), 'utf8'));
  const pics = feeds.feeds.find((f: { id: string }) => f.id === 'pics');
  assert.equal(pics.title, 'Pictures & more');
  assert.equal(pics.icon_source_url, `${o}/favicon.ico`);
  assert.match(pics.icon, /^https:\/\/user\.github\.io\/repo\/img\/.*\.webp$/);
  const iconMeta = await sharp(path.join(out, pics.icon.slice(SITE.length))).metadata();
  assert.deepEqual([iconMeta.format, iconMeta.width], ['webp', 32]);
  const feedPage = await readFile(path.join(out, 'feeds/pics/index.html'), 'utf8');
  assert.ok(feedPage.includes(pics.icon.slice(SITE.length - '/repo/'.length)), 'the icon is shown on the feed page');

  // Figures per image in api/report.json, totals in the terminal summary.
  const saved = JSON.parse(await readFile(path.join(out, 'api/report.json'), 'utf8'));
  const fig = (u: string) => saved.images.find((i: { url: string }) => i.url === u);
  const tiff = fig(`${o}/own-referer/photo.tiff`);
  assert.equal(tiff.outcome, 'converted');
  assert.equal(tiff.referer, `${o}/articles/one.html`, 'the article page was the Referer that worked');
  assert.deepEqual(tiff.attempts.map((a: { status: number }) => a.status), [403, 200]);
  assert.ok(tiff.sourceBytes > 100_000);
  assert.deepEqual(tiff.variants.map((v: { width: number }) => v.width), [480, 960, 1200]);
  assert.ok(tiff.variants.every((v: { bytes: number }) => v.bytes > 0));
  assert.deepEqual([tiff.width, tiff.height], [1200, 800]);
  assert.ok(tiff.convertMs >= 0 && tiff.downloadMs >= 0);
  assert.equal(fig(`${o}/photos/2024/header.gif`).outcome, 'placeholder');
  assert.equal(fig(`${o}/html-as.jpg`).error.code, 'image-unsupported');
  assert.equal(report.totals.images.failed, 1);
  assert.equal(report.totals.images.placeholder, 1);
  assert.ok(report.totals.images.sourceBytes > report.totals.images.bytes);
  assert.ok(report.totals.images.perSecond! > 0);
  const summary = lines.join("\n");
  assert.match(summary, /Images: \d+ converted.*1 failed, 1 placeholders dropped.*\(.+ → .+, saved .+, \d+% smaller, [\d.]+ images\/s\)/);

  // Warm build: no image requested, nothing converted.
  const imageRequests = () => server.requests.filter((r) => r.path !== '/feed.xml').length;
  const before = imageRequests();
  const warm = await build({ config, out, cache, quiet: true, http: { retryBaseMs: 5 } });
  assert.equal(imageRequests(), before, 'no image fetched again (the failed one waits out its back-off)');
  assert.equal(warm.report.totals.images.converted, 0);

  // The second article leaves the archive: its images leave the cache and the site.
  const twoImages = Object.values(two._digest.images as Record<string, string>).map((u) => u.slice(SITE.length));
  assert.ok(twoImages.length === 3 && twoImages.every((p) => written.includes(p)));
  withSecond = false;
  await writeConfig({ archive: { maxItemsPerFeed: 1 } });
  const pruned = await build({ config, out, cache, quiet: true, http: { retryBaseMs: 5 } });
  assert.equal(pruned.report.totals.articles.total, 1);
  assert.equal(pruned.report.totals.images.pruned, 3, 'tiny.png, wide.jpg, photo.avif');
  const after = await files(out);
  for (const p of twoImages) assert.ok(!after.includes(p), `${p} left the site`);
  const cached = await files(path.join(cache, 'images', 'files'));
  for (const p of twoImages) assert.ok(!cached.includes(p.replace(/^img\//, '')), `${p} left the cache`);
  assert.ok(cached.length > 0 && cached.every((f) => f.endsWith('.webp')));
});
