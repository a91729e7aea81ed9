/**
 * The image processor end to end against the loopback server: files written
 * under the cache (content-addressed, read back with sharp), per-image
 * figures, the index surviving between builds (nothing fetched twice),
 * failures remembered with a growing back-off, placeholders dropped, feed
 * icons with the favicon fallback, pruning that deletes files, and the
 * bound on downloaded bodies held in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createHttpClient, type HttpClient } from '../../src/net/http.ts';
import { createImageProcessor, iconCandidates, loadImageIndex, type ImageProcessor, type ImageProcessorOptions } from '../../src/images/index.ts';
import type { ImagesConfig } from '../../src/model/config.ts';
import { tempDir } from '../support/tmp.ts';
import { startImageServer, type ImageServer } from './servers.ts';
import { encodeDib, encodeIco } from './encode.ts';

const CONFIG: ImagesConfig = {
  quality: 75,
  effort: 4,
  maxWidth: 1600,
  widths: [480, 960, 1600],
  maxBytes: 5_000_000,
  maxPixels: 50_000_000,
  referers: {},
};
const NOW = new Date('2026-03-01T12:00:00Z');
const HOUR = 3600_000;

interface Rig {
  server: ImageServer;
  dir: string;
  client: HttpClient;
  /** A processor over the index saved by the previous one (a new build). */
  open(extra?: Partial<ImageProcessorOptions>): Promise<ImageProcessor>;
}

async function rig(t: { after(fn: () => unknown): void }): Promise<Rig> {
  const server = await startImageServer();
  const client = createHttpClient({ userAgent: 'feed-digest-test', retryBaseMs: 5 });
  const dir = await tempDir(t);
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return {
    server,
    dir,
    client,
    async open(extra = {}) {
      const { index } = await loadImageIndex(dir);
      return createImageProcessor({ config: CONFIG, client, dir, allowPrivateNetworks: true, timeoutMs: 5000, now: NOW, ...extra }, index);
    },
  };
}

async function cacheFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(dir, 'files'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(path.join(dir, 'files'), path.join(e.parentPath, e.name))).sort();
}

test('every fixture: WebP files on disk, figures per image, failures with reasons', async (t) => {
  const { server, dir, open } = await rig(t);
  const images = await open();
  const page = `${server.origin}/article/1`;
  const good = ['photo.jpg', 'wide.jpg', 'alpha.png', 'anim.gif', 'photo.webp', 'photo.avif', 'photo.tiff', 'photo.bmp', 'exif-rotated.jpg', 'tiny.png', 'script.svg'];
  const bad = ['corrupt.jpg', 'truncated.jpg', 'empty.jpg', 'html-as.jpg', 'huge-dims.png'];
  const results = await Promise.all([...good, ...bad].map((f) => images.process({ url: `${server.origin}/${f}`, pageUrl: page })));

  const byUrl = new Map(images.entries().map((e) => [e.url.slice(server.origin.length + 1), e]));
  for (const [i, f] of good.entries()) {
    const asset = results[i];
    assert.ok(asset, `${f} converted: ${byUrl.get(f)?.error?.message}`);
    const e = byUrl.get(f)!;
    assert.equal(e.outcome, 'converted', f);
    assert.ok(e.sourceBytes! > 0 && e.bytes! > 0 && e.convertMs !== null && e.downloadMs !== null, f);
    assert.deepEqual(e.attempts, [{ referer: null, status: 200, error: null }], f);
    assert.deepEqual(e.variantBytes, asset.variants.map((v) => v.bytes));
    for (const v of asset.variants) {
      assert.match(v.path, /^img\/[0-9a-f]{2}\/[0-9a-f]{24}-\d+\.webp$/);
      const meta = await sharp(images.filePath(v.path), { animated: true }).metadata();
      assert.equal(meta.format, 'webp', `${f} ${v.path}`);
      assert.equal(meta.width, v.width);
      assert.equal(meta.pageHeight ?? meta.height, v.height);
    }
  }
  assert.equal(results[good.indexOf('anim.gif')]!.animated, true);
  const gifFile = images.filePath(results[good.indexOf('anim.gif')]!.variants[0]!.path);
  assert.equal((await sharp(gifFile, { animated: true }).metadata()).pages, 5);
  assert.deepEqual([results[good.indexOf('exif-rotated.jpg')]!.width, results[good.indexOf('exif-rotated.jpg')]!.height], [200, 300]);
  assert.deepEqual(results[good.indexOf('wide.jpg')]!.variants.map((v) => v.width), [480, 960, 1600]);

  const expected: Record<string, string> = {
    'corrupt.jpg': 'image-decode',
    'truncated.jpg': 'image-decode',
    'empty.jpg': 'image-decode',
    'html-as.jpg': 'image-unsupported',
    'huge-dims.png': 'image-too-large',
  };
  for (const f of bad) {
    const e = byUrl.get(f)!;
    assert.equal(e.outcome, 'failed', f);
    assert.equal(e.error?.code, expected[f], `${f}: ${e.error?.message}`);
    assert.ok(e.error!.message.includes(f), 'the message names the URL');
  }

  // Nothing but WebP in the cache: the SVG became a raster.
  const files = await cacheFiles(dir);
  assert.ok(files.length >= good.length);
  assert.ok(files.every((f) => f.endsWith('.webp')), files.join(' '));

  const totals = images.totals();
  assert.equal(totals.converted, good.length);
  assert.equal(totals.failed, bad.length);
  assert.ok(totals.sourceBytes > totals.bytes, 'smaller than the sources');
  assert.ok(totals.perSecond! > 0 && totals.busyMs > 0);
});

