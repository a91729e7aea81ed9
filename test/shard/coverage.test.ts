/**
 * merge and render never publish less than they were given without being
 * told to: states holding feeds the config does not list (the wrong
 * feeds.json), or configured feeds no state holds (a shard job that did
 * not run), stop them with exit 2 naming the feeds; a flag says when it is
 * intended. A plain build says once, loudly, when a feed left the config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { build } from '../../src/build.ts';
import { shardOf } from '../../src/shard/index.ts';
import { runCli } from '../hostile/corpus.ts';
import { FIXTURES, tempDir } from '../support/tmp.ts';

const NOW = new Date('2026-03-01T10:00:00Z');
const FILES = ['rss2-basic.xml', 'atom10.xml', 'rdf.xml', 'jsonfeed11.json'];

async function config(dir: string, name: string, ids: string[]): Promise<string> {
  const file = path.join(dir, name);
  const feeds = ids.map((id, i) => ({ id, url: pathToFileURL(path.join(FIXTURES, 'feeds', FILES[i % FILES.length]!)).href }));
  await writeFile(file, JSON.stringify({ site: { title: name, url: 'https://example.org/digest/' }, feeds }));
  return file;
}

const cli = (args: string[]) => runCli([...args, '--quiet'], { ...process.env, CI: '1' }).done;

test('merge and render refuse to publish less than their input (exit 2, naming the feeds) unless a flag says so', async (t) => {
  const dir = await tempDir(t);
  const ids = ['alpha', 'beta', 'gamma', 'delta'];
  const right = await config(dir, 'feeds.json', ids);
  const other = path.join(dir, 'other');
  const wrong = await config(dir, 'other-feeds.json', ['omega']);
  const states = [1, 2].map((i) => path.join(dir, `state-${i}`));
  await Promise.all(states.map((cache, i) => build({ config: right, out: other, cache, quiet: true, now: NOW, shard: { index: i + 1, count: 2 } })));
  const inShard2 = ids.filter((id) => shardOf(id, 2) === 2);
  assert.ok(inShard2.length > 0 && inShard2.length < ids.length, 'both shards hold feeds');

  // The shard states merged with another project's feeds.json.
  const merged = path.join(dir, 'merged');
  const refused = await cli(['merge', ...states, '--config', wrong, '--cache', merged]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /hold feeds that .*other-feeds\.json does not list: alpha, beta, delta, gamma\. Their articles would not be published/);
  assert.match(refused.stderr, /other-feeds\.json lists feeds that no state holds: omega\. They would be published empty/);
  assert.ok(!existsSync(path.join(merged, 'state', 'status.json')), 'nothing merged');

  // One shard job cancelled, and no earlier merge to fall back on.
  const partial = await cli(['merge', states[0]!, '--config', right, '--cache', path.join(dir, 'partial')]);
  assert.equal(partial.code, 2, partial.stderr);
  assert.match(partial.stderr, new RegExp(`lists feeds that no state holds: ${inShard2.sort().join(', ')}\\.`));
  const allowed = await cli(['merge', states[0]!, '--config', right, '--cache', path.join(dir, 'partial'), '--allow-missing']);
  assert.equal(allowed.code, 0, allowed.stderr);

  assert.equal((await cli(['merge', ...states, '--config', right, '--cache', merged])).code, 0);
  // Once merged, a later merge missing shard 2 takes its feeds from the last merge: nothing is missing.
  assert.equal((await cli(['merge', states[0]!, '--config', right, '--cache', merged])).code, 0);

  // render with the wrong config, then told it is intended.
  const out = path.join(dir, '_site');
  const wrongRender = await cli(['render', '--config', wrong, '--cache', merged, '--out', out]);
  assert.equal(wrongRender.code, 2, wrongRender.stderr);
  assert.match(wrongRender.stderr, /The state in .*merged holds feeds that .*other-feeds\.json does not list: /);
  assert.ok(!existsSync(out), 'no site written');
  const intended = await cli(['render', '--config', wrong, '--cache', merged, '--out', out, '--allow-unlisted', '--allow-missing']);
  assert.equal(intended.code, 0, intended.stderr);
  assert.equal((await cli(['render', '--config', right, '--cache', merged, '--out', out])).code, 0);

  // render from a cache with no state.
  const empty = await cli(['render', '--config', right, '--cache', path.join(dir, 'empty'), '--out', path.join(dir, 'x')]);
  assert.equal(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /holds no state to render/);
});

test('a build whose config dropped a feed says so once: its articles are no longer published, its state is kept', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  const out = path.join(dir, '_site');
  const both = await config(dir, 'feeds.json', ['kept', 'dropped']);
  await build({ config: both, out, cache, quiet: true, now: NOW });
  const one = await config(dir, 'feeds.json', ['kept']);
  const first = await build({ config: one, out, cache, quiet: true, now: NOW });
  const said = first.report.warnings.filter((w) => w.includes('"dropped"'));
  assert.equal(said.length, 1, first.report.warnings.join('\n'));
  assert.match(said[0]!, /feed "dropped" is no longer in .*feeds\.json: its \d+ archived articles are no longer published \(its state stays in .*dropped\.json; add the feed back/);
  assert.ok(existsSync(path.join(cache, 'state', 'feeds', 'dropped.json')), 'its state is kept');
  const second = await build({ config: one, out, cache, quiet: true, now: NOW });
  assert.deepEqual(second.report.warnings.filter((w) => w.includes('"dropped"')), [], 'said once');
});
