/**
 * Fetching feeds politely, against real loopback servers: conditional GET,
 * the body-hash skip, per-feed User-Agent / headers / proxy, the per-host and
 * global concurrency limits, the per-feed deadline, status failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from '../../src/config/index.ts';
import { createFeedFetcher } from '../../src/fetch/index.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { emptyFeedState } from '../../src/model/archive.ts';
import type { Config } from '../../src/model/config.ts';
import { bytes, startLoopback, startProxy } from '../net/loopback.ts';
import { tempDir } from '../support/tmp.ts';

const RSS = (title: string) =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title><item><title>x</title><link>https://example.com/x</link></item></channel></rss>`;

function setup(t: { after(fn: () => unknown): void }, json: { fetch?: object; feeds: object[] }) {
  const config: Config = resolveConfig(json, '/tmp/feeds.json');
  const client = createHttpClient({ userAgent: config.fetch.userAgent, retryBaseMs: 20 });
  t.after(() => client.close());
  const fetcher = createFeedFetcher(client, config.fetch);
  return { config, fetcher, fresh: () => emptyFeedState('x', 'x').http };
}

test('conditional GET: validators are stored, sent back, and a 304 parses nothing', async (t) => {
  const body = RSS('Conditional');
  const etag = '"v1"';
  const lastModified = 'Tue, 24 Nov 2026 09:00:00 GMT';
  const server = await startLoopback(t, {
    '/feed.xml': (req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag, 'last-modified': lastModified });
      res.end(body);
    },
  });
  const { config, fetcher, fresh } = setup(t, { feeds: [{ url: `${server.origin}/feed.xml` }] });
  const feed = config.feeds[0]!;

  const first = await fetcher.fetch(feed, fresh());
  assert.equal(first.kind, 'fetched');
  assert.ok(first.kind === 'fetched');
  assert.equal(first.text, body);
  assert.equal(first.validators.etag, etag);
  assert.equal(first.validators.lastModified, lastModified);
  assert.match(first.validators.bodyHash ?? '', /^[0-9a-f]{64}$/);
  assert.equal(server.requests[0]!.headers['if-none-match'], undefined);

  const second = await fetcher.fetch(feed, first.validators);
  assert.equal(second.kind, 'not-modified');
  assert.ok(second.kind === 'not-modified');
  assert.equal(second.reason, '304');
  assert.equal(second.status, 304);
  assert.deepEqual(second.validators, first.validators);
  const sent = server.requests[1]!.headers;
  assert.equal(sent['if-none-match'], etag);
  assert.equal(sent['if-modified-since'], lastModified);
});

test('a server with no validators: an unchanged body is skipped by its hash, a changed one is fetched', async (t) => {
  let body = RSS('No validators');
  const server = await startLoopback(t, { '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'text/xml' }).end(body) });
  const { config, fetcher, fresh } = setup(t, { feeds: [{ url: `${server.origin}/feed.xml` }] });
  const feed = config.feeds[0]!;
  const first = await fetcher.fetch(feed, fresh());
  assert.ok(first.kind === 'fetched');
  assert.equal(first.validators.etag, null);

  const same = await fetcher.fetch(feed, first.validators);
  assert.equal(same.kind, 'not-modified');
  assert.ok(same.kind === 'not-modified');
  assert.equal(same.reason, 'same-body');
  assert.equal(server.requests[1]!.headers['if-none-match'], undefined, 'nothing to send without validators');

  body = RSS('Changed');
  const changed = await fetcher.fetch(feed, same.validators);
  assert.ok(changed.kind === 'fetched');
  assert.notEqual(changed.validators.bodyHash, first.validators.bodyHash);
});

test('per-feed userAgent, headers and proxy are used for that feed only', async (t) => {
  const server = await startLoopback(t, {
    '/a.xml': bytes(RSS('A'), { 'content-type': 'application/rss+xml' }),
    '/b.xml': bytes(RSS('B'), { 'content-type': 'application/rss+xml' }),
  });
  const proxy = await startProxy(t);
  const { config, fetcher, fresh } = setup(t, {
    fetch: { userAgent: 'digest-default/1' },
    feeds: [
      { id: 'a', url: `${server.origin}/a.xml`, userAgent: 'Special/2.0', headers: { Cookie: 'session=1', Referer: 'https://example.com/' }, proxy: proxy.url },
      { id: 'b', url: `${server.origin}/b.xml` },
    ],
  });
  for (const feed of config.feeds) assert.equal((await fetcher.fetch(feed, fresh())).kind, 'fetched');
  const a = server.hits('/a.xml')[0]!.headers;
  assert.equal(a['user-agent'], 'Special/2.0');
  assert.equal(a.cookie, 'session=1');
  assert.equal(a.referer, 'https://example.com/');
  const b = server.hits('/b.xml')[0]!.headers;
  assert.equal(b['user-agent'], 'digest-default/1');
  assert.equal(b.cookie, undefined);
  assert.deepEqual(proxy.seen, [`CONNECT ${new URL(server.origin).host}`], 'only feed a went through the proxy');
});

test('concurrency: at most perHost at once per host, at most concurrency overall', async (t) => {
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  let total = 0;
  let peakTotal = 0;
  const slow = (host: string) => async (_req: unknown, res: import('node:http').ServerResponse) => {
    inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
    peak.set(host, Math.max(peak.get(host) ?? 0, inFlight.get(host)!));
    peakTotal = Math.max(peakTotal, ++total);
    await new Promise((r) => setTimeout(r, 150));
    inFlight.set(host, inFlight.get(host)! - 1);
    total--;
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS(host));
  };
  const a = await startLoopback(t, { '/feed.xml': slow('a') });
  const b = await startLoopback(t, { '/feed.xml': slow('b') });
  const feeds = [...Array(5).keys()].flatMap((i) => [
    { id: `a${i}`, url: `${a.origin}/feed.xml?n=${i}` },
    { id: `b${i}`, url: `${b.origin}/feed.xml?n=${i}` },
  ]);
  const { config, fetcher, fresh } = setup(t, { fetch: { concurrency: 3, perHost: 2 }, feeds });
  const results = await Promise.all(config.feeds.map((f) => fetcher.fetch(f, fresh())));
  assert.ok(results.every((r) => r.kind === 'fetched'));
  assert.equal(peak.get('a'), 2);
  assert.equal(peak.get('b'), 2);
  assert.equal(peakTotal, 3);
});

test('the per-feed deadline: a hanging host fails fast and does not hold other hosts', async (t) => {
  const hang = await startLoopback(t, { '/feed.xml': () => undefined });
  const fast = await startLoopback(t, { '/feed.xml': bytes(RSS('fast'), { 'content-type': 'application/rss+xml' }) });
  const feeds = [...Array(3).keys()].flatMap((i) => [
    { id: `hang${i}`, url: `${hang.origin}/feed.xml?n=${i}` },
    { id: `fast${i}`, url: `${fast.origin}/feed.xml?n=${i}` },
  ]);
  const { config, fetcher, fresh } = setup(t, {
    fetch: { concurrency: 2, perHost: 1, timeoutSeconds: 0.2, feedDeadlineSeconds: 0.5, retries: 10 },
    feeds,
  });
  const started = Date.now();
  const done = new Map<string, number>();
  const results = await Promise.all(
    config.feeds.map(async (f) => {
      const r = await fetcher.fetch(f, fresh());
      done.set(f.id, Date.now() - started);
      return [f.id, r] as const;
    }),
  );
  for (const [id, r] of results) {
    if (id.startsWith('fast')) assert.equal(r.kind, 'fetched');
    else {
      assert.ok(r.kind === 'failed');
      assert.equal(r.error.code, 'timeout');
      assert.ok(r.attempts >= 2, `a timed-out attempt is retried (${r.attempts})`);
      assert.ok(r.ms >= 400 && r.ms < 900, `failed after ${r.ms} ms, at the 500 ms deadline`);
    }
  }
  const lastFast = Math.max(...[0, 1, 2].map((i) => done.get(`fast${i}`)!));
  assert.ok(lastFast < 400, `the fast host finished in ${lastFast} ms while the slow one hung`);
  assert.ok(Date.now() - started < 2500, 'three hanging feeds, one after another, half a second each');
});

test('status failures say what happened and what to do', async (t) => {
  const server = await startLoopback(t, {
    '/gone': bytes('gone', { 'content-type': 'text/plain' }, 410),
    '/forbidden': bytes('no', { 'content-type': 'text/plain' }, 403),
    '/empty': bytes('', { 'content-type': 'application/rss+xml' }),
  });
  const { config, fetcher, fresh } = setup(t, {
    fetch: { retries: 0 },
    feeds: [{ id: 'gone', url: `${server.origin}/gone` }, { id: 'forbidden', url: `${server.origin}/forbidden` }, { id: 'empty', url: `${server.origin}/empty` }],
  });
  const [gone, forbidden, empty] = await Promise.all(config.feeds.map((f) => fetcher.fetch(f, fresh())));
  assert.ok(gone?.kind === 'failed' && forbidden?.kind === 'failed' && empty?.kind === 'failed');
  assert.equal(gone.error.code, 'http-status');
  assert.equal(gone.status, 410);
  assert.match(gone.error.message, /410.*gone/);
  assert.match(gone.error.hint ?? '', /remove the feed/);
  assert.match(forbidden.error.hint ?? '', /userAgent/);
  assert.equal(empty.error.code, 'not-a-feed');
});

test('a permanent redirect is followed and reported with the new URL', async (t) => {
  const server = await startLoopback(t, {
    '/old.xml': bytes('', { location: '/new.xml' }, 301),
    '/new.xml': bytes(RSS('Moved'), { 'content-type': 'application/rss+xml' }),
  });
  const { config, fetcher, fresh } = setup(t, { feeds: [{ url: `${server.origin}/old.xml` }] });
  const r = await fetcher.fetch(config.feeds[0]!, fresh());
  assert.ok(r.kind === 'fetched');
  assert.equal(r.movedTo, `${server.origin}/new.xml`);
  assert.equal(r.url, `${server.origin}/new.xml`);
});

test('a file: feed is read from disk, with the body-hash skip', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'local.xml');
  await writeFile(file, RSS('Local'));
  const { config, fetcher, fresh } = setup(t, { feeds: [{ url: pathToFileURL(file).href }] });
  const first = await fetcher.fetch(config.feeds[0]!, fresh());
  assert.ok(first.kind === 'fetched');
  assert.match(first.text, /Local/);
  const again = await fetcher.fetch(config.feeds[0]!, first.validators);
  assert.equal(again.kind, 'not-modified');
});