test('a second build fetches and converts nothing; the same bytes under two URLs cost one set of files', async (t) => {
  const { server, dir, open } = await rig(t);
  const first = await open();
  const [a, b] = await Promise.all([
    first.process({ url: `${server.origin}/same/one.jpg`, pageUrl: null }),
    first.process({ url: `${server.origin}/same/two.jpg`, pageUrl: null }),
  ]);
  const c = await first.process({ url: `${server.origin}/photo.jpg`, pageUrl: null });
  assert.equal(a!.hash, b!.hash);
  assert.equal(a!.hash, c!.hash, 'same bytes as photo.jpg');
  assert.deepEqual(first.entries().map((e) => e.outcome).sort(), ['converted', 'reused', 'reused']);
  assert.equal((await cacheFiles(dir)).length, 3, 'one file per width, once');
  await first.save();

  const requests = server.requests.length;
  const second = await open();
  for (const u of ['same/one.jpg', 'same/two.jpg', 'photo.jpg']) {
    const asset = await second.process({ url: `${server.origin}/${u}`, pageUrl: null });
    assert.equal(asset?.hash, a!.hash);
  }
  assert.equal(server.requests.length, requests, 'no request in the second build');
  assert.deepEqual(second.entries().map((e) => e.outcome), ['cached', 'cached', 'cached']);
  assert.equal(second.totals().converted, 0);

  // A file deleted behind our back is fetched and written again.
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ version: 1, ...second.index() }));
  const { rm } = await import('node:fs/promises');
  await rm(second.filePath(a!.variants[0]!.path));
  const third = await open();
  await third.process({ url: `${server.origin}/photo.jpg`, pageUrl: null });
  assert.equal(third.entries()[0]!.outcome, 'converted');
  assert.equal(server.requests.length, requests + 1);
});

test('a failed image is remembered and retried only after a back-off that grows', async (t) => {
  const { server, open } = await rig(t);
  const url = `${server.origin}/status/500`;
  const at = (ms: number) => open({ now: new Date(NOW.getTime() + ms) });
  const count = () => server.requests.filter((r) => r.path === '/status/500').length;

  let images = await at(0);
  assert.equal(await images.process({ url, pageUrl: null }), null);
  let source = images.index().sources[url]!;
  assert.equal(source.status, 'failed');
  assert.equal(source.failures, 1);
  assert.equal(source.failure?.status, 500);
  assert.equal(source.retryAfter, new Date(NOW.getTime() + HOUR).toISOString(), 'first back-off: 1 hour');
  await images.save();
  const tried = count();
  assert.ok(tried >= 1);

  images = await at(30 * 60_000);
  await images.process({ url, pageUrl: null });
  assert.equal(images.entries()[0]!.outcome, 'backoff');
  assert.equal(images.entries()[0]!.error?.status, 500, 'the reason is kept');
  assert.equal(count(), tried, 'not fetched during the back-off');
  await images.save();

  images = await at(2 * HOUR);
  await images.process({ url, pageUrl: null });
  source = images.index().sources[url]!;
  assert.equal(source.failures, 2);
  assert.equal(source.retryAfter, new Date(NOW.getTime() + 2 * HOUR + 4 * HOUR).toISOString(), 'second back-off: 4 hours');
  assert.ok(count() > tried);
  await images.save();

  // Growing into days: 16 h, then 64 h, capped at a week.
  let now = 2 * HOUR;
  const backoffs: number[] = [];
  for (let i = 0; i < 4; i++) {
    now = Date.parse(source.retryAfter!) - NOW.getTime() + 1;
    images = await at(now);
    await images.process({ url, pageUrl: null });
    source = images.index().sources[url]!;
    backoffs.push(Math.round((Date.parse(source.retryAfter!) - NOW.getTime() - now) / HOUR));
    await images.save();
  }
  assert.deepEqual(backoffs, [16, 64, 168, 168]);
});

test('placeholders found only after download are recorded and dropped, and never fetched again', async (t) => {
  const { server, dir, open } = await rig(t);
  const images = await open();
  const url = `${server.origin}/spacer.gif`;
  assert.equal(await images.process({ url, pageUrl: null }), null);
  assert.equal(images.isPlaceholder(url), true);
  assert.equal(images.lookup(url), null);
  assert.equal(images.entries()[0]!.outcome, 'placeholder');
  assert.equal(images.totals().failed, 0);
  assert.deepEqual(await cacheFiles(dir), []);
  await images.save();
  const before = server.requests.length;
  const again = await open();
  await again.process({ url, pageUrl: null });
  assert.equal(again.isPlaceholder(url), true);
  assert.equal(server.requests.length, before);
});

