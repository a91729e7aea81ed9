/**
 * Upgrades never lose an archive. Each folder of test/fixtures/state/ is a
 * state folder written by a released feed-digest (never regenerated); this
 * version reads it with every article, its metadata, validators and health,
 * saves it in the current format, and renders a JSON archive that still has
 * every item the old version published. Also the migration chain itself:
 * steps run in order from a file's version, and a file from a newer version
 * or with no version is not migrated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadArchive, saveArchive, stateDir } from '../../src/archive/index.ts';
import { MIGRATIONS, STATE_VERSION, migrateState, type StateMigration } from '../../src/archive/migrate.ts';
import { loadConfig } from '../../src/config/index.ts';
import { renderState } from '../../src/build.ts';
import type { Article } from '../../src/model/archive.ts';
import { FIXTURES, tempDir } from '../support/tmp.ts';

const RELEASES = path.join(FIXTURES, 'state');
const releases = (await readdir(RELEASES, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);

interface FeedFile {
  version: number;
  id: string;
  meta: Record<string, unknown>;
  articles: Article[];
}
interface StatusFile {
  version: number;
  feeds: Record<string, { url: string; http: Record<string, unknown>; health: Record<string, unknown>; articles: number }>;
}
const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

/** The fields that identify an article to its readers: no migration may change them. */
const identity = (a: Article) => ({ id: a.id, link: a.link, title: a.title, published: a.published, firstSeen: a.firstSeen });

test('there are released state folders to upgrade from', () => {
  assert.ok(releases.includes('0.1.0'), releases.join(', '));
});

for (const release of releases) {
  test(`a state folder written by feed-digest ${release} is read, saved and published with nothing lost`, async (t) => {
    const fixture = path.join(RELEASES, release);
    const cache = await tempDir(t);
    await cp(path.join(fixture, 'state'), stateDir(cache), { recursive: true });
    const configFile = path.join(fixture, 'feeds.json');
    const config = await loadConfig(configFile);
    const status = await readJson<StatusFile>(path.join(fixture, 'state', 'status.json'));
    const files = new Map<string, FeedFile>();
    for (const feed of config.feeds) files.set(feed.id, await readJson<FeedFile>(path.join(fixture, 'state', 'feeds', `${feed.id}.json`)));
    const written = status.version;
    assert.ok(written <= STATE_VERSION);

    const check = (archive: Awaited<ReturnType<typeof loadArchive>>, when: string) => {
      for (const feed of config.feeds) {
        const file = files.get(feed.id)!;
        const state = archive.feeds.get(feed.id)!;
        assert.equal(state.articles.length, file.articles.length, `${when}: ${feed.id}: every article`);
        if (written === STATE_VERSION) {
          // The same format: every field of every article, the metadata, validators and health, as written.
          assert.deepEqual(state.articles, file.articles, `${when}: ${feed.id}: articles`);
          assert.deepEqual(state.meta, file.meta, `${when}: ${feed.id}: meta`);
          assert.deepEqual(state.http, status.feeds[feed.id]!.http, `${when}: ${feed.id}: validators`);
          assert.deepEqual(state.health, status.feeds[feed.id]!.health, `${when}: ${feed.id}: health`);
        } else {
          assert.deepEqual(state.articles.map(identity), file.articles.map(identity), `${when}: ${feed.id}: articles`);
        }
      }
    };

    const loaded = await loadArchive(cache, config.feeds);
    if (written === STATE_VERSION) assert.deepEqual(loaded.warnings, []);
    else assert.ok(loaded.warnings.some((w) => w.includes(`state format ${written}`)), loaded.warnings.join('\n'));
    check(loaded, 'loaded');
    assert.ok([...loaded.feeds.values()].some((s) => s.health.consecutiveFailures > 0 && s.health.lastError), 'a failing feed\'s health came through');
    assert.ok([...loaded.feeds.values()].some((s) => s.articles.some((a) => a.attachments.length > 0)), 'attachments came through');

    // Saved in this version's format, and read back the same.
    await saveArchive(cache, loaded);
    for (const name of await readdir(path.join(stateDir(cache), 'feeds'))) {
      assert.equal((await readJson<FeedFile>(path.join(stateDir(cache), 'feeds', name))).version, STATE_VERSION, name);
    }
    assert.equal((await readJson<StatusFile>(path.join(stateDir(cache), 'status.json'))).version, STATE_VERSION);
    const again = await loadArchive(cache, config.feeds);
    assert.deepEqual(again.warnings, []);
    check(again, 'saved and read again');

    // Published: the JSON archive has every item the old version published, under the same id, title, link and date.
    const out = path.join(cache, '_site');
    await renderState({ config: configFile, cache, out, quiet: true, now: new Date('2026-11-20T10:00:00Z') });
    type Item = { id: string; url: string; title: string; date_published: string };
    const before = (await readJson<{ items: Item[] }>(path.join(fixture, 'site', 'api', 'all.json'))).items;
    const after = new Map((await readJson<{ items: Item[] }>(path.join(out, 'api', 'all.json'))).items.map((i) => [i.id, i]));
    assert.ok(before.length > 0);
    for (const item of before) {
      const now = after.get(item.id);
      assert.ok(now, `${item.title} is still published`);
      assert.deepEqual([now.url, now.title, now.date_published], [item.url, item.title, item.date_published], item.id);
    }
  });
}

