/**
 * The search index: Pagefind reads the article pages Eleventy wrote and
 * writes its bundle (index shards, WebAssembly, the search UI) into the
 * site, so search works on a static host with no server. Only article pages
 * are indexed, and only what `data-pagefind-body` marks (title + content).
 *
 * Pagefind splits the index by each page's `<html lang>`: Chinese and
 * Japanese pages get word segmentation at index time, and the browser
 * segments queries with Intl.Segmenter. public/search.js merges every
 * language's index, so one search box finds articles in any of them.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';
import { linkTree } from '../io/link-tree.ts';
import { swapFolder } from '../io/swap-folder.ts';

const UNUSED_FILES = ['pagefind-component-ui.js', 'pagefind-component-ui.css', 'pagefind-modular-ui.js', 'pagefind-modular-ui.css'];

export interface SearchIndexResult {
  pages: number;
  /** Pagefind language code → pages indexed in it. */
  languages: Record<string, number>;
  ms: number;
}

/**
 * The bundle of the last build, kept under --cache with the key of what it
 * indexed: when nothing searchable changed (an hourly build with no new
 * article), the bundle is copied instead of indexing every page again.
 */
export interface SearchCache {
  dir: string;
  /** A hash of everything the index depends on: pages' text, URLs, languages, templates, Pagefind's version. */
  key: string;
}

/**
 * Indexes the article pages into `bundleDir` of the site, unless the cache
 * holds a bundle with the same key: then that bundle is linked in, or, when
 * `bundlePresent` says the site already has it, left as it is.
 */
export async function writeSearchIndex(siteDir: string, bundleDir: string, cache?: SearchCache, bundlePresent = false): Promise<SearchIndexResult & { reused: boolean }> {
  const started = performance.now();
  const bundle = path.join(siteDir, bundleDir);
  if (cache) {
    const saved = await readFile(path.join(cache.dir, 'key.json'), 'utf8').then((t) => JSON.parse(t) as { key: string; result: SearchIndexResult }, () => null);
    if (saved?.key === cache.key) {
      if (!bundlePresent) {
        await rm(bundle, { recursive: true, force: true });
        await linkTree(path.join(cache.dir, 'bundle'), bundle);
      }
      return { ...saved.result, ms: Math.round(performance.now() - started), reused: true };
    }
  }
  // Pagefind names its files by content: the last bundle's files would stay beside the new ones.
  await rm(bundle, { recursive: true, force: true });
  const result = await indexPages(siteDir, bundle, bundleDir);
  if (cache) {
    // Saved whole or not at all: a stale key must never point at a half-copied bundle.
    const fresh = `${cache.dir}.partial`;
    await rm(fresh, { recursive: true, force: true });
    await linkTree(bundle, path.join(fresh, 'bundle'));
    await writeFile(path.join(fresh, 'key.json'), JSON.stringify({ key: cache.key, result }));
    await swapFolder(fresh, cache.dir);
  }
  return { ...result, ms: Math.round(performance.now() - started), reused: false };
}

async function indexPages(siteDir: string, bundle: string, bundleDir: string): Promise<SearchIndexResult> {
  const started = performance.now();
  try {
    const { index, errors } = await pagefind.createIndex({ keepIndexUrl: false });
    if (!index) throw new Error(errors.join('; ') || 'could not start Pagefind');
    const added = await index.addDirectory({ path: siteDir, glob: 'articles/*/index.html' });
    if (added.errors.length > 0) throw new Error(added.errors.join('; '));
    const written = await index.writeFiles({ outputPath: bundle });
    if (written.errors.length > 0) throw new Error(written.errors.join('; '));
    // The two other UIs Pagefind ships (~250 KB) are not used by the search page.
    for (const unused of UNUSED_FILES) await rm(path.join(bundle, unused), { force: true });
    const entry = JSON.parse(await readFile(path.join(siteDir, bundleDir, 'pagefind-entry.json'), 'utf8')) as {
      languages: Record<string, { page_count: number }>;
    };
    const languages = Object.fromEntries(Object.entries(entry.languages).map(([k, v]) => [k, v.page_count]));
    return { pages: added.page_count, languages, ms: Math.round(performance.now() - started) };
  } finally {
    // Pagefind runs as a child process; left open, it keeps Node alive.
    await pagefind.close();
  }
}
