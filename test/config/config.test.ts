/**
 * feeds.json validation: the per-feed options and their defaults, every
 * problem reported at once with its JSON path, "did you mean" for typos,
 * and `feed-digest check` (errors and warnings) run as a user runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, resolveConfig } from '../../src/config/index.ts';
import { checkConfig } from '../../src/config/check.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin', 'feed-digest.js');

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('per-feed options and their defaults', () => {
  const config = resolveConfig(
    {
      feeds: [
        { url: 'https://example.com/feed' },
        {
          id: 'full',
          url: 'https://example.org/rss',
          title: 'Full',
          category: 'tech',
          enabled: false,
          language: 'zh-CN',
          userAgent: 'Mozilla/5.0',
          headers: { Cookie: 'a=1' },
          maxItems: 20,
          proxy: 'socks5://127.0.0.1:1080',
          filters: { include: ['rust'], exclude: [{ pattern: 'AD', fields: ['title'], caseSensitive: true }] },
          fullText: 'auto',
        },
      ],
    },
    '/tmp/feeds.json',
  );
  const [plain, full] = config.feeds;
  assert.deepEqual(plain, {
    id: 'example-com-feed',
    url: 'https://example.com/feed',
    title: null,
    category: null,
    enabled: true,
    language: null,
    userAgent: null,
    headers: {},
    maxItems: null,
    proxy: null,
    filters: { include: [], exclude: [] },
    fullText: false,
  });
  assert.equal(full!.proxy, 'socks5://127.0.0.1:1080');
  assert.equal(full!.fullText, 'auto');
  assert.equal(config.fetch.pageDelayMs, 1000);
  assert.equal(full!.enabled, false);
  assert.deepEqual(full!.filters, {
    include: [{ pattern: 'rust', flags: 'i', fields: ['title', 'content', 'author', 'category'] }],
    exclude: [{ pattern: 'AD', flags: '', fields: ['title'] }],
  });
  assert.deepEqual(
    [config.fetch.timeoutMs, config.fetch.feedDeadlineMs, config.fetch.retries, config.site.timezone],
    [30_000, 60_000, 2, 'UTC'],
  );
  assert.deepEqual(config.filters, { include: [], exclude: [] });
  assert.ok(Object.isFrozen(config.feeds[1]!.filters.include[0]));
});

test('every problem at once, each with its JSON path', () => {
  const problems = problemsOf(() =>
    resolveConfig(
      {
        site: { tittle: 'x', url: 'ftp://example.com/', timezone: 'Mars/Olympus' },
        fetch: { concurency: 3, feedDeadlineSeconds: -1 },
        filters: { exclude: ['(unclosed'] },
        feeds: [
          { id: 'same', url: 'https://a.example/feed', maxitems: 3 },
          { id: 'same', url: 'mailto:someone@example.com' },
          { url: 'https://b.example/feed', proxy: 'not a url', headers: { 'Bad Header': 'x', Ok: 'line\nbreak' } },
          { url: 'https://c.example/feed', filters: { include: [{ pattern: 'x', feilds: ['title'] }] } },
          { url: 'https://d.example/feed', fullText: 'always' },
        ],
      },
      '/tmp/feeds.json',
    ),
  );
  const byPath = new Map(problems.map((p) => [p.path, p.message]));
  assert.match(byPath.get('site')!, /unknown key "tittle" \(did you mean "title"\?\)/);
  assert.match(byPath.get('site.url')!, /http\(s\) URL/);
  assert.match(byPath.get('site.timezone')!, /IANA time zone/);
  assert.match(byPath.get('fetch')!, /"concurency" \(did you mean "concurrency"\?\)/);
  assert.ok(byPath.has('fetch.feedDeadlineSeconds'));
  assert.match(byPath.get('filters.exclude[0]')!, /not a valid regular expression/);
  assert.match(byPath.get('feeds[0]')!, /"maxitems" \(did you mean "maxItems"\?\)/);
  assert.match(byPath.get('feeds[1].id')!, /duplicate id "same" \(also feeds\[0\]\)/);
  assert.match(byPath.get('feeds[1].url')!, /http\(s\) URL, a file: URL or a path/);
  assert.match(byPath.get('feeds[2].proxy')!, /proxy URL/);
  assert.ok([...byPath.keys()].some((p) => p.startsWith('feeds[2].headers')), JSON.stringify(problems));
  assert.match(byPath.get('feeds[3].filters.include[0]')!, /"feilds" \(did you mean "fields"\?\)/);
  assert.match(byPath.get('feeds[4].fullText')!, /expected true, false or "auto"/);
  assert.ok(problems.length >= 12, `${problems.length} problems`);
});

test('a derived id never takes an id another feed states', () => {
  const config = resolveConfig({ feeds: [{ url: 'https://example.com/feed' }, { id: 'example-com-feed', url: 'https://other.example/x' }] }, '/tmp/feeds.json');
  assert.notEqual(config.feeds[0]!.id, 'example-com-feed');
  assert.match(config.feeds[0]!.id, /^example-com-feed-[0-9a-f]{6}$/);
});

test('a JSON syntax error names the line and column', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'feeds.json');
  await writeFile(file, '{\n  "feeds": [\n    { "url": "https://a.example/" },,\n  ]\n}\n');
  await assert.rejects(loadConfig(file), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /not valid JSON \(line 3, column \d+\)/);
    return true;
  });
});

test('checkConfig: errors and warnings together (duplicate feeds, missing folders and files)', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'feeds.json');
  await writeFile(
    file,
    JSON.stringify({
      $schema: './nowhere.schema.json',
      site: { templates: 'my-templates' },
      fetch: { timeoutSeconds: 90, feedDeadlineSeconds: 60 },
      feeds: [
        { url: 'https://www.example.com/feed/' },
        { url: 'http://example.com/feed' },
        { url: 'local/missing.xml' },
        { url: 'https://ok.example/rss', bogus: true },
      ],
    }),
  );
  const r = await checkConfig(file);
  assert.equal(r.config, null);
  assert.deepEqual(r.errors.map((e) => e.path), ['feeds[3]']);
  const warnings = new Map(r.warnings.map((w) => [w.path, w.message]));
  assert.match(warnings.get('feeds[1].url')!, /same feed as feeds\[0\]/);
  assert.match(warnings.get('feeds[2].url')!, /missing\.xml does not exist/);
  assert.match(warnings.get('site.templates')!, /my-templates cannot be read/);
  assert.match(warnings.get('fetch.timeoutSeconds')!, /longer than fetch.feedDeadlineSeconds/);
  assert.match(warnings.get('$schema')!, /nowhere\.schema\.json not found/);

  await mkdir(path.join(dir, 'my-templates'));
  await mkdir(path.join(dir, 'local'));
  await writeFile(path.join(dir, 'local', 'missing.xml'), '<rss/>');
  await writeFile(file, JSON.stringify({ site: { templates: 'my-templates' }, feeds: [{ url: 'https://ok.example/rss' }, { url: 'local/missing.xml' }] }));
  const clean = await checkConfig(file);
  assert.deepEqual([clean.errors, clean.warnings], [[], []]);
  assert.equal(clean.config?.feeds.length, 2);
});

test('the CLI: check lists every error and warning, exit 2; the sample feeds.json is clean', async (t) => {
  const dir = await tempDir(t);
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ site: { tittle: 'x' }, feeds: [{ url: 'https://a.example/' }, { url: 'https://a.example' }, { id: 'Bad Id', url: 'https://b.example/' }] }));
  const failed = await run(process.execPath, [BIN, 'check', '--config', bad]).then(
    () => assert.fail('check should fail'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /bad\.json: 2 errors, 1 warning/);
  assert.match(failed.stderr, /error {3}site: unknown key "tittle" \(did you mean "title"\?\)/);
  assert.match(failed.stderr, /error {3}feeds\[2\]\.id: expected a slug/);
  assert.match(failed.stderr, /warning feeds\[1\]\.url: the same feed as feeds\[0\]/);

  // The sample feeds.json shipped at the repository root is clean.
  const sample = await checkConfig(path.join(REPO_ROOT, 'feeds.json'));
  assert.deepEqual([sample.errors, sample.warnings], [[], []]);
});

test('site.language must be a language tag; site.strings: known keys ("did you mean"), texts or plural forms, known placeholders', () => {
  const problems = problemsOf(() =>
    resolveConfig(
      {
        site: {
          language: 'Chinese please',
          strings: {
            'nav.lates': 'Newest',
            'nav.feeds': 3,
            'nav.archive': { one: 'a', other: 'b' },
            'count.articles': { one: '{cnt} post', other: '{count} posts' },
            'home.status': '{articles} · {time}',
          },
        },
        feeds: [],
      },
      '/tmp/feeds.json',
    ),
  );
  const byPath = new Map(problems.map((p) => [p.path, p.message]));
  assert.match(byPath.get('site.language')!, /expected a BCP 47 language tag/);
  assert.match(byPath.get('site.strings')!, /unknown key "nav\.lates" \(did you mean "nav\.latest"\?\)/);
  assert.doesNotMatch(byPath.get('site.strings')!, /allowed here/, 'the catalog keys are too many to list');
  assert.match(byPath.get('site.strings["nav.feeds"]')!, /expected a text, or plural forms/);
  assert.match(byPath.get('site.strings["nav.archive"]')!, /no plural forms: give one string/);
  assert.match(byPath.get('site.strings["count.articles"]')!, /unknown placeholder \{cnt\}; this text can use \{count\}/);
  assert.equal(problems.length, 5, JSON.stringify(problems));

  const ok = resolveConfig({ site: { language: 'zh-Hans-CN', strings: { 'nav.archive': '往期', 'count.articles': { other: '{count}篇' } } }, feeds: [] }, '/tmp/feeds.json');
  assert.deepEqual(ok.site.strings, { 'nav.archive': '往期', 'count.articles': { other: '{count}篇' } });
});

test('check: an unknown site.strings key fails it; a language with no catalog is a warning', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'feeds.json');
  await writeFile(file, JSON.stringify({ site: { language: 'fr', strings: { 'nav.archiv': 'Archives', 'nav.latest': 'Derniers' } }, feeds: [{ url: 'https://a.example/' }] }));
  const failed = await run(process.execPath, [BIN, 'check', '--config', file]).then(
    () => assert.fail('check should fail'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /error {3}site\.strings: unknown key "nav\.archiv" \(did you mean "nav\.archive"\?\)/);
  assert.match(failed.stderr, /warning site\.language: no built-in catalog speaks "fr" \(there are en, zh-CN, zh-TW, ja, ko\): the words the site writes itself will be English, except the 1 of \d+ that site\.strings gives/);

  for (const language of ['zh-HK', 'ja-JP', 'en-GB']) {
    await writeFile(file, JSON.stringify({ site: { language }, feeds: [{ url: 'https://a.example/' }] }));
    const r = await checkConfig(file);
    assert.deepEqual([r.errors, r.warnings], [[], []], language);
  }
});
