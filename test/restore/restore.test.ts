/**
 * A lost --cache costs nothing: build the demo feeds, delete the cache,
 * serve the built site on loopback under its path prefix, rebuild with
 * --restore-from that site. The same articles come back, the feeds are
 * asked with their old validators, and no image is converted again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from '../../src/build.ts';
import { serveSite } from '../../src/serve/index.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { readDeployedSite, RestoreError } from '../../src/restore/index.ts';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const DEMO_FEEDS = path.join(REPO_ROOT, 'demo', 'feeds');
const NOW = new Date('2026-03-01T10:00:00Z');
const LATER = new Date('2026-03-01T11:00:00Z');

interface Item {
  id: string;
  title: string;
  content_html: string;
  date_published: string;
  _digest: { first_seen: string; images: Record<string, string>; source_hash: string; cover: unknown };
}

async function allItems(out: string): Promise<Item[]> {
  const items: Item[] = [];
  let file: string | null = path.join(out, 'api', 'all.json');
  while (file) {
    const doc = JSON.parse(await readFile(file, 'utf8')) as { items: Item[]; next_url?: string };
    items.push(...doc.items);
    file = doc.next_url ? path.join(out, new URL(doc.next_url).pathname.replace(/^\/digest\//, '')) : null;
  }
  return items;
}

async function webpFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.webp')).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test('a build after the cache is lost restores articles, validators and images from the deployed site', async (t) => {
  const dir = await tempDir(t);
  const feeds = await startFixtureServer(DEMO_FEEDS);
  t.after(() => feeds.close());
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  // The deployed site: the build's own output, served as GitHub Pages would under /digest/.
  const site = await serveSite({ root: out, basePath: '/digest/', port: 0, host: '127.0.0.1' });
  t.after(() => site.close());

  const template = JSON.parse((await readFile(path.join(REPO_ROOT, 'demo', 'feeds.json'), 'utf8')).replaceAll('__ORIGIN__', feeds.origin));
  delete template.$schema;
  template.site.url = site.url;
  const config = path.join(dir, 'feeds.json');
  await writeFile(config, JSON.stringify(template));

  // Nothing deployed yet (api/feeds.json is a 404): a new archive starts.
  const first = await build({ config, out, cache, quiet: true, now: NOW, restoreFrom: site.url });
  assert.equal(first.report.steps.restore, undefined);
  assert.ok(first.report.totals.articles.total >= 20);
  assert.ok(first.report.totals.images.converted >= 10);
  const before = await allItems(out);
  const beforeImages = await webpFiles(out);
  const beforeState = await readFile(path.join(cache, 'state', 'feeds', 'tech-blog.json'), 'utf8');

  // The CI cache is evicted.
  await rm(cache, { recursive: true, force: true });
  const cut = feeds.requests.length;
  const second = await build({ config, out, cache, quiet: true, now: LATER, restoreFrom: site.url });

  // The feeds were asked conditionally, with the validators published in api/feeds.json: nothing changed.
  const requests = feeds.requests.slice(cut);
  const feedPaths = new Set(template.feeds.map((f: { url: string }) => new URL(f.url).pathname));
  const feedRequests = requests.filter((r) => feedPaths.has(r.path));
  assert.equal(feedRequests.length, 5);
  assert.ok(feedRequests.every((r) => r.ifNoneMatch), 'conditional requests');
  // Images the site has are not fetched from their source again (only failed ones, such as a missing favicon, are retried).
  const imageRequests = requests.filter((r) => !feedPaths.has(r.path));
  assert.ok(imageRequests.every((r) => /\/favicon\.ico$/.test(r.path)), `no source image downloaded again: ${imageRequests.map((r) => r.path).join(' ')}`);
  assert.deepEqual(second.report.feeds.map((f) => f.outcome), Array(5).fill('not-modified'));
  assert.equal(second.report.totals.images.converted, 0, 'no image converted again');
  assert.equal(second.report.totals.articles.new, 0);
  assert.equal(second.report.totals.articles.total, first.report.totals.articles.total);

  // The same articles, with the same content, dates and image links.
  const after = await allItems(out);
  assert.deepEqual(
    after.map((i) => [i.id, i.title]),
    before.map((i) => [i.id, i.title]),
  );
  for (const [i, item] of after.entries()) {
    const old = before[i]!;
    assert.equal(item.content_html, old.content_html, `content of ${item.id}`);
    assert.equal(item._digest.first_seen, old._digest.first_seen, 'first seen survives');
    assert.equal(item._digest.source_hash, old._digest.source_hash);
    assert.deepEqual(item._digest.images, old._digest.images);
    assert.deepEqual(item._digest.cover, old._digest.cover);
  }
  assert.deepEqual(await webpFiles(out), beforeImages, 'the same image files are published');

  // The restored archive state matches the one that was lost, article for article.
  const lost = JSON.parse(beforeState) as { articles: Record<string, unknown>[]; meta: unknown };
  const restored = JSON.parse(await readFile(path.join(cache, 'state', 'feeds', 'tech-blog.json'), 'utf8')) as typeof lost;
  assert.deepEqual(restored.meta, lost.meta);
  const keys = ['id', 'link', 'title', 'author', 'published', 'modified', 'firstSeen', 'sourceHash', 'excerpt', 'categories', 'images', 'cover', 'attachments'];
  const pick = (a: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, a[k]]));
  assert.deepEqual(restored.articles.map(pick), lost.articles.map(pick));
});

test('restore: a site with no archive yet restores nothing; an unreadable archive stops the build', async (t) => {
  let mode: 'missing' | 'broken' | 'bad-page' = 'missing';
  const server = http.createServer((req, res) => {
    if (mode === 'missing') return void res.writeHead(404).end();
    if (mode === 'broken') return void res.writeHead(500).end();
    if (req.url === '/api/feeds.json') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ feeds: [{ id: 'a', url: 'http://feed.example/a.xml', json_url: 'https://x.example/api/feeds/a.json' }] }),
      );
    }
    if (req.url === '/api/feeds/a.json') {
      return void res.writeHead(200).end(JSON.stringify({ items: [], next_url: 'https://x.example/api/feeds/a/2.json' }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const client = createHttpClient({ userAgent: 'test', retryBaseMs: 1 });
  t.after(() => client.close());
  const options = { from: `http://127.0.0.1:${port}/`, feeds: [{ id: 'a', url: 'http://feed.example/a.xml' }], client, timeoutMs: 5000, assetsRepo: null, now: NOW };

  assert.equal(await readDeployedSite(options), null, 'no api/feeds.json: nothing deployed yet');
  mode = 'broken';
  await assert.rejects(readDeployedSite(options), (err: Error) => err instanceof RestoreError && /HTTP 500/.test(err.message));
  // Page 2 of a feed is gone: a partial archive would lose articles, so it is an error too.
  mode = 'bad-page';
  await assert.rejects(readDeployedSite(options), (err: Error) => err instanceof RestoreError && /page 2 of feed "a"/.test(err.message));
});
