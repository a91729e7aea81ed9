/**
 * The search index: Pagefind reads the article pages Eleventy wrote and
 * writes its bundle (index shards, WebAssembly, the search UI) into the
 * site, so search works on a static host with no server. Only article pages
 * are indexed, and only what `data-pagefind-body` marks (title + content).
 *
 * The articles are indexed in parts, each a Pagefind bundle of its own
 * (pagefind/1-20/, pagefind/21-24/, pagefind/25/…) that the search page
 * merges (public/search.js, from pagefind/parts.json). Which article goes
 * in which part is search-parts.ts's: a log-structured layout, where new
 * articles land in a small newest part and sealed parts are merged into
 * larger ones, so an hourly build indexes what is new, not the archive.
 * Pagefind holds a whole index in memory while it builds it (~70 KB a
 * page: 5.7 GB for 100,000 articles, in a process of its own); in parts,
 * its memory is that of one part (5,000 pages at most).
 *
 * Pagefind splits each part by the pages' `<html lang>`: Chinese and
 * Japanese pages get word segmentation at index time, and the browser
 * segments queries with Intl.Segmenter. The search page merges every
 * language of every part, so one search box finds articles in any of them.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';
import { linkFile, linkTree } from '../io/link-tree.ts';
import { swapFolder } from '../io/swap-folder.ts';
import type { SearchPart } from './search-parts.ts';

/** Files Pagefind writes that the search page does not use (other UIs, ~250 KB). */
const UNUSED_FILES = ['pagefind-component-ui.js', 'pagefind-component-ui.css', 'pagefind-modular-ui.js', 'pagefind-modular-ui.css'];
/** The UI and the highlighter (public/app.js), the same in every part: published once, at the bundle's root. */
const UI_FILES = ['pagefind-ui.js', 'pagefind-ui.css', 'pagefind-highlight.js'];
/** The list of parts and their languages that the search page reads. */
export const PARTS_FILE = 'parts.json';


export interface SearchIndexResult {
  pages: number;
  /** Pagefind language code → pages indexed in it. */
  languages: Record<string, number>;
  parts: number;
  /** Parts indexed by this render; the others were unchanged. */
  partsIndexed: number;
  ms: number;
}

interface PartResult {
  pages: number;
  languages: Record<string, number>;
}

export interface SearchIndexOptions {
  siteDir: string;
  /** The bundle's folder in the site ("pagefind/"). */
  bundleDir: string;
  parts: SearchPart[];
  /**
   * Each part's bundle is kept here under its key: a part whose pages did not
   * change is linked from here, not indexed again.
   */
  cacheDir: string;
  /** A scratch folder: the pages of the part being indexed are linked into it. */
  stageDir: string;
}

/**
 * Makes the site's search bundle the index of `parts`: each part from the
 * cache when its key is there, else indexed now (and cached); the site's
 * copy of a part is replaced only when it differs.
 */
