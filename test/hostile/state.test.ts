/**
 * Corrupt and foreign state under --cache: a truncated file, a hand edit
 * that left comments and trailing commas, a file from a newer version, an
 * articles list with some bad entries, binary junk, an empty file, a
 * damaged status.json, a state file that vanished. Each is detected and
 * reported, the good articles are kept, the original bytes are set aside
 * before anything overwrites them, and the next save writes a clean file.
 * Finally a real build over damaged state: the report says so, the site
 * keeps the recovered articles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { loadArchive, saveArchive, stateDir } from '../../src/archive/index.ts';
import { emptyFeedState, type Article } from '../../src/model/archive.ts';
import { build } from '../../src/build.ts';
import fc from 'fast-check';
import { tempDir } from '../support/tmp.ts';
import { closeServer, listen, rss } from './corpus.ts';
import http from 'node:http';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function article(n: number, feed = 'f'): Article {
  const link = `http://example.com/${feed}/${n}`;
  return {
    id: md5(link),
    link,
    title: `Article ${n}`,
    author: n % 2 ? 'Ann' : null,
    published: new Date(Date.UTC(2024, 0, 1 + n)).toISOString(),
    modified: null,
    firstSeen: new Date(Date.UTC(2024, 0, 1 + n)).toISOString(),
    contentHtml: `<p>Body of article ${n}, with "quotes", braces {} and [brackets] to trip a naive scanner.</p>`,
    sourceHash: md5(`source ${n}`),
    excerpt: `Body of article ${n}`,
    categories: ['news'],
    images: [],
    cover: null,
    attachments: [],
  };
}

/** A cache holding one feed "f" with `n` articles, written by the store itself. */
async function seed(cache: string, n: number, feeds = ['f']): Promise<void> {
  const states = new Map(
    feeds.map((id) => {
      const s = emptyFeedState(id, `http://example.com/${id}.xml`);
      s.meta.title = `Feed ${id}`;
      s.articles = Array.from({ length: n }, (_, i) => article(n - i, id));
      return [id, s];
    }),
  );
  await saveArchive(cache, { feeds: states, fingerprints: new Map() });
}

const feedFile = (cache: string, id = 'f') => path.join(stateDir(cache), 'feeds', `${id}.json`);
const load = (cache: string, feeds = ['f']) => loadArchive(cache, feeds.map((id) => ({ id, url: `http://example.com/${id}.xml` })));

async function asideFiles(cache: string, kind: 'corrupt' | 'foreign'): Promise<string[]> {
  const names = await readdir(path.join(stateDir(cache), 'feeds'));
  return names.filter((n) => n.includes(`.json.${kind}-`));
}

