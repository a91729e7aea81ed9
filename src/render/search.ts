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
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';

const UNUSED_FILES = ['pagefind-component-ui.js', 'pagefind-component-ui.css', 'pagefind-modular-ui.js', 'pagefind-modular-ui.css'];

export interface SearchIndexResult {
  pages: number;
  /** Pagefind language code → pages indexed in it. */
  languages: Record<string, number>;
  ms: number;
}

export async function writeSearchIndex(siteDir: string, bundleDir: string): Promise<SearchIndexResult> {
  const started = performance.now();
  try {
    const { index, errors } = await pagefind.createIndex({ keepIndexUrl: false });
    if (!index) throw new Error(errors.join('; ') || 'could not start Pagefind');
    const added = await index.addDirectory({ path: siteDir, glob: 'articles/*/index.html' });
    if (added.errors.length > 0) throw new Error(added.errors.join('; '));
    const bundle = path.join(siteDir, bundleDir);
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
