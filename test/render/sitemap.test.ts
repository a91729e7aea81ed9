/**
 * sitemap.xml past the protocol's 50,000 URLs per file: an index of
 * sitemaps/<n>.xml that together list every URL once, each file within the
 * limit. (The demo site's sitemap, a single urlset, is checked in outputs.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SITEMAP_MAX_URLS, sitemapFiles } from '../../src/render/sitemap.ts';
import { child, children, parseXml } from './xml.ts';

const SITE = 'https://example.org/digest/';
const urls = (n: number) => Array.from({ length: n }, (_, i) => ({ loc: `${SITE}articles/${i}/?a=1&b=<2>`, lastmod: i % 2 ? '2026-11-01T00:00:00Z' : null }));

test('up to the limit, sitemap.xml is one urlset; past it, an index of parts within the limit listing every URL once', () => {
  const one = sitemapFiles(urls(SITEMAP_MAX_URLS), SITE);
  assert.deepEqual(one.map((f) => f.path), ['sitemap.xml']);
  const urlset = parseXml(String(one[0]!.body));
  assert.equal(urlset.name, 'urlset');
  assert.equal(children(urlset, 'url').length, SITEMAP_MAX_URLS);

  const many = sitemapFiles(urls(25), SITE, 10);
  assert.deepEqual(many.map((f) => f.path), ['sitemap.xml', 'sitemaps/1.xml', 'sitemaps/2.xml', 'sitemaps/3.xml']);
  const index = parseXml(String(many[0]!.body));
  assert.equal(index.name, 'sitemapindex');
  assert.equal(index.ns, 'http://www.sitemaps.org/schemas/sitemap/0.9');
  assert.deepEqual(children(index, 'sitemap').map((s) => child(s, 'loc')!.text), [1, 2, 3].map((n) => `${SITE}sitemaps/${n}.xml`));
  const listed = many.slice(1).flatMap((f) => {
    const part = children(parseXml(String(f.body)), 'url');
    assert.ok(part.length <= 10);
    return part.map((u) => child(u, 'loc')!.text);
  });
  assert.deepEqual(listed, urls(25).map((u) => u.loc), 'every URL once, in order, unescaped back to itself');
});