/** Loads, checks the warning and the aside copy, saves, and checks the rewritten file is clean and complete. */
async function recoverAndSave(cache: string, original: Buffer, kind: 'corrupt' | 'foreign', warning: RegExp) {
  const loaded = await load(cache);
  assert.equal(loaded.warnings.length, 1, loaded.warnings.join('\n'));
  assert.match(loaded.warnings[0]!, warning);
  assert.match(loaded.warnings[0]!, new RegExp(`${path.basename(feedFile(cache))}`), 'the warning names the file');
  const aside = await asideFiles(cache, kind);
  assert.equal(aside.length, 1, `one ${kind} copy set aside`);
  assert.deepEqual(await readFile(path.join(stateDir(cache), 'feeds', aside[0]!)), original, 'the aside copy holds the original bytes');
  assert.match(loaded.warnings[0]!, new RegExp(aside[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the warning says where the original went');
  await saveArchive(cache, loaded);
  const rewritten = JSON.parse(await readFile(feedFile(cache), 'utf8'));
  assert.equal(rewritten.version, 1);
  assert.equal(rewritten.articles.length, loaded.feeds.get('f')!.articles.length, 'the rewritten file holds what was recovered');
  const again = await load(cache);
  assert.deepEqual(again.warnings, [], 'the next load is clean');
  return loaded.feeds.get('f')!.articles;
}

let recoveredTotal = 0;
let lostTotal = 0;

test('a truncated state file (half-written): every complete article is salvaged', async (t) => {
  const cache = await tempDir(t);
  await seed(cache, 40);
  const full = await readFile(feedFile(cache));
  const cut = full.subarray(0, Math.floor(full.length * 0.6));
  await writeFile(feedFile(cache), cut);
  const articles = await recoverAndSave(cache, cut, 'corrupt', /not valid JSON.*Kept (\d+) articles/);
  // Everything before the cut survives: only the article the cut went through is lost.
  const complete = (cut.toString().match(/"sourceHash"/g) ?? []).length;
  assert.ok(articles.length >= complete - 1 && articles.length > 15, `kept ${articles.length} of ${complete} complete articles`);
  assert.equal(articles[0]!.title, 'Article 40', 'newest first, intact');
  assert.deepEqual(articles[0], article(40));
  recoveredTotal += articles.length;
  lostTotal += complete - articles.length > 1 ? complete - articles.length - 1 : 0;
});

test('a hand-edited state file with comments and trailing commas keeps every article', async (t) => {
  const cache = await tempDir(t);
  await seed(cache, 5);
  const data = JSON.parse(await readFile(feedFile(cache), 'utf8'));
  data.articles[2].title = 'Edited by hand';
  const text = JSON.stringify(data, null, 2).replace('"version": 1,', '// edited\n  "version": 1, /* careful */').replace(/\n(\s*)\]\n\}$/, ',\n$1]\n}').replace('"news"', '"news",');
  await writeFile(feedFile(cache), text);
  const articles = await recoverAndSave(cache, Buffer.from(text), 'corrupt', /not strict JSON.*Kept 5 articles/);
  assert.ok(articles.some((a) => a.title === 'Edited by hand'), 'the hand edit is kept');
  recoveredTotal += articles.length;
});

test('a state file from a newer version: readable articles kept, unknown fields preserved, original set aside', async (t) => {
  const cache = await tempDir(t);
  await seed(cache, 6);
  const data = JSON.parse(await readFile(feedFile(cache), 'utf8'));
  data.version = 7;
  data.articles[0].sentiment = 'positive'; // a field this version does not know
  data.articles[1] = { format: 'v7-compact', blob: 'eJzLSM3JyQcABiwCFQ==' }; // one it cannot read at all
  const text = JSON.stringify(data);
  await writeFile(feedFile(cache), text);
  const articles = await recoverAndSave(cache, Buffer.from(text), 'foreign', /newer feed-digest \(state version 7.*Kept 5 articles/);
  assert.equal((articles[0] as Article & { sentiment?: string }).sentiment, 'positive', 'unknown fields survive the rewrite');
  recoveredTotal += articles.length;
  lostTotal += 0; // the unreadable one is in the aside copy
});

test('an articles list with some bad entries: the good ones are kept, the damaged ones repaired, the hopeless ones reported', async (t) => {
  const cache = await tempDir(t);
  await seed(cache, 8);
  const data = JSON.parse(await readFile(feedFile(cache), 'utf8'));
  data.articles[0].title = 42; // wrong type: repaired
  delete data.articles[1].excerpt; // missing: repaired
  data.articles[2].published = 'yesterday'; // unreadable date: repaired from firstSeen
  data.articles[3].id = 'not-an-md5'; // recomputed from the link
  data.articles.push(null, 'junk', { title: 'no link' }, { ...data.articles[4] }); // hopeless ×3, duplicate ×1
  const text = JSON.stringify(data);
  await writeFile(feedFile(cache), text);
  const articles = await recoverAndSave(cache, Buffer.from(text), 'corrupt', /3 of its 12 articles were unreadable.*5 articles had missing or wrong fields.*Kept 8 articles/);
  const byLink = new Map(articles.map((a) => [a.link, a]));
  assert.equal(byLink.get('http://example.com/f/8')!.title, '(untitled)');
  assert.equal(byLink.get('http://example.com/f/7')!.excerpt, '');
  assert.equal(byLink.get('http://example.com/f/6')!.published, article(6).firstSeen);
  assert.equal(byLink.get('http://example.com/f/5')!.id, md5('http://example.com/f/5'));
  assert.equal(new Set(articles.map((a) => a.id)).size, 8, 'no duplicates');
  recoveredTotal += articles.length;
});

test('binary junk and an empty file: reported and set aside, never silently replaced', async (t) => {
  for (const [name, bytes] of [
    ['junk', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 197) & 0xff))],
    ['empty', Buffer.alloc(0)],
  ] as const) {
    const cache = await tempDir(t);
    await seed(cache, 3);
    await writeFile(feedFile(cache), bytes);
    const loaded = await load(cache);
    assert.equal(loaded.warnings.length, 1, `${name}: ${loaded.warnings.join('\n')}`);
    assert.match(loaded.warnings[0]!, /not valid JSON.*Kept 0 articles.*saved as f\.json\.corrupt-/);
    assert.deepEqual(await readFile(path.join(stateDir(cache), 'feeds', (await asideFiles(cache, 'corrupt'))[0]!)), bytes);
    assert.deepEqual(await readFile(feedFile(cache)), bytes, `${name}: the original stays in place until a clean file replaces it`);
    // Loaded again without a save in between (a `render`): the same copy, not a second one.
    const again = await load(cache);
    assert.match(again.warnings[0]!, /saved as f\.json\.corrupt-/);
    assert.equal((await asideFiles(cache, 'corrupt')).length, 1, `${name}: one copy however often it is loaded`);
  }
});