test('the download timeout comes from the processor options', async (t) => {
  const { server, open } = await rig(t);
  const images = await open({ timeoutMs: 300 });
  const started = Date.now();
  assert.equal(await images.process({ url: `${server.origin}/hang/photo.jpg`, pageUrl: null }), null);
  assert.ok(Date.now() - started < 3000);
  assert.equal(images.entries()[0]!.error?.code, 'timeout');
});

test('feed icons: the feed image when it works, else /favicon.ico (ICO decoded), as small WebPs', async (t) => {
  const { server, open } = await rig(t);
  const home = `${server.origin}/blog/`;
  const declared = iconCandidates({ iconUrl: `${server.origin}/wide.jpg`, homeUrl: home }, `${server.origin}/feed.xml`);
  assert.deepEqual(declared, [
    { url: `${server.origin}/wide.jpg`, guessed: false },
    { url: `${server.origin}/favicon.ico`, guessed: true },
  ]);
  let images = await open();
  const fromFeed = await images.processIcon(declared, home);
  assert.equal(fromFeed?.url, `${server.origin}/wide.jpg`);
  assert.deepEqual(fromFeed!.asset.variants.map((v) => v.width), [64, 128], 'icon sizes, not article sizes');
  assert.equal(server.requests.filter((r) => r.path === '/favicon.ico').length, 0, 'no favicon needed');
  // The same URL in an article is converted at article sizes: the two do not collide.
  const inArticle = await images.process({ url: `${server.origin}/wide.jpg`, pageUrl: null });
  assert.deepEqual(inArticle!.variants.map((v) => v.width), [480, 960, 1600]);
  assert.equal(images.lookupIcon(declared)?.asset.hash, fromFeed!.asset.hash);

  // No feed image, no favicon: not an error, remembered, not asked again at once.
  const none = iconCandidates({ iconUrl: null, homeUrl: home }, `${server.origin}/feed.xml`);
  assert.equal(await images.processIcon(none, home), null);
  assert.equal(images.entries().at(-1)!.outcome, 'missing');
  assert.equal(images.totals().failed, 0);
  await images.save();

  // The site gets a favicon (8-bit BMP inside): it is used once the back-off is over.
  const ring = (x: number, y: number): [number, number, number, number] => (Math.hypot(x - 15.5, y - 15.5) > 15 ? [0, 0, 0, 0] : [30, 90, 200, 255]);
  const { dib } = encodeDib({ width: 32, height: 32, bpp: 8, pixel: ring, palette: [[0, 0, 0, 255], [30, 90, 200, 255]] }, { icoMask: true });
  server.favicon = encodeIco([{ width: 32, height: 32, bpp: 8, data: dib }]);
  images = await open({ now: new Date(NOW.getTime() + 2 * HOUR) });
  const favicon = await images.processIcon(none, home);
  assert.equal(favicon?.url, `${server.origin}/favicon.ico`);
  assert.equal(favicon!.asset.sourceFormat, 'ico');
  const meta = await sharp(images.filePath(favicon!.asset.variants.at(-1)!.path)).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.hasAlpha], ['webp', 32, 32, true]);
});

test('prune forgets unreferenced images and deletes their files (and stray files)', async (t) => {
  const { server, dir, open } = await rig(t);
  const images = await open();
  const keep = `${server.origin}/photo.jpg`;
  const drop = `${server.origin}/alpha.png`;
  const failed = `${server.origin}/status/404`;
  const kept = await images.process({ url: keep, pageUrl: null });
  const dropped = await images.process({ url: drop, pageUrl: null });
  await images.process({ url: failed, pageUrl: null });
  await mkdir(path.join(dir, 'files', 'zz'), { recursive: true });
  await writeFile(path.join(dir, 'files', 'zz', 'leftover.webp.123.tmp'), 'x');

  const removed = await images.prune([keep], []);
  assert.equal(removed, 1);
  assert.deepEqual(Object.keys(images.index().sources), [keep], 'the failed URL is forgotten too');
  const files = await cacheFiles(dir);
  assert.deepEqual(files, kept!.variants.map((v) => v.path.replace(/^img\//, '')).sort());
  assert.ok(!files.some((f) => f.includes(dropped!.hash)));
  assert.deepEqual(await readdir(path.join(dir, 'files')), [kept!.hash.slice(0, 2)], 'empty folders go too');
});

test('downloaded bodies held at once are bounded (downloads wait for encoders)', async (t) => {
  const { server, open } = await rig(t);
  const images = await open({ downloads: 8, encodes: 1, inMemory: 2 });
  const urls = Array.from({ length: 8 }, (_, i) => `${server.origin}/same/${i}.jpg?v=${i}`);
  // Different query strings, same bytes: each must be downloaded.
  await Promise.all(urls.map((url) => images.process({ url, pageUrl: null })));
  assert.ok(server.concurrency.max <= 2, `at most 2 downloads in flight, saw ${server.concurrency.max}`);
  assert.equal(images.entries().length, 8);
});
