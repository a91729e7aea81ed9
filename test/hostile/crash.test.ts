/**
 * Never lose or corrupt data: the real CLI (`node bin/feed-digest.js build`)
 * is killed with SIGKILL at points spread across a build: as it takes the
 * lock, halfway through the feeds, while it downloads images, in the middle
 * of writing a state file, as it rewrites the status file, as it starts to
 * update the site, while it writes new article pages, and at 75% of a
 * build's length. The feeds
 * move on between rounds, so every build has new articles to save and older
 * ones exist only in the archive.
 *
 * After each kill: every JSON file in the cache parses, the archive loads
 * with no damage reported, and every article archived before is still
 * there. After the last kill, an ordinary build completes and publishes
 * every article ever archived, and its site is the site a render into an
 * empty folder makes (the site is updated in place: no page a killed
 * render left behind may survive as it was).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { build } from '../../src/build.ts';
import { loadArchive, stateDir } from '../../src/archive/index.ts';
import { renderState } from '../../src/pipeline/state-commands.ts';
import { tempDir } from '../support/tmp.ts';
import { brokenJsonFiles, closeServer, listFiles, listen, makeImages, publishedItems, rss, runCli } from './corpus.ts';

const FEEDS = 10;
const ITEMS = 30;
/** Each round the feeds move on by this many items: the oldest leave the feed and live only in the archive. */
const STEP = 8;
const SITE = 'http://localhost:8080/';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

interface KillPoint {
  name: string;
  /** Resolves when the build has reached the point; the test then kills it at once. */
  arm(ctx: { cache: string; out: string; served: () => number; requested: () => number; imageRequests: () => number }): { ready: Promise<void>; disarm(): void };
}

/** Polls `check` every 2 ms. */
function when(check: () => boolean): { ready: Promise<void>; disarm(): void } {
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  return { ready, disarm: () => clearInterval(timer) };
}

/** Resolves on the first file event in `dir` whose name matches: inotify sees a temp file the moment it is created. */
function onFile(dir: string, match: RegExp): { ready: Promise<void>; disarm(): void } {
  let watcher: fs.FSWatcher | undefined;
  const ready = new Promise<void>((resolve) => {
    watcher = fs.watch(dir, (_event, name) => {
      if (name && match.test(name)) resolve();
    });
  });
  return { ready, disarm: () => watcher?.close() };
}

const exists = (p: string) => fs.existsSync(p);

const KILL_POINTS: KillPoint[] = [
  { name: 'as it takes the lock', arm: ({ cache }) => when(() => exists(path.join(cache, 'build.lock'))) },
  { name: 'halfway through the feeds', arm: ({ served }) => when(() => served() >= FEEDS / 2) },
  { name: 'while it downloads images', arm: ({ imageRequests }) => when(() => imageRequests() > 0) },
  { name: 'in the middle of writing a state file', arm: ({ cache }) => onFile(path.join(stateDir(cache), 'feeds'), /\.tmp$/) },
  { name: 'as it rewrites status.json', arm: ({ cache }) => onFile(stateDir(cache), /^\.status\.json\..*\.tmp$/) },
  // The render drops its record of the site first: the event is that removal.
  { name: 'as it starts to update the site', arm: ({ cache }) => onFile(path.join(cache, 'render'), /^site-manifest\.json$/) },
  { name: 'while it writes new article pages', arm: ({ out }) => onFile(path.join(out, 'articles'), /^[0-9a-f]{32}$/) },
];

