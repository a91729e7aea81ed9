/**
 * The search index in parts (real Pagefind): parts hold the articles in the
 * order they were first seen, the newest part is small, sealed parts are
 * merged into larger ones (search-parts.ts), a render re-indexes only the
 * parts whose pages changed, and the site's bundle always matches what a
 * render into an empty folder (with the same seals) makes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { renderSite, type RenderInput } from '../../src/render/index.ts';
import { tempDir } from '../support/tmp.ts';
import { assertSameFiles, files, renderFresh } from './same-site.ts';
import { syntheticInput } from './synthetic.ts';

/**
 * `n` articles; article k was first seen (and published) k hours after the
 * first; `seals` from the last render, as a build passes them on.
 */
async function input(dir: string, n: number, seals?: RenderInput['seals'], edit: (k: number) => string = () => ''): Promise<RenderInput> {
  const articles = Array.from({ length: n }, (_, k) => {
    const time = new Date(Date.UTC(2026, 10, 1, k)).toISOString();
    return { title: `Story ${k}`, published: time, firstSeen: time, contentHtml: `<p>Story ${k} is about the word marker${k}.${edit(k)}</p>` };
  }).reverse();
  const made = await syntheticInput(dir, { feeds: [{ id: 'a', title: 'Feed A', articles }] });
  return { ...made, searchPartSize: 3, ...(seals ? { seals } : {}) };
}

interface Parts {
  parts: { path: string; pages: number; languages: Record<string, number> }[];
}

/** The site's bundle is what a render of the same input into an empty folder writes. */
async function assertSameBundle(made: RenderInput, dir: string, label: string) {
  const expected = await files(path.join(await renderFresh(made, dir), 'pagefind'));
  await assertSameFiles(path.join(made.outDir, 'pagefind'), expected, label);
}

test('the search index is made in parts; a render re-indexes only the parts whose pages changed', async (t) => {
  const dir = await tempDir(t);
  const readParts = async (made: RenderInput) => JSON.parse(await readFile(path.join(made.outDir, 'pagefind', 'parts.json'), 'utf8')) as Parts;
  const keyTime = async (made: RenderInput, name: string) => (await stat(path.join(made.workDir, 'search', name, 'key.json'))).mtimeMs;

  const eight = await input(dir, 8);
  const r1 = await renderSite(eight);
  assert.deepEqual(r1.warnings, []);
  assert.equal(r1.search?.pages, 8);
  assert.equal(r1.search?.parts, 3);
  assert.equal(r1.search?.partsIndexed, 3);
  assert.deepEqual((await readParts(eight)).parts.map((p) => [p.path, p.pages]), [['1/', 3], ['2/', 3], ['3/', 2]]);
  // The UI once, at the root; each part is a Pagefind bundle without it.
  assert.deepEqual((await readdir(path.join(eight.outDir, 'pagefind'))).sort(), ['1', '2', '3', 'pagefind-highlight.js', 'pagefind-ui.css', 'pagefind-ui.js', 'parts.json']);
  const part1 = await readdir(path.join(eight.outDir, 'pagefind', '1'));
  assert.ok(part1.includes('pagefind.js') && part1.includes('pagefind-entry.json'), part1.join(' '));
  assert.ok(!part1.includes('pagefind-ui.js'));
  await assertSameBundle(eight, dir, 'first render');

  // One more article: it was seen last, so it joins the newest part; the others are not indexed again.
  const before = [await keyTime(eight, '1'), await keyTime(eight, '2')];
  const nine = await input(dir, 9, r1.seals);
  const r2 = await renderSite(nine);
  assert.equal(r2.search?.partsIndexed, 1);
  assert.deepEqual([await keyTime(nine, '1'), await keyTime(nine, '2')], before, 'parts 1 and 2 kept');
  assert.deepEqual((await readParts(nine)).parts.map((p) => p.pages), [3, 3, 3]);
  await assertSameBundle(nine, dir, 'one new article');

  // Nothing new: nothing indexed.
  assert.equal((await renderSite(nine)).search?.partsIndexed, 0);

  // Four full parts are merged into one part four times as large; the newest stays small.
  const thirteen = await input(dir, 13, r2.seals);
  const r3 = await renderSite(thirteen);
  assert.deepEqual((await readParts(thirteen)).parts.map((p) => [p.path, p.pages]), [['1-4/', 12], ['5/', 1]]);
  assert.equal(r3.search?.partsIndexed, 2);
  assert.deepEqual((await readdir(path.join(thirteen.workDir, 'search'))).sort(), ['1-4', '5'], 'merged parts leave the cache');
  await assertSameBundle(thirteen, dir, 'merged');
  const merged = await keyTime(thirteen, '1-4');
  const fourteen = await input(dir, 14, r3.seals);
  const r4 = await renderSite(fourteen);
  assert.equal(r4.search?.partsIndexed, 1, 'only the newest part');
  assert.equal(await keyTime(fourteen, '1-4'), merged);

  // An article of the merged part is updated: that part is indexed again, and finds the new word.
  const edited = await input(dir, 14, r4.seals, (k) => (k === 2 ? ' Now also about quokkas.' : ''));
  const r5 = await renderSite(edited);
  assert.equal(r5.search?.partsIndexed, 1);
  assert.notEqual(await keyTime(edited, '1-4'), merged);
  await assertSameBundle(edited, dir, 'updated article');

  // The archive shrinks: the parts beyond it go, from the site and from the cache.
  const four = await input(dir, 4, r5.seals);
  const r6 = await renderSite(four);
  assert.deepEqual((await readParts(four)).parts.map((p) => [p.path, p.pages]), [['1-4/', 4]]);
  assert.equal(r6.search?.partsIndexed, 1);
  assert.deepEqual((await readdir(path.join(four.workDir, 'search'))).sort(), ['1-4']);
  await assertSameBundle(four, dir, 'smaller archive');

  // The site's bundle lost (a fresh checkout of the site branch): linked again from the cache, not indexed.
  await rm(path.join(four.outDir, 'pagefind'), { recursive: true });
  const r7 = await renderSite(four);
  assert.equal(r7.search?.partsIndexed, 0);
  await assertSameBundle(four, dir, 'bundle restored from the cache');
});
