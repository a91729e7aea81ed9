/**
 * Link normalization, which decides article identity (id = MD5 of the
 * normalized link): a table, and fast-check properties: never throws,
 * idempotent, and blind to tracking parameters, fragments, letter case of
 * scheme and host, and default ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { md5, normalizeLink } from '../../src/parse/links.ts';
import { parseFeed } from '../../src/parse/index.ts';

test('a table of links', () => {
  const cases: [string, string | null, string | null][] = [
    ['HTTPS://Example.COM:443/Path/?utm_source=rss&b=2#frag', null, 'https://example.com/Path/?b=2'],
    ['http://example.com:80/a', null, 'http://example.com/a'],
    ['http://example.com:8080/a', null, 'http://example.com:8080/a'],
    ['/posts/1?fbclid=x', 'https://example.com/blog/', 'https://example.com/posts/1'],
    ['posts/1', 'https://example.com/blog/', 'https://example.com/blog/posts/1'],
    ['https://example.com/s?q=a%20b&utm_medium=x', null, 'https://example.com/s?q=a%20b', /* encoding kept, not "a+b" */],
    ['https://example.com/s?q=a+b&spm=1.2.3', null, 'https://example.com/s?q=a+b'],
    ['https://example.com/p?', null, 'https://example.com/p'],
    ['https://example.com/p?&a=1&&b=2&', null, 'https://example.com/p?a=1&b=2'],
    ['https://example.com/p?utm_source=a&utm_medium=b', null, 'https://example.com/p'],
    ['https://example.com/p?a=1&gclid=z&b=2&UTM_Campaign=y', null, 'https://example.com/p?a=1&b=2'],
    ['https://例子.中国/文章?id=1', null, 'https://xn--fsqu00a.xn--fiqs8s/%E6%96%87%E7%AB%A0?id=1'],
    ['  https://example.com/trim  ', null, 'https://example.com/trim'],
    ['mailto:someone@example.com', null, null],
    ['javascript:alert(1)', null, null],
    ['urn:uuid:1234', null, null],
    ['', null, null],
    ['not a url', null, null],
  ];
  for (const [raw, base, expected] of cases) assert.equal(normalizeLink(raw, base), expected, JSON.stringify([raw, base]));
});

test('items that differ only by tracking noise get one id', async () => {
  const rss = `<rss version="2.0"><channel><title>t</title>
    <item><title>a</title><link>https://Example.com/post?id=1&amp;utm_source=x#top</link></item>
    <item><title>b</title><link>HTTPS://example.com:443/post?id=1&amp;fbclid=abc</link></item>
    <item><title>c</title><link>https://example.com/other</link></item>
  </channel></rss>`;
  const r = await parseFeed(rss, 'https://example.com/feed');
  assert.ok(r.ok);
  assert.deepEqual(r.value.items.map((i) => i.title), ['a', 'c']);
  assert.equal(r.value.items[0]!.id, md5('https://example.com/post?id=1'));
});

const TRACKING = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'fbclid', 'gclid', 'spm', 'scm', 'mc_cid', 'igshid'];

/** http(s) URLs with real-looking queries, some with tracking parameters already. */
const urls = fc
  .tuple(
    fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }),
    fc.array(fc.tuple(fc.constantFrom(...TRACKING, 'id', 'page', 'q'), fc.webSegment()), { maxLength: 3 }),
  )
  .map(([url, params]) => {
    const extra = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    if (!extra) return url;
    const [head, frag] = url.split('#', 2);
    return `${head}${head!.includes('?') ? '&' : '?'}${extra}${frag !== undefined ? `#${frag}` : ''}`;
  });

test('property: never throws, on any string and any base', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), urls), fc.option(fc.oneof(fc.string(), urls)), (raw, base) => {
      const n = normalizeLink(raw, base);
      assert.ok(n === null || /^https?:\/\//.test(n));
    }),
    { numRuns: 2000 },
  );
});

test('property: idempotent', () => {
  fc.assert(
    fc.property(fc.oneof(urls, fc.string({ unit: 'binary' })), fc.option(urls), (raw, base) => {
      const once = normalizeLink(raw, base);
      if (once !== null) {
        assert.equal(normalizeLink(once), once);
        assert.equal(normalizeLink(once, base), once);
      }
    }),
    { numRuns: 2000 },
  );
});

test('property: tracking parameters, fragments, scheme/host case and default ports do not change the result', () => {
  fc.assert(
    fc.property(urls, fc.constantFrom(...TRACKING), fc.webSegment(), fc.webSegment(), (url, param, value, fragment) => {
      const n = normalizeLink(url)!;
      assert.ok(n, url);
      const u = new URL(n);
      assert.equal(u.hash, '');
      for (const key of u.searchParams.keys()) assert.ok(!TRACKING.includes(key.toLowerCase()), `${key} left in ${n}`);
      const noisy = `${n}${u.search ? '&' : '?'}${param}=${encodeURIComponent(value)}#${fragment}`;
      assert.equal(normalizeLink(noisy), n);
      const shouting = n.replace(/^(https?):\/\/([^/]+)/, (_m, s: string, h: string) => `${s.toUpperCase()}://${h.toUpperCase()}`);
      assert.equal(normalizeLink(shouting), n);
      if (!u.port) {
        const withPort = n.replace(/^(https?:\/\/[^/]+)/, `$1:${u.protocol === 'https:' ? 443 : 80}`);
        assert.equal(normalizeLink(withPort), n);
      }
    }),
    { numRuns: 1000 },
  );
});