test('a build killed with SIGKILL at any point loses nothing and corrupts nothing; the next build completes with every article', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const { photo } = await makeImages();
  // A few distinct images, so some conversions happen in every round.
  const images = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => sharp(photo).resize(200 + 40 * i).modulate({ hue: i * 50 }).jpeg().toBuffer()));

  let round = 0;
  let requests = 0;
  let served = 0;
  let imageRequests = 0;
  let origin = '';
  const server = http.createServer((req, res) => {
    const feed = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '')?.[1];
    if (feed !== undefined) {
      requests++;
      const f = Number(feed);
      const first = round * STEP;
      const items = Array.from({ length: ITEMS }, (_, k) => {
        const n = first + k;
        return {
          title: `Feed ${f} article ${n}`,
          link: `http://example.com/${f}/${n}`,
          date: new Date(Date.UTC(2024, 0, 1, 0, n)),
          // Enough text that a state file takes a while to write; an image on some.
          html: `<p>${`Article ${n} of feed ${f}, round ${round}. `.repeat(40)}</p>${n % 5 === 0 ? `<img src="${origin}/img/${n % images.length}.jpg?r=${round}">` : ''}`,
        };
      });
      // Feeds answer one after another, so the build spends a while fetching.
      setTimeout(() => {
        served++;
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`Feed ${f}`, items, `${origin}/`));
      }, 40 * f);
      return;
    }
    const image = /^\/img\/(\d+)\.jpg/.exec(req.url ?? '')?.[1];
    if (image !== undefined) {
      imageRequests++;
      return void setTimeout(() => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(images[Number(image)]), 30);
    }
    res.writeHead(404).end();
  });
  origin = await listen(server);
  t.after(() => closeServer(server));
  const config = path.join(dir, 'feeds.json');
  const feeds = Array.from({ length: FEEDS }, (_, f) => ({ id: `feed-${f}`, url: `${origin}/feed/${f}.xml` }));
  await writeFile(config, JSON.stringify({ site: { title: 'Crash test', url: SITE }, fetch: { allowPrivateNetworks: true }, feeds }));

  const archivedIds = async (): Promise<{ ids: Set<string>; warnings: string[] }> => {
    const loaded = await loadArchive(cache, feeds);
    return { ids: new Set([...loaded.feeds.values()].flatMap((s) => s.articles.map((a) => a.id))), warnings: loaded.warnings };
  };

  // Round 0: a complete build.
  await build({ config, out, cache, quiet: true });
  let known = (await archivedIds()).ids;
  assert.equal(known.size, FEEDS * ITEMS);

  // A build from the start of the CLI to its end, measured when one finishes before its kill point.
  let typicalMs = 8000;
  const after = (fraction: number) => {
    let timer: NodeJS.Timeout | undefined;
    return { ready: new Promise<void>((r) => (timer = setTimeout(r, fraction * typicalMs))), disarm: () => clearTimeout(timer) };
  };
  const points: KillPoint[] = [
    ...KILL_POINTS,
    // And at a fixed fraction of a build's length, wherever it falls.
    { name: 'at 75% of a build', arm: () => after(0.75) },
  ];
  const outcomes: string[] = [];
  let kills = 0;

  for (const point of points) {
    round++;
    requests = 0;
    served = 0;
    imageRequests = 0;
    const { child, done } = runCli(['build', '--config', config, '--out', out, '--cache', cache, '--quiet'], { ...process.env, CI: '1' });
    const started = Date.now();
    const armed = point.arm({ cache, out, served: () => served, requested: () => requests, imageRequests: () => imageRequests });
    const reached = await Promise.race([armed.ready.then(() => true), done.then(() => false)]);
    if (reached) {
      child.kill('SIGKILL');
      kills++;
    }
    armed.disarm();
    const result = await done;
    const ms = Date.now() - started;
    if (!reached) {
      // The build finished before the point came: fine, and a measure of how long a build takes.
      assert.equal(result.code, 0, result.stderr);
      typicalMs = ms;
    } else assert.equal(result.signal, 'SIGKILL', `${point.name}: the build was killed (${result.stderr})`);
    // Temp files left behind are the mark of a write the kill interrupted (the next load removes them).
    const temps = (await listFiles(stateDir(cache))).filter((f) => f.endsWith('.tmp')).length;
    outcomes.push(`${point.name}: ${reached ? `killed after ${ms} ms${temps ? `, ${temps} state writes cut short` : ''}` : `finished first (${ms} ms)`}`);

    // Nothing truncated, nothing damaged, nothing lost.
    assert.deepEqual(await brokenJsonFiles(cache), [], `${point.name}: every JSON file in the cache parses`);
    const now = await archivedIds();
    assert.deepEqual(now.warnings, [], `${point.name}: the archive loads with no damage`);
    const lost = [...known].filter((id) => !now.ids.has(id));
    assert.deepEqual(lost, [], `${point.name}: every article archived before is still archived`);
    known = now.ids;
  }

  // The next build completes: every article ever archived is published, the cache is clean.
  round++;
  const { report } = await build({ config, out, cache, quiet: true });
  assert.equal(report.totals.feeds.failed, 0);
  assert.deepEqual(report.warnings.filter((w) => /state|damaged|corrupt/i.test(w)), []);
  const final = await archivedIds();
  t.diagnostic(outcomes.join('\n'));
  // Everything archived before, plus everything the feeds list now (an item that came and went
  // only while builds were being killed was never archived: nothing of it was lost).
  const listedNow = feeds.flatMap((_, f) => Array.from({ length: ITEMS }, (_x, k) => md5(`http://example.com/${f}/${round * STEP + k}`)));
  assert.deepEqual([...known, ...listedNow].filter((id) => !final.ids.has(id)), [], 'every article ever archived, and every one listed now, is archived');
  const expectedTotal = new Set([...known, ...listedNow]).size;
  assert.equal(final.ids.size, expectedTotal);
  const published = new Set<string>();
  for (const f of feeds) for (const item of await publishedItems(out, SITE, `api/feeds/${f.id}.json`)) published.add(item.id);
  assert.deepEqual([...final.ids].filter((id) => !published.has(id)), [], 'and published');
  assert.deepEqual(await brokenJsonFiles(cache), []);
  assert.deepEqual(await brokenJsonFiles(out), []);
  // Byte for byte what a render of the same archive into an empty folder makes (at the same time: pages show it).
  const freshOut = path.join(dir, 'fresh-site');
  const freshCache = path.join(dir, 'fresh-cache');
  await cp(cache, freshCache, { recursive: true });
  await rm(path.join(freshCache, 'render'), { recursive: true, force: true });
  const builtAt = new Date(JSON.parse(await readFile(path.join(out, 'api', 'feeds.json'), 'utf8')).generated_at as string);
  await renderState({ config, cache: freshCache, out: freshOut, now: builtAt, quiet: true });
  const differ: string[] = [];
  // The report alone differs: it holds this build's timings.
  const siteFiles = (await listFiles(out)).filter((f) => f !== 'api/report.json').sort();
  assert.deepEqual(siteFiles, (await listFiles(freshOut)).filter((f) => f !== 'api/report.json').sort(), 'the same files as a fresh render');
  for (const f of siteFiles) if (!(await readFile(path.join(out, f))).equals(await readFile(path.join(freshOut, f)))) differ.push(f);
  assert.deepEqual(differ, [], 'every file as a fresh render writes it');
  const leftovers = (await listFiles(stateDir(cache))).filter((f) => f.endsWith('.tmp') || /corrupt|foreign/.test(f));
  assert.deepEqual(leftovers, [], 'no temp files or damaged copies in the state folder');
  assert.ok(!(await readdir(cache)).includes('build.lock'), 'the lock is released');
  assert.ok(kills >= points.length - 3, `killed ${kills} of ${points.length} builds:\n${outcomes.join('\n')}`);

  t.diagnostic(`reliability: SIGKILLs ${kills}, builds that could not resume 0, articles lost 0 of ${expectedTotal}, truncated files 0`);
});
