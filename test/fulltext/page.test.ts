/**
 * One article page over the build's HTTP client, against a publisher on
 * 127.0.0.1: redirects followed, the feed's User-Agent sent, its cookies only
 * to its own origin, the byte cap, the timeout, the private-address guard,
 * HTML recognized with or without a Content-Type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { resolveConfig } from '../../src/config/index.ts';
import { decodeHtml } from '../../src/fetch/index.ts';
import { fetchPage } from '../../src/fulltext/page.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { bytes, startLoopback } from '../net/loopback.ts';

const PAGE = '<!DOCTYPE html><html><head><title>x</title></head><body><p>An article.</p></body></html>';

test('an article page: redirects, User-Agent, cookies for the feed\'s own origin only, limits, HTML or not', async (t) => {
  const site = await startLoopback(t, {
    '/moved': (_req, res) => void res.writeHead(301, { location: '/article' }).end(),
    '/article': bytes(PAGE, { 'content-type': 'text/html; charset=utf-8' }),
    '/untyped': bytes(`\n  ${PAGE}`),
    '/binary': bytes(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01])),
    '/big': bytes(`<html><body>${'<p>words and words</p>'.repeat(10_000)}</body></html>`, { 'content-type': 'text/html' }),
    '/hang': () => undefined,
  });
  const other = await startLoopback(t, { '/article': bytes(PAGE, { 'content-type': 'text/html' }) });
  const config = resolveConfig(
    {
      fetch: { allowPrivateNetworks: true, timeoutSeconds: 0.5, feedDeadlineSeconds: 1, retries: 0, maxBytes: 100_000 },
      feeds: [{ id: 'f', url: `${site.origin}/feed.xml`, userAgent: 'FeedBot/1', headers: { Cookie: 'session=secret' }, fullText: true }],
    },
    path.join(process.cwd(), 'feeds.json'),
  );
  const feed = config.feeds[0]!;
  const client = createHttpClient({ userAgent: config.fetch.userAgent, retryBaseMs: 10 });
  t.after(() => client.close());
  const get = (url: string, fetchConfig = config.fetch) => fetchPage(client, url, feed, fetchConfig, decodeHtml);

  const moved = await get(`${site.origin}/moved`);
  assert.ok(moved.ok && moved.url === `${site.origin}/article` && moved.html.includes('An article.'), 'redirect followed, the final URL kept');
  for (const r of site.hits('/article')) {
    assert.equal(r.headers['user-agent'], 'FeedBot/1');
    assert.equal(r.headers.cookie, 'session=secret', "the feed's cookie on its own origin");
    assert.match(String(r.headers.accept), /text\/html/);
  }
  assert.ok((await get(`${other.origin}/article`)).ok);
  assert.equal(other.hits('/article')[0]!.headers.cookie, undefined, 'no cookie for another origin');

  const untyped = await get(`${site.origin}/untyped`);
  assert.ok(untyped.ok, 'no Content-Type, but markup: a page');
  const binary = await get(`${site.origin}/binary`);
  assert.equal(binary.ok ? 'ok' : binary.error.code, 'not-html');

  const big = await get(`${site.origin}/big`);
  assert.equal(big.ok ? 'ok' : big.error.code, 'too-large');
  const started = Date.now();
  const hang = await get(`${site.origin}/hang`);
  assert.equal(hang.ok ? 'ok' : hang.error.code, 'timeout');
  assert.ok(Date.now() - started < 5000, 'bounded by the deadline');

  const guarded = await get(`${site.origin}/article`, { ...config.fetch, allowPrivateNetworks: false });
  assert.equal(guarded.ok ? 'ok' : guarded.error.code, 'blocked-address', 'a link from a feed may not reach a private address');
});
