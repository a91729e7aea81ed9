/**
 * The search index in parts (real Pagefind): each part indexes a slice of
 * the articles in the order they were first seen, a render re-indexes only
 * the parts whose pages changed, and the site's bundle always matches what
 * a render into an empty folder makes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { renderSite, type RenderInput } from '../../src/render/index.ts';
import { tempDir } from '../support/tmp.ts';
import { assertSameFiles, files, renderFresh } from './same-site.ts';
import { syntheticInput } from './synthetic.ts';

/** `n` articles; article k was first seen (and published) k hours after the first. */
async function input(dir: string, n: number): Promise<RenderInput> {
  const articles = Array.from({ length: n }, (_, k) => {
    const time = new Date(Date.UTC(2026, 10, 1, k)).toISOString();
    return { title: `Story ${k}`, published: time, firstSeen: time, contentHtml: `<p>Story ${k} is about the word marker${k}.</p>` };
  }).reverse();
  const made = await syntheticInput(dir, { feeds: [{ id: 'a', title: 'Feed A', articles }] });
  return { ...made, searchPartSize: 3 };
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
  const keyTime = async (made: RenderInput, n: number) => (await stat(path.join(made.workDir, 'search', String(n), 'key.json'))).mtimeMs;

  const eight = await input(dir, 8);
  const r1 = await renderSite(eight);
  assert.deepEqual(r1.warnings, []);
  assert.equal(r1.search?.pages, 8);
  assert.equal(r1.search?.parts, 3);
  assert.equal(r1.search?.partsIndexed, 3);
  assert.deepEqual((await readParts(eight)).parts.map((p) => [p.path, p.pages]), [['0/', 3], ['1/', 3], ['2/', 2]]);
  // The UI once, at the root; each part is a Pagefind bundle without it.
  assert.deepEqual((await readdir(path.join(eight.outDir, 'pagefind'))).sort(), ['0', '1', '2', 'pagefind-highlight.js', 'pagefind-ui.css', 'pagefind-ui.js', 'parts.json']);
  const part0 = await readdir(path.join(eight.outDir, 'pagefind', '0'));
  assert.ok(part0.includes('pagefind.js') && part0.includes('pagefind-entry.json'), part0.join(' '));
  assert.ok(!part0.includes('pagefind-ui.js'));
  await assertSameBundle(eight, dir, 'first render');

  // One more article: it was seen last, so it joins the last part; the others are not indexed again.
  const before = [await keyTime(eight, 0), await keyTime(eight, 1)];
  const nine = await input(dir, 9);
  const r2 = await renderSite(nine);
  assert.equal(r2.search?.partsIndexed, 1);
  assert.deepEqual([await keyTime(nine, 0), await keyTime(nine, 1)], before, 'parts 0 and 1 kept');
  assert.deepEqual((await readParts(nine)).parts.map((p) => p.pages), [3, 3, 3]);
  await assertSameBundle(nine, dir, 'one new article');

  // Nothing new: nothing indexed.
  assert.equal((await renderSite(nine)).search?.partsIndexed, 0);

  // The archive shrinks: the parts beyond it go, from the site and from the cache.
  const four = await input(dir, 4);
  const r4 = await renderSite(four);
  assert.equal(r4.search?.parts, 2);
  assert.equal(r4.search?.partsIndexed, 1, 'part 0 holds the same pages');
  assert.deepEqual((await readdir(path.join(four.workDir, 'search'))).sort(), ['0', '1']);
  await assertSameBundle(four, dir, 'smaller archive');

  // The site's bundle lost (a fresh checkout of the site branch): linked again from the cache, not indexed.
  await rm(path.join(four.outDir, 'pagefind'), { recursive: true });
  const r5 = await renderSite(four);
  assert.equal(r5.search?.partsIndexed, 0);
  await assertSameBundle(four, dir, 'bundle restored from the cache');
});