export async function writeSearchIndex(options: SearchIndexOptions): Promise<SearchIndexResult> {
  const started = performance.now();
  const bundle = path.join(options.siteDir, options.bundleDir);
  await mkdir(bundle, { recursive: true });
  const cached = (part: SearchPart) => path.join(options.cacheDir, part.name);
  const saved = await Promise.all(options.parts.map((part) => cachedResult(cached(part), part.key)));
  const stale = options.parts.flatMap((part, n) => (saved[n] ? [] : [{ part, n }]));
  // Pagefind indexes a folder: each stale part's pages are linked into a scratch one, at their paths in the site.
  await rm(options.stageDir, { recursive: true, force: true });
  try {
    for (const { part, n } of stale) {
      const dir = await stagePart(options.siteDir, path.join(options.stageDir, part.name), part.ids);
      saved[n] = await indexPart(dir, part.key, cached(part));
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(options.stageDir, { recursive: true, force: true });
  }
  const results = saved as PartResult[];
  for (const part of options.parts) await publishPart(path.join(cached(part), 'bundle'), path.join(bundle, part.name));
  // Parts merged into larger ones or gone with their articles, and anything else left there, in the site and in the cache.
  const names = options.parts.map((p) => p.name);
  await keepOnly(bundle, [...names, ...UI_FILES, PARTS_FILE]);
  await keepOnly(options.cacheDir, names);
  for (const file of UI_FILES) {
    await rm(path.join(bundle, file), { force: true });
    await linkFile(path.join(cached(options.parts[0]!), 'bundle', file), path.join(bundle, file));
  }
  const parts = results.map((r, n) => ({ path: `${options.parts[n]!.name}/`, pages: r.pages, languages: r.languages }));
  await writeFile(path.join(bundle, PARTS_FILE), JSON.stringify({ parts }));

  return { ...summarize(results), partsIndexed: stale.length, ms: Math.round(performance.now() - started) };
}

/** The index's pages and languages, summed over its parts. */
function summarize(parts: PartResult[]): Pick<SearchIndexResult, 'pages' | 'languages' | 'parts'> {
  const languages: Record<string, number> = {};
  for (const part of parts) for (const [code, count] of Object.entries(part.languages)) languages[code] = (languages[code] ?? 0) + count;
  return { pages: parts.reduce((sum, p) => sum + p.pages, 0), languages, parts: parts.length };
}

/** The site's search index as the last render left it (read from its parts.json), or null when it has none. */
export async function keptSearchIndex(bundle: string): Promise<SearchIndexResult | null> {
  try {
    const { parts } = JSON.parse(await readFile(path.join(bundle, PARTS_FILE), 'utf8')) as { parts: PartResult[] };
    return { ...summarize(parts), partsIndexed: 0, ms: 0 };
  } catch {
    return null;
  }
}

/** What a part's cached bundle holds, when it was made from `key`. */
async function cachedResult(cached: string, key: string): Promise<PartResult | null> {
  try {
    const saved = JSON.parse(await readFile(path.join(cached, 'key.json'), 'utf8')) as { key: string; result: PartResult };
    return saved.key === key ? saved.result : null;
  } catch {
    return null;
  }
}

/** Links the pages articles/<id>/index.html of the site into `dir`, at the same paths. */
async function stagePart(siteDir: string, dir: string, ids: string[]): Promise<string> {
  for (const id of ids) {
    await mkdir(path.join(dir, 'articles', id), { recursive: true });
    await linkFile(path.join(siteDir, 'articles', id, 'index.html'), path.join(dir, 'articles', id, 'index.html'));
  }
  return dir;
}

/**
 * Indexes the pages staged in `dir` into `cached` (saved whole or not at
 * all: a key must never name a half-written bundle). Each part gets a
 * Pagefind process of its own, closed after it, so its memory is given back.
 */
async function indexPart(dir: string, key: string, cached: string): Promise<PartResult> {
  const fresh = `${cached}.partial`;
  await rm(fresh, { recursive: true, force: true });
  const out = path.join(fresh, 'bundle');
  let result: PartResult;
  try {
    const { index, errors } = await pagefind.createIndex({ keepIndexUrl: false });
    if (!index) throw new Error(errors.join('; ') || 'could not start Pagefind');
    const added = await index.addDirectory({ path: dir, glob: 'articles/*/index.html' });
    if (added.errors.length > 0) throw new Error(added.errors.join('; '));
    const written = await index.writeFiles({ outputPath: out });
    if (written.errors.length > 0) throw new Error(written.errors.join('; '));
    for (const unused of UNUSED_FILES) await rm(path.join(out, unused), { force: true });
    const entry = JSON.parse(await readFile(path.join(out, 'pagefind-entry.json'), 'utf8')) as { languages: Record<string, { page_count: number }> };
    result = { pages: added.page_count, languages: Object.fromEntries(Object.entries(entry.languages).map(([k, v]) => [k, v.page_count])) };
  } finally {
    // Pagefind runs as a child process; left open, it keeps Node alive and its index in memory.
    await pagefind.close();
  }
  await writeFile(path.join(fresh, 'key.json'), JSON.stringify({ key, result }));
  await swapFolder(fresh, cached);
  return result;
}

/**
 * Links a cached part into the site unless the site has it already: a
 * part's pagefind-entry.json names the hashes of its index files, so the
 * same entry means the same part.
 */
async function publishPart(from: string, to: string): Promise<void> {
  const entry = 'pagefind-entry.json';
  const [want, have] = await Promise.all([readFile(path.join(from, entry)), readFile(path.join(to, entry)).catch(() => null)]);
  if (have?.equals(want)) return;
  await rm(to, { recursive: true, force: true });
  await linkTree(from, to);
  for (const file of UI_FILES) await rm(path.join(to, file), { force: true });
}

/** Removes from `dir` everything but the entries named. */
async function keepOnly(dir: string, keep: string[]): Promise<void> {
  const wanted = new Set(keep);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!wanted.has(name)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}
