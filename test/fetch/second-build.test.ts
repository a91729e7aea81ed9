/**
 * Ingestion end to end, as a scheduled CI job sees it: `build()` run again
 * and again (a temp --out and --cache, the clock moved between runs)
 * against a loopback publisher that answers conditional requests the way
 * real servers do (one with an ETag, one with only Last-Modified, one with
 * no validators at all), plus a feed that breaks.
 *
 * The second build must send conditional requests for every feed that gave
 * validators and parse nothing; the validators are published in
 * api/feeds.json; one article shared by two feeds is one page listed under
 * both; an edited item is updated in place with date_modified; filters and
 * the site's time zone reach the archive; a feed failing for 7 days is
 * flagged; feeds.opml imports back into the same subscriptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from '../../src/build.ts';
import { importOpml } from '../../src/opml/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';
import { startLoopback } from '../net/loopback.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const HOUR = 3_600_000;

interface JsonFeed {
  items: { id: string; title: string; url?: string; date_published: string; date_modified?: string }[];
}
interface FeedsJson {
  feeds: {
    id: string;
    http: { etag: string | null; last_modified: string | null; body_hash: string | null };
    health: { last_success: string | null; consecutive_failures: number; stale: boolean };
  }[];
}

test('a second build is conditional and parses nothing; the archive keeps identity, updates, filters and health', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const shared = 'https://news.example/2026/shared-story';

  let alphaTitle = 'Alpha one';
  const alpha = () => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Alpha</title><link>https://alpha.example/</link>
<item><title>${alphaTitle}</title><link>https://alpha.example/1</link><pubDate>2020-12-03 11:03:00</pubDate><description>First.</description></item>
<item><title>Shared story</title><link>${shared}?utm_source=alpha</link><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate><description>Told twice.</description></item>
<item><title>Sponsored: buy things</title><link>https://alpha.example/ad</link><pubDate>Tue, 24 Nov 2026 07:00:00 GMT</pubDate><description>An ad.</description></item>
</channel></rss>`;
  const beta = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Beta</title><id>urn:beta</id><updated>2026-11-24T08:00:00Z</updated>
<entry><title>Shared story</title><id>urn:beta:1</id><link href="${shared}#comments"/><updated>2026-11-24T08:00:00Z</updated><content type="html">Told twice.</content></entry>
<entry><title>Beta only</title><id>urn:beta:2</id><link href="https://beta.example/2"/><updated>2026-11-23T08:00:00Z</updated><content type="html">Beta.</content></entry>
</feed>`;
  const gamma = JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Gamma',
    items: [{ id: 'g1', url: 'https://gamma.example/1', title: 'Gamma one', content_text: 'Hi', date_published: '2026-11-22T08:00:00Z' }],
  });
  const betaModified = 'Tue, 24 Nov 2026 08:00:00 GMT';
  let flakyUp = true;

  const server = await startLoopback(t, {
    // An ETag (and Last-Modified), as most servers send.
    '/alpha.xml': (req, res) => {
      const body = alpha();
      const etag = `"${md5(body).slice(0, 12)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag, 'last-modified': betaModified }).end(body);
    },
    // Only Last-Modified.
    '/beta.atom': (req, res) => {
      if (req.headers['if-modified-since'] === betaModified) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/atom+xml', 'last-modified': betaModified }).end(beta);
    },
    // No validators at all: the body hash decides.
    '/gamma.json': (_req, res) => void res.writeHead(200, { 'content-type': 'application/feed+json' }).end(gamma),
    '/flaky.xml': (_req, res) => {
      if (!flakyUp) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss version="2.0"><channel><title>Flaky</title><item><title>F</title><link>https://flaky.example/1</link></item></channel></rss>');
    },
  });

  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'E2E', url: 'http://localhost:8080/', timezone: 'Asia/Shanghai' },
      fetch: { retries: 0 },
      filters: { exclude: [{ pattern: '^Sponsored', fields: ['title'] }] },
      feeds: [
        { id: 'alpha', url: `${server.origin}/alpha.xml`, category: 'News' },
        { id: 'beta', url: `${server.origin}/beta.atom`, category: 'News' },
        { id: 'gamma', url: `${server.origin}/gamma.json`, category: 'Misc' },
        { id: 'flaky', url: `${server.origin}/flaky.xml` },
        { id: 'off', url: `${server.origin}/off.xml`, enabled: false },
      ],
    }),
  );
  const t0 = new Date('2026-11-24T10:00:00Z');
  const run = (now: Date) => build({ config, out, cache, quiet: true, now, http: { retryBaseMs: 10 } });
  const json = async <T>(p: string) => JSON.parse(await readFile(path.join(out, p), 'utf8')) as T;
  const outcomes = (r: Awaited<ReturnType<typeof run>>) => Object.fromEntries(r.report.feeds.map((f) => [f.id, f.outcome]));

  // Build 1: everything new.
  const first = await run(t0);
  assert.deepEqual(outcomes(first), { alpha: 'fetched', beta: 'fetched', gamma: 'fetched', flaky: 'fetched', off: 'disabled' });

  // The validators are published for a runner that lost its cache.
  const feeds1 = await json<FeedsJson>('api/feeds.json');
  const http = Object.fromEntries(feeds1.feeds.map((f) => [f.id, f.http]));
  const alphaEtag = `"${md5(alpha()).slice(0, 12)}"`;
  assert.equal(http.alpha!.etag, alphaEtag);
  assert.deepEqual([http.beta!.etag, http.beta!.last_modified], [null, betaModified]);
  assert.deepEqual([http.gamma!.etag, http.gamma!.last_modified], [null, null]);
  assert.equal(http.gamma!.body_hash, createHash('sha256').update(gamma).digest('hex'));

  // One article shared by two feeds: one page, listed under both.
  const sharedId = md5(shared);
  await access(path.join(out, 'articles', sharedId, 'index.html'));
  const alphaJson = await json<JsonFeed>('api/feeds/alpha.json');
  const betaJson = await json<JsonFeed>('api/feeds/beta.json');
  assert.ok(alphaJson.items.some((i) => i.id === sharedId));
  assert.ok(betaJson.items.some((i) => i.id === sharedId));
  const all = await json<JsonFeed>('api/all.json');
  assert.equal(all.items.filter((i) => i.id === sharedId).length, 1);
  for (const feed of ['alpha', 'beta']) {
    assert.match(await readFile(path.join(out, 'feeds', feed, 'index.html'), 'utf8'), new RegExp(`articles/${sharedId}/`));
  }
  // The global filter kept the ad out; the zone-less date was read in the site's zone (UTC+8).
  assert.ok(!all.items.some((i) => i.title.startsWith('Sponsored')));
  assert.equal(alphaJson.items.find((i) => i.title === 'Alpha one')!.date_published, '2020-12-03T03:03:00.000Z');

  // Build 2, an hour later, nothing changed upstream: conditional requests, nothing parsed.
  flakyUp = false;
  const before = server.requests.length;
  const second = await run(new Date(t0.getTime() + HOUR));
  const sent = server.requests.slice(before);
  const headersFor = (p: string) => sent.find((r) => r.path === p)!.headers;
  assert.equal(headersFor('/alpha.xml')['if-none-match'], alphaEtag);
  assert.equal(headersFor('/beta.atom')['if-modified-since'], betaModified);
  assert.equal(headersFor('/gamma.json')['if-none-match'], undefined);
  assert.deepEqual(outcomes(second), { alpha: 'not-modified', beta: 'not-modified', gamma: 'not-modified', flaky: 'failed', off: 'disabled' });
  assert.ok('parse' in first.report.steps, 'the first build parsed');
  assert.ok(!('parse' in second.report.steps), 'the second build parsed nothing');
  assert.equal(second.report.totals.articles.total, first.report.totals.articles.total, 'a 304 keeps every article');
  const health2 = Object.fromEntries((await json<FeedsJson>('api/feeds.json')).feeds.map((f) => [f.id, f.health]));
  assert.deepEqual([health2.flaky!.consecutive_failures, health2.flaky!.stale], [1, false]);
  assert.equal(health2.flaky!.last_success, t0.toISOString());

  // Build 3, eight days later: alpha edited an item; flaky has failed for over 7 days.
  alphaTitle = 'Alpha one (corrected)';
  const t3 = new Date(t0.getTime() + 8 * 24 * HOUR);
  const third = await run(t3);
  assert.equal(outcomes(third).alpha, 'fetched');
  assert.equal(third.report.feeds.find((f) => f.id === 'alpha')!.updated, 1);
  const edited = (await json<JsonFeed>('api/feeds/alpha.json')).items.filter((i) => i.url === 'https://alpha.example/1');
  assert.equal(edited.length, 1, 'updated in place, not duplicated');
  assert.equal(edited[0]!.title, 'Alpha one (corrected)');
  assert.equal(edited[0]!.date_modified, t3.toISOString());
  assert.equal(edited[0]!.date_published, '2020-12-03T03:03:00.000Z');
  const health3 = Object.fromEntries((await json<FeedsJson>('api/feeds.json')).feeds.map((f) => [f.id, f.health]));
  assert.deepEqual([health3.flaky!.consecutive_failures, health3.flaky!.stale], [2, true]);
  assert.ok(Object.values((await json<{ items: unknown[] }>('api/feeds/flaky.json')).items).length === 1, 'a failing feed keeps its articles');

  assert.equal(server.hits('/off.xml').length, 0, 'a disabled feed is never requested');

  // feeds.opml imports back into the same subscriptions and categories.
  const roundTrip = path.join(dir, 'roundtrip.json');
  const imported = await importOpml(path.join(out, 'feeds.opml'), roundTrip, { schemaFile: path.join(REPO_ROOT, 'feeds.schema.json') });
  assert.equal(imported.skipped.length, 0);
  const back = await loadConfig(roundTrip);
  const original = await loadConfig(config);
  assert.deepEqual(
    back.feeds.map((f) => [f.url, f.category]).sort(),
    original.feeds.filter((f) => f.enabled).map((f) => [f.url, f.category]).sort(), // a disabled feed with no articles is not on the site
  );
});