test('every state version below the current one has its migration step', () => {
  for (let v = 1; v < STATE_VERSION; v++) assert.equal(MIGRATIONS.filter((m) => m.from === v).length, 1, `one step from version ${v}`);
  assert.ok(MIGRATIONS.every((m) => m.from >= 1 && m.from < STATE_VERSION), 'no step past the current version');
});

test('migrations run in order from a file\'s version to the current one; newer or unversioned files are left alone', () => {
  // A made-up history: 1 → 2 renamed "meta.title" to "meta.name", 2 → 3 moved articles under "archive".
  const steps: StateMigration[] = [
    {
      from: 2,
      description: 'articles under "archive"',
      feedFile: ({ articles, ...rest }) => ({ ...rest, version: 3, archive: { articles } }),
      statusFile: (doc) => ({ ...doc, version: 3 }),
    },
    {
      from: 1,
      description: 'meta.title is meta.name',
      feedFile: (doc) => {
        const { title, ...meta } = doc.meta as Record<string, unknown>;
        return { ...doc, version: 2, meta: { ...meta, name: title } };
      },
      statusFile: (doc) => ({ ...doc, version: 2 }),
    },
  ];
  const v1 = { version: 1, id: 'f', meta: { title: 'T', homeUrl: null }, articles: [{ id: 'a' }] };
  assert.deepEqual(migrateState('feed', v1, steps, 3), {
    ok: true,
    from: 1,
    doc: { version: 3, id: 'f', meta: { homeUrl: null, name: 'T' }, archive: { articles: [{ id: 'a' }] } },
  });
  assert.deepEqual(v1.meta, { title: 'T', homeUrl: null }, 'the input is not changed');
  assert.deepEqual(migrateState('status', { version: 2, feeds: {} }, steps, 3), { ok: true, from: 2, doc: { version: 3, feeds: {} } });
  const current = { version: 3, feeds: {} };
  assert.equal((migrateState('status', current, steps, 3) as { doc: unknown }).doc, current, 'the current version passes as it is');
  assert.deepEqual(migrateState('feed', { version: 4 }, steps, 3), { ok: false, why: 'newer', version: 4 });
  for (const version of [undefined, 0, 1.5, '1']) assert.deepEqual(migrateState('feed', { version }, steps, 3), { ok: false, why: 'unknown', version });
  assert.throws(() => migrateState('feed', { version: 1 }, steps.slice(0, 1), 3), /no migration from state version 1 to 2/);
  const wrong: StateMigration = { from: 1, description: '', feedFile: (d) => d, statusFile: (d) => d };
  assert.throws(() => migrateState('feed', { version: 1 }, [wrong], 2), /returned version 1, not 2/);
});