test('a damaged status.json keeps the articles and the readable validators; a vanished state file is reported', async (t) => {
  const cache = await tempDir(t);
  await seed(cache, 4, ['f', 'g']);
  const statusFile = path.join(stateDir(cache), 'status.json');
  const status = JSON.parse(await readFile(statusFile, 'utf8'));
  status.feeds.f.http.etag = '"abc"';
  status.feeds.g = 'garbage';
  await writeFile(statusFile, JSON.stringify(status));
  let loaded = await load(cache, ['f', 'g']);
  assert.equal(loaded.warnings.length, 1, loaded.warnings.join('\n'));
  assert.match(loaded.warnings[0]!, /status\.json: 1 damaged entries.*validators and health of 1 feeds/);
  assert.equal(loaded.feeds.get('f')!.http.etag, '"abc"');
  assert.equal(loaded.feeds.get('g')!.articles.length, 4, 'articles do not depend on status.json');

  // status.json knows feed g had 4 articles: its file vanishing is not a silent fresh start.
  await saveArchive(cache, loaded);
  await rm(feedFile(cache, 'g'));
  loaded = await load(cache, ['f', 'g']);
  assert.equal(loaded.warnings.length, 1, loaded.warnings.join('\n'));
  assert.match(loaded.warnings[0]!, /g\.json is missing, but it held 4 articles at the last build/);

  // status.json that is not JSON at all.
  await writeFile(statusFile, '{"version":1,"feeds":{"f":{"url":"http://exa');
  loaded = await load(cache, ['f', 'g']);
  assert.match(loaded.warnings.join('\n'), /status\.json: not valid JSON/);
  assert.equal(loaded.feeds.get('f')!.articles.length, 4);
});

test('any cut or scribble in a state file: loading never throws; every article wholly before the damage is kept (property)', async (t) => {
  const cache = await tempDir(t);
  await seed(cache, 25);
  const full = await readFile(feedFile(cache));
  const text = full.toString();
  // Where each article's JSON ends in the file, to know which ones a cut leaves whole.
  const ends: number[] = JSON.parse(text).articles.map((a: Article) => text.indexOf(JSON.stringify(a)) + JSON.stringify(a).length);
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: full.length }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: full.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      async (cut, scribbles) => {
        runs++;
        const damaged = Buffer.from(full.subarray(0, cut));
        for (const [at, byte] of scribbles) if (at < damaged.length) damaged[at] = byte;
        await writeFile(feedFile(cache), damaged);
        const loaded = await load(cache);
        for (const aside of [...(await asideFiles(cache, 'corrupt')), ...(await asideFiles(cache, 'foreign'))]) await rm(path.join(stateDir(cache), 'feeds', aside));
        const kept = new Set(loaded.feeds.get('f')!.articles.map((a) => a.id));
        for (const a of loaded.feeds.get('f')!.articles) assert.match(a.id, /^[0-9a-f]{32}$/);
        if (cut === full.length && scribbles.length === 0) assert.deepEqual(loaded.warnings, []);
        else if (scribbles.length === 0) {
          // A clean cut: every article that ends before it survives.
          const whole = (JSON.parse(text).articles as Article[]).filter((_, i) => (ends[i] ?? Infinity) <= cut);
          for (const a of whole) assert.ok(kept.has(a.id), `cut at ${cut}: ${a.title} lost`);
        }
      },
    ),
    { numRuns: 100 },
  );
  t.diagnostic(`reliability: state-damage property runs ${runs}, throws 0, whole articles lost 0`);
});

test('a build over damaged state: reported in the build report, recovered articles published, the file rewritten', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  const out = path.join(dir, '_site');
  let items = [1, 2, 3, 4, 5, 6].map((n) => ({ title: `Item ${n}`, link: `http://example.com/live/${n}`, date: new Date(Date.UTC(2024, 1, n)) }));
  let origin = '';
  const server = http.createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Live', items, `${origin}/`)));
  origin = await listen(server);
  t.after(() => closeServer(server));
  const config = path.join(dir, 'feeds.json');
  await writeFile(config, JSON.stringify({ site: { url: 'https://example.org/' }, feeds: [{ id: 'live', url: `${origin}/feed.xml` }] }));
  await build({ config, out, cache, quiet: true });

  // The feed moves on (items 1–6 leave it), and the state file is cut in half.
  items = [7, 8].map((n) => ({ title: `Item ${n}`, link: `http://example.com/live/${n}`, date: new Date(Date.UTC(2024, 1, n)) }));
  const file = feedFile(cache, 'live');
  const full = await readFile(file);
  await writeFile(file, full.subarray(0, Math.floor(full.length * 0.7)));
  const { report } = await build({ config, out, cache, quiet: true });
  assert.ok(report.warnings.some((w) => /live\.json: not valid JSON.*Kept \d+ articles.*saved as live\.json\.corrupt-/.test(w)), report.warnings.join('\n'));
  const published = JSON.parse(await readFile(path.join(out, 'api', 'feeds', 'live.json'), 'utf8')).items as { url: string }[];
  const salvaged = published.filter((i) => /\/live\/[1-6]$/.test(i.url)).length;
  assert.ok(salvaged >= 3, `salvaged ${salvaged} of the 6 articles the feed no longer lists`);
  assert.ok(published.some((i) => i.url.endsWith('/live/8')));
  const rewritten = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(rewritten.articles.length, published.length, 'the state file is whole again');
  t.diagnostic(`reliability: corrupt/foreign state cases tried 9, articles recovered ${recoveredTotal}, articles lost beyond the damaged bytes ${lostTotal}`);
});
