/**
 * `feed-digest import-opml`: OPML exports merged into feeds.json without
 * losing anything already there (the file is appended to, byte for byte),
 * nested folders as categories, duplicates skipped, the result valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { importOpml } from '../../src/opml/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const SCHEMA = path.join(REPO_ROOT, 'feeds.schema.json');

const OPML = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Tech" title="Tech">
      <outline type="rss" text="Rust Blog" title="Rust Blog" xmlUrl="https://blog.rust-lang.org/feed.xml" htmlUrl="https://blog.rust-lang.org/"/>
      <outline text="Languages">
        <outline type="rss" text="Go Blog" xmlUrl="https://go.dev/blog/feed.atom"/>
      </outline>
      <outline type="rss" text="Already there (https, www, trailing slash)" xmlUrl="http://www.example.com/feed/"/>
    </outline>
    <outline text="News &amp; Views">
      <outline type="rss" title="Hacker News" text="HN" xmlUrl="https://hnrss.org/frontpage"/>
      <outline type="rss" text="Rust Blog again" xmlUrl="https://blog.rust-lang.org/feed.xml"/>
    </outline>
    <outline type="rss" text="Top level with a category attribute" xmlUrl="https://top.example/rss" category="/Misc/Odds,/Other"/>
    <outline type="rss" text="No URL"/>
    <outline type="rss" text="Bad URL" xmlUrl="not a url"/>
  </body>
</opml>`;

const EXISTING = `{
  "$schema": "./feeds.schema.json",
  "site": { "title": "Mine", "url": "https://me.github.io/digest/", "timezone": "Asia/Shanghai" },
  "fetch": { "perHost": 1 },
  "feeds": [
    { "id": "example", "url": "https://example.com/feed", "title": "Keep my title", "userAgent": "Custom/1", "maxItems": 5 },
    { "id": "blog-rust-lang-org-feed", "url": "https://other.example/feed.xml" }
  ]
}
`;

test('merges into an existing feeds.json: appended only, categories from folders, duplicates skipped', async (t) => {
  const dir = await tempDir(t);
  const config = path.join(dir, 'feeds.json');
  const opml = path.join(dir, 'subs.opml');
  await writeFile(config, EXISTING);
  await writeFile(opml, OPML);

  const r = await importOpml(opml, config, { schemaFile: SCHEMA });
  assert.equal(r.written, true);
  assert.equal(r.created, false);
  assert.deepEqual(
    r.added.map((a) => [a.url, a.title, a.category]),
    [
      ['https://blog.rust-lang.org/feed.xml', 'Rust Blog', 'Tech'],
      ['https://go.dev/blog/feed.atom', 'Go Blog', 'Tech / Languages'],
      ['https://hnrss.org/frontpage', 'Hacker News', 'News & Views'],
      ['https://top.example/rss', 'Top level with a category attribute', 'Misc / Odds'],
    ],
  );
  assert.deepEqual(
    r.skipped.map((s) => [s.url, s.reason.replace(/\(.*\)/, '(…)')]),
    [
      ['http://www.example.com/feed/', 'already in feeds.json as feeds[0] (…)'],
      ['https://blog.rust-lang.org/feed.xml', 'listed twice in the OPML (…)'],
    ],
  );
  assert.equal(r.problems.length, 2);
  assert.match(r.problems.join('\n'), /"No URL" has no xmlUrl/);
  assert.match(r.problems.join('\n'), /not a URL: not a url/);

  const text = await readFile(config, 'utf8');
  // Everything that was there is still there, byte for byte: four lines were inserted after the last entry.
  const last = '{ "id": "blog-rust-lang-org-feed", "url": "https://other.example/feed.xml" }';
  const cut = EXISTING.indexOf(last) + last.length;
  assert.ok(text.startsWith(EXISTING.slice(0, cut)));
  assert.ok(text.endsWith(EXISTING.slice(cut)));
  const inserted = text.slice(cut, text.length - (EXISTING.length - cut));
  assert.match(inserted, /^(,\n {4}\{ "id": "[a-z0-9-]+", "url": "[^"]+", "title": "[^"]+", "category": "[^"]+" \}){4}$/);

  const loaded = await loadConfig(config);
  assert.equal(loaded.site.title, 'Mine');
  assert.equal(loaded.fetch.perHost, 1);
  const example = loaded.feeds[0]!;
  assert.deepEqual([example.title, example.userAgent, example.maxItems], ['Keep my title', 'Custom/1', 5]);
  const rust = loaded.feeds.find((f) => f.url === 'https://blog.rust-lang.org/feed.xml')!;
  assert.notEqual(rust.id, 'blog-rust-lang-org-feed', 'a new id never takes one already in use');
  assert.equal(rust.category, 'Tech');
  assert.equal(new Set(loaded.feeds.map((f) => f.id)).size, loaded.feeds.length);

  // Importing again adds nothing.
  const again = await importOpml(opml, config, { schemaFile: SCHEMA });
  assert.equal(again.added.length, 0);
  assert.equal(again.written, false);
  assert.equal(await readFile(config, 'utf8'), text);
});

test('creates feeds.json when there is none, pointing $schema at the package schema', async (t) => {
  const dir = await tempDir(t);
  const config = path.join(dir, 'site', 'feeds.json');
  const opml = path.join(dir, 'subs.opml');
  await writeFile(opml, OPML);
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(config)));
  const r = await importOpml(opml, config, { schemaFile: SCHEMA });
  assert.equal(r.created, true);
  const json = JSON.parse(await readFile(config, 'utf8')) as { $schema: string; feeds: unknown[] };
  assert.equal(path.resolve(path.dirname(config), json.$schema), SCHEMA);
  assert.equal(json.feeds.length, 5);
  assert.equal((await loadConfig(config)).feeds.length, 5);
});

test('--dry-run writes nothing; a broken feeds.json is refused, not overwritten', async (t) => {
  const dir = await tempDir(t);
  const config = path.join(dir, 'feeds.json');
  const opml = path.join(dir, 'subs.opml');
  await writeFile(config, EXISTING);
  await writeFile(opml, OPML);
  const dry = await importOpml(opml, config, { schemaFile: SCHEMA, dryRun: true });
  assert.equal(dry.added.length, 4);
  assert.equal(dry.written, false);
  assert.equal(await readFile(config, 'utf8'), EXISTING);

  const broken = EXISTING.replace('"perHost": 1', '"perHots": 1');
  await writeFile(config, broken);
  await assert.rejects(importOpml(opml, config, { schemaFile: SCHEMA }), ConfigError);
  assert.equal(await readFile(config, 'utf8'), broken);

  await writeFile(path.join(dir, 'not.opml'), '<html><body>hello</body></html>');
  await assert.rejects(importOpml(path.join(dir, 'not.opml'), path.join(dir, 'new.json'), { schemaFile: SCHEMA }), /not an OPML file/);
});

test('an empty feeds array and a one-line feeds array both take new entries', async (t) => {
  const dir = await tempDir(t);
  const opml = path.join(dir, 'one.opml');
  await writeFile(opml, '<opml version="1.0"><body><outline text="A" xmlUrl="https://a.example/feed"/></body></opml>');
  for (const [name, text] of [
    ['empty.json', '{\n  "feeds": []\n}\n'],
    ['inline.json', '{ "feeds": [{ "url": "https://b.example/feed" }] }'],
  ] as const) {
    const config = path.join(dir, name);
    await writeFile(config, text);
    await importOpml(opml, config, { schemaFile: SCHEMA });
    const loaded = await loadConfig(config);
    assert.ok(loaded.feeds.some((f) => f.url === 'https://a.example/feed' && f.title === 'A'), name);
  }
  assert.equal(await readFile(path.join(dir, 'inline.json'), 'utf8'), '{ "feeds": [{ "url": "https://b.example/feed" }, { "id": "a-example-feed", "url": "https://a.example/feed", "title": "A" }] }');
});

test('the CLI: import-opml reports what it added and skipped', async (t) => {
  const dir = await tempDir(t);
  const config = path.join(dir, 'feeds.json');
  const opml = path.join(dir, 'subs.opml');
  await writeFile(config, EXISTING);
  await writeFile(opml, OPML);
  const bin = path.join(REPO_ROOT, 'bin', 'feed-digest.js');
  const { stdout } = await run(process.execPath, [bin, 'import-opml', opml, '--config', config]);
  assert.match(stdout, /\+ go-dev-blog-feed: https:\/\/go\.dev\/blog\/feed\.atom \[Tech \/ Languages\]/);
  assert.match(stdout, /= http:\/\/www\.example\.com\/feed\/: already in feeds\.json/);
  assert.match(stdout, /feeds\.json: added 4 feeds, skipped 2/);
});
