/**
 * feeds.schema.json: committed, up to date with the zod schema, usable by a
 * standard validator (ajv, draft-07, as editors use it), documented key by
 * key, and referenced by the sample feeds.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { feedsJsonSchemaText } from '../../src/config/json-schema.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { REPO_ROOT } from '../support/tmp.ts';

const read = async (p: string) => readFile(path.join(REPO_ROOT, p), 'utf8');

test('the committed feeds.schema.json is what `npm run schema` generates', async () => {
  assert.equal(await read('feeds.schema.json'), feedsJsonSchemaText(), 'stale: run "npm run schema" and commit feeds.schema.json');
  const pkg = JSON.parse(await read('package.json')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.schema ?? '', /scripts\/make-schema\.ts/);
});

test('the sample feeds.json points at it and passes it; so does every config the code accepts', async () => {
  const schema = JSON.parse(await read('feeds.schema.json')) as object;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const sample = JSON.parse(await read('feeds.json')) as { $schema: string };
  assert.equal(sample.$schema, './feeds.schema.json');
  assert.ok(validate(sample), JSON.stringify(validate.errors));

  const everything = {
    site: {
      title: 'T',
      url: 'https://u.github.io/r/',
      description: 'd',
      language: 'zh-CN',
      strings: { 'nav.latest': '最新', 'count.articles': { one: '{count} post', other: '{count} posts' } },
      timezone: 'Asia/Shanghai',
      itemsPerPage: 20,
      templates: 'tpl',
      cname: 'x.example',
    },
    images: { quality: 70, maxWidth: 1200, widths: [480, 1200], maxBytes: 1000, maxPixels: 1000, referers: { 'sinaimg.cn': 'https://weibo.com/' } },
    fetch: { allowPrivateNetworks: true, concurrency: 4, perHost: 1, timeoutSeconds: 10, feedDeadlineSeconds: 30, retries: 1, maxBytes: 1000, maxRedirects: 3, userAgent: 'UA' },
    archive: { maxItemsPerFeed: 100, maxAgeDays: 365 },
    filters: { include: ['a'], exclude: [{ pattern: 'b', fields: ['title', 'author'], caseSensitive: true }] },
    feeds: [
      { id: 'a', url: 'https://a.example/feed', title: 'A', category: 'c', enabled: false, language: 'en', userAgent: 'UA', headers: { Cookie: 'x' }, maxItems: 5, proxy: 'http://127.0.0.1:3128', filters: { exclude: ['ad'] } },
    ],
  };
  assert.ok(validate(everything), JSON.stringify(validate.errors));
  resolveConfig(everything, '/tmp/feeds.json'); // and the code agrees
});

test('it refuses what the code refuses: unknown keys anywhere, wrong types', async () => {
  const validate = new Ajv({ strict: false }).compile(JSON.parse(await read('feeds.schema.json')) as object);
  for (const bad of [
    { feeds: [], extra: 1 },
    { site: { tittle: 'x' }, feeds: [] },
    { site: { strings: { 'nav.lates': 'x' } }, feeds: [] },
    { site: { strings: { 'nav.latest': { one: 'x' } } }, feeds: [] },
    { feeds: [{ url: 'https://a.example/', maxitems: 3 }] },
    { feeds: [{ url: 'https://a.example/', maxItems: 0 }] },
    { feeds: [{ url: 'https://a.example/', enabled: 'yes' }] },
    { feeds: [{ url: 'https://a.example/', id: 'Not A Slug' }] },
    { feeds: [{ url: 'https://a.example/', filters: { include: [{ pattern: 'x', fields: ['body'] }] } }] },
    { fetch: { concurrency: 0 }, feeds: [] },
    {},
  ]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
    assert.throws(() => resolveConfig(bad, '/tmp/feeds.json'), JSON.stringify(bad));
  }
});

test('every option carries a description, for editor tooltips', async () => {
  const schema = JSON.parse(await read('feeds.schema.json')) as Record<string, unknown>;
  const missing: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] };
    for (const [key, child] of Object.entries(n.properties ?? {})) {
      if (!(child as { description?: string }).description) missing.push(`${at}.${key}`);
      walk(child, `${at}.${key}`);
    }
    walk(n.items, `${at}[]`);
    for (const alt of n.anyOf ?? []) walk(alt, at);
  };
  walk(schema, '');
  assert.deepEqual(missing, []);
});
