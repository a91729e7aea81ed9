/**
 * Past one machine: the demo feeds fetched by four `--shard i/4` builds
 * (each with its own cache, as matrix jobs have), merged, then rendered,
 * give the same site as one plain build of the same feeds at the same time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, mergeStateDirs, renderState } from '../../src/build.ts';
import { inShard, parseShardSpec, shardOf } from '../../src/shard/index.ts';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const NOW = new Date('2026-03-01T10:00:00Z');

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** What may differ between two builds of the same feeds at the same `now`: how long fetches took. */
function normalize(file: string, body: Buffer): string {
  if (!/\.(html|json|xml|opml|txt|css|js)$/.test(file)) return createHash('sha256').update(body).digest('hex');
  return body.toString('utf8').replace(/"ms":\s*\d+/g, '"ms":0');
}

test('--shard i/n: a stable split where every feed lands in exactly one shard', () => {
  const ids = Array.from({ length: 400 }, (_, i) => `feed-${i}`);
  const counts = [0, 0, 0, 0];
  for (const id of ids) {
    const owners = [1, 2, 3, 4].filter((index) => inShard(id, { index, count: 4 }));
    assert.equal(owners.length, 1, `${id} is in one shard`);
    counts[owners[0]! - 1]!++;
    assert.equal(shardOf(id, 4), owners[0], 'the same answer every time');
  }
  for (const c of counts) assert.ok(c > 60 && c < 140, `shards are roughly even: ${counts.join(' ')}`);
  assert.deepEqual(parseShardSpec('2/4'), { ok: true, value: { index: 2, count: 4 } });
  for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) assert.equal(parseShardSpec(bad).ok, false, bad);
});

test('4 shards + merge + render produce the same articles, pages and JSON as one plain build', async (t) => {
  const dir = await tempDir(t);
  const server = await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds'));
  t.after(() => server.close());
  const template = JSON.parse((await readFile(path.join(REPO_ROOT, 'demo', 'feeds.json'), 'utf8')).replaceAll('__ORIGIN__', server.origin));
  delete template.$schema;
  template.site.url = 'https://user.github.io/digest/';
  const config = path.join(dir, 'feeds.json');
  await writeFile(config, JSON.stringify(template));

  const plainOut = path.join(dir, 'plain');
  const plain = await build({ config, out: plainOut, cache: path.join(dir, 'plain-cache'), quiet: true, now: NOW });

  // The matrix: four fetch jobs at once, each with its own cache and no site.
  const shardOut = path.join(dir, 'never-written');
  const states = [1, 2, 3, 4].map((i) => path.join(dir, `state-${i}`));
  const shards = await Promise.all(
    states.map((cache, i) => build({ config, out: shardOut, cache, quiet: true, now: NOW, shard: { index: i + 1, count: 4 } })),
  );
  assert.deepEqual(
    shards.flatMap((s) => s.report.feeds.map((f) => f.id)).sort(),
    plain.report.feeds.map((f) => f.id).sort(),
    'each feed fetched by exactly one shard',
  );
  assert.ok(shards.some((s) => s.report.feeds.length === 0), 'an empty shard works too');
  await assert.rejects(readdir(shardOut), 'a shard build renders nothing');

  const merged = path.join(dir, 'merged');
  const result = await mergeStateDirs({ config, cache: merged, states, quiet: true });
  assert.equal(result.feeds, 5);
  const mergedOut = path.join(dir, 'sharded');
  await renderState({ config, cache: merged, out: mergedOut, quiet: true, now: NOW });

  const plainFiles = await files(plainOut);
  const shardedFiles = await files(mergedOut);
  assert.deepEqual(shardedFiles, plainFiles, 'the same files');
  assert.ok(plainFiles.filter((f) => f.startsWith('articles/')).length >= 20);
  const different: string[] = [];
  for (const f of plainFiles) {
    if (f === 'api/report.json') continue; // timings and per-job figures
    const [a, b] = await Promise.all([readFile(path.join(plainOut, f)), readFile(path.join(mergedOut, f))]);
    if (normalize(f, a) !== normalize(f, b)) different.push(f);
  }
  assert.deepEqual(different, [], 'every page, JSON document, feed and image is the same');

  // The combined report has every feed's figures, in config order.
  const report = JSON.parse(await readFile(path.join(mergedOut, 'api', 'report.json'), 'utf8'));
  assert.deepEqual(report.feeds.map((f: { id: string }) => f.id), plain.report.feeds.map((f) => f.id));
  assert.equal(report.totals.articles.total, plain.report.totals.articles.total);
  assert.equal(report.totals.articles.new, plain.report.totals.articles.new);
});
