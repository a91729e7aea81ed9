/**
 * render: archive + config + image records → the site folder.
 * In: `RenderInput` (plain data from build.ts). Out: pages (Eleventy +
 * Nunjucks from templates/, overridable per file by site.templates), JSON
 * Feed archive, Atom, OPML, sitemap, report, static files from public/ and
 * the referenced WebP files. Never fetches, never changes the archive.
 *
 * The site folder is updated in place (site-files.ts): a page whose data,
 * templates and settings are what they were at the last render is kept, so
 * a build with nothing new writes a handful of files; files nothing
 * produces any more (old pages, unreferenced images) are deleted.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { linkFile } from '../io/link-tree.ts';
import { IFRAME_HOSTS_FOR_CSP } from './csp.ts';
import { createTranslator } from '../i18n/index.ts';
import { dateFormats } from './dates.ts';
import { digestSchema } from './digest-schema.ts';
import { runEleventy } from './eleventy.ts';
import type { RenderArticle, RenderInput } from './input.ts';
import { feedsJson, jsonFeedDocuments, jsonFeedFile, type FeedContext, type SiteFile } from './jsonfeed.ts';
import { newer, type Position, type Seal } from './pagination.ts';
import { PACKAGE_VERSION } from '../package-root.ts';
import { paths } from './paths.ts';
import { sitemapFiles, type SitemapUrl } from './sitemap.ts';
import { keptSearchIndex, writeSearchIndex, type SearchIndexResult } from './search.ts';
import { searchParts, type SearchPart } from './search-parts.ts';
import { collectGarbage } from './memory.ts';
import { SiteFiles } from './site-files.ts';
import { readSizes, writeSizes } from './json-sizes.ts';
import { buildViewModel, placeArticle, placeAtomFeed, type ArticleSummary, type ViewModel } from './view-model.ts';

/** Pagefind's package.json is not in its exports: read the one beside its entry point. */
const PAGEFIND_VERSION = await readFile(path.join(path.dirname(fileURLToPath(import.meta.resolve('pagefind'))), '..', 'package.json'), 'utf8').then(
  (t) => (JSON.parse(t) as { version?: string }).version ?? 'unknown',
  () => 'unknown',
);

export type { RenderInput, RenderArticle, RenderFeed, RenderImage } from './input.ts';
export { readSeals, writeSeals } from './seals-file.ts';
export { paths } from './paths.ts';

export interface RenderResult {
  /** Pages in the site. */
  pages: number;
  /** Pages written by this render (the rest were unchanged and kept). */
  pagesWritten: number;
  /** Files of the last render deleted because nothing produces them any more. */
  pruned: number;
  /** JSON (and sitemap) files written; the rest were unchanged. */
  jsonFiles: number;
  images: number;
  /** The search index, or null when Pagefind failed (see warnings). */
  search: SearchIndexResult | null;
  /** Problems that did not stop the render (the site is written without the part that failed). */
  warnings: string[];
  /** Milliseconds: plan, view model, templates, keys, Eleventy, JSON, assets, prune, search, manifest. */
  timings: Record<string, number>;
  /** Every list's sealed pages, for the next render (RenderInput.seals). */
  seals: Record<string, Seal[]>;
  /**
   * True when nothing the site shows had changed since the last render but
   * the build's own time and figures: only the landing pages, the single
   * pages (feeds directory, archive index…) and api/feeds.json and
   * api/report.json were made.
   */
  quiet: boolean;
}

export async function renderSite(input: RenderInput): Promise<RenderResult> {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    // A stopped build's render ends here; the next render writes everything (the manifest is gone).
    input.signal?.throwIfAborted();
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t);
    }
  };
  const outDir = path.resolve(input.outDir);
  // Pagefind writes its bundle whole (one file per page): kept or replaced as one folder.
  const bundle = paths.searchBundle();
  const site = await time('plan', () => SiteFiles.open(outDir, path.join(input.workDir, 'site-manifest.json'), [bundle]));
  const warnings: string[] = [];
  const templates = await time('stageTemplates', () => stageTemplates(input));
  // Nothing the site shows changed but this build's time and figures (a quiet hour):
  // only the pages that show those are made, the rest of the site is kept as it is.
  const inputs = await time('inputs', () => inputsKey(input, templates.hash));
  // The pages are cut as the last render cut them only with the seals it left.
  const quiet = site.last?.inputs === inputs && site.last.seals === sealsKey(input.seals ?? {}) && site.complete();

  // The view model lives only while the pages are rendered: what comes after needs a few lists from it.
  const pages = await renderPages(input, site, templates, quiet, time);
  if (input.articles.length > PAGES_PER_RUN) collectGarbage();

  // Pagefind indexes in processes of its own, one part at a time, after the pages
  // (it reads them) and before the JSON step, when this process holds the least:
  // beside Eleventy it gained little on two cores and their memory adds up.
  const search = await time('search', async () => {
    if (quiet) return keptSearchIndex(path.join(outDir, bundle));
    try {
      return await writeSearchIndex({ siteDir: outDir, bundleDir: bundle, parts: pages.searchParts, cacheDir: path.join(input.workDir, 'search'), stageDir: path.join(input.workDir, 'search-stage') });
    } catch (err) {
      // A failed index leaves the site without search, not without pages: the search page says so.
      warnings.push(`render: the search index could not be written (${err instanceof Error ? err.message : String(err)}); the site has no search`);
      await rm(path.join(outDir, bundle), { recursive: true, force: true });
      return null;
    }
  });
  const jsonFiles = await time('json', () => writeJson(input, site, pages, quiet));
  const images = await time('assets', async () => {
    const statics: SiteFile[] = [{ path: '.nojekyll', body: '' }];
    if (input.config.site.cname) statics.push({ path: 'CNAME', body: `${input.config.site.cname}\n` });
    const publicDir = path.join(input.packageRoot, 'public');
    for (const entry of await readdir(publicDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      statics.push({ path: path.relative(publicDir, file).split(path.sep).join('/'), body: await readFile(file) });
    }
    for (const file of statics) await site.write(file.path, file.body, contentKey(file.body));
    return copyAssets(input, site);
  });
  site.keepFolder(bundle, quiet ? (site.lastKey(bundle) ?? '') : contentKey(pages.searchParts.map((p) => p.key).join('\n')));
  // A quiet render keeps every page, document and image it did not make.
  if (quiet) site.keepTheRest();
  const pruned = await time('prune', () => site.prune());
  await time('manifest', () => site.save({ inputs, seals: sealsKey(pages.seals), pages: pages.total }));
  return { pages: pages.total, pagesWritten: pages.written, pruned, jsonFiles, images, search, warnings, timings, seals: pages.seals, quiet };
}

/** What the steps after the pages need from them (the view model itself is gone by then). */
interface RenderedPages {
  total: number;
  written: number;
  /** Every article page's key (planPages). */
  articleKeys: Map<string, string>;
  /** The key of what every page shows (planPages). */
  shared: string;
  feeds: ViewModel['feeds'];
  sitemap: SitemapUrl[];
  searchParts: SearchPart[];
  /** The lists' seals: the pages' (view model), then the JSON archive's (writeJson). */
  seals: Record<string, Seal[]>;
}

type Time = <T>(name: string, fn: () => Promise<T> | T) => Promise<T>;

/**
 * View model → the pages whose key changed, in Eleventy runs of PAGES_PER_RUN.
 * Quiet: only the lists' landing pages are looked at (nothing else can have changed).
 */
async function renderPages(input: RenderInput, site: SiteFiles, templates: Templates, quiet: boolean, time: Time): Promise<RenderedPages> {
  const siteUrl = input.config.site.url;
  // What the build held before the render (the ingest's parsed feeds) goes before the view model is made.
  if (input.articles.length > PAGES_PER_RUN) collectGarbage();
  const vm = await time('viewModel', () => buildViewModel(input));
  const csp = contentSecurityPolicy();
  // Every page shows the site's words (the catalog with site.strings over it), and list cards omit the current year.
  const { language, timezone, strings } = input.config.site;
  const words = JSON.stringify([createTranslator(language, strings).messages, dateFormats(language, timezone, input.now).year]);
  const plan = await time('keys', () =>
    planPages(vm, searchOrder(input.articles), site, {
      templatesHash: templates.hash,
      csp,
      words,
      perRun: input.pagesPerRun ?? PAGES_PER_RUN,
      perPart: input.searchPartSize ?? SEARCH_PART_SIZE,
      searchSeals: input.seals?.search ?? [],
      searchPosition: (i) => searchPosition(input.articles[i]!),
      quiet,
    }),
  );
  const written = await time('eleventy', async () => {
    const { seals: _seals, ...data } = vm;
    const globals = { ...data, csp, opmlGroups: opmlGroups(vm.feeds) };
    // Eleventy holds every page it renders until the run ends: a few thousand
    // pages per run keeps memory flat however large the archive. The first
    // run also renders the single pages (feeds/, archive/, feeds.opml…).
    let count = 0;
    for (const [i, part] of plan.chunks.entries()) {
      input.signal?.throwIfAborted();
      if (plan.chunks.length > 1) collectGarbage();
      const run = await runEleventy(i === 0 ? templates.all : templates.paginated, site.outDir, { ...globals, ...placeRun(part, vm.site) }, input.config.site, input.now);
      for (const file of run.outputs) site.wrote(file);
      count += run.outputs.length;
    }
    return count;
  });
  const pageUrl = (pagePath: string) => siteUrl + pagePath.replace(/index\.html$/, '');
  const sitemap = quiet
    ? []
    : [
        ...vm.riverPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
        { loc: siteUrl + paths.feedsDirectory(), lastmod: null },
        { loc: siteUrl + paths.archive(), lastmod: null },
        ...vm.feedPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
        ...vm.categoryPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
        ...vm.monthPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
        ...vm.articlePages.map((a) => ({ loc: siteUrl + paths.article(a.id), lastmod: a.modified ?? a.published })),
      ];
  // Quiet, the site has the pages the last render counted (single pages are written every time).
  const total = quiet ? (site.last?.pages ?? written + plan.kept) : written + plan.kept;
  return {
    total,
    written,
    articleKeys: plan.articleKeys,
    shared: plan.shared,
    feeds: vm.feeds,
    sitemap,
    searchParts: plan.parts,
    // Quiet, the JSON archive's and the search index's seals are the last render's.
    seals: quiet ? { ...input.seals, ...vm.seals } : { ...vm.seals, search: plan.searchSeals },
  };
}

/**
 * The JSON archive, the sitemap and whatever else is written from memory,
 * one file at a time: a large archive's JSON is never in memory whole.
 * Returns how many files were written (the rest were unchanged).
 */
async function writeJson(input: RenderInput, site: SiteFiles, pages: RenderedPages, quiet: boolean): Promise<number> {
  const { config } = input;
  const siteUrl = config.site.url;
  let written = 0;
  const write = async (file: SiteFile, key = contentKey(file.body)) => {
    if (await site.write(file.path, file.body, key)) written++;
  };
  // Quiet, the sitemap and the JSON archive are the last render's.
  if (!quiet) await writeArchive(input, site, pages, write);
  await write(feedsJson(input.feeds, pages.feeds, siteUrl, input.now.toISOString(), input.assetUrl));
  await write({ path: paths.reportJson(), body: JSON.stringify(input.report, null, 1) });
  await write({ path: paths.digestSchema(), body: JSON.stringify(digestSchema(siteUrl + paths.digestSchema()), null, 1) });
  for (const file of input.extraFiles ?? []) await write(file);
  return written;
}

/** The sitemap and the JSON Feed archive: the documents whose key changed. */
async function writeArchive(input: RenderInput, site: SiteFiles, pages: RenderedPages, write: (file: SiteFile, key?: string) => Promise<void>): Promise<void> {
  const { config } = input;
  const siteUrl = config.site.url;
  for (const file of sitemapFiles(pages.sitemap, siteUrl)) await write(file);

  const articlesByFeed = new Map<string, RenderArticle[]>();
  for (const ra of input.articles) {
    for (const id of ra.feedIds) {
      let list = articlesByFeed.get(id);
      if (!list) articlesByFeed.set(id, (list = []));
      list.push(ra);
    }
  }
  const documents: { name: string; articles: RenderArticle[]; context: Omit<FeedContext, 'assetUrl' | 'sizes'> }[] = [
    {
      name: 'json all',
      articles: input.articles,
      context: { siteUrl, title: config.site.title, description: config.site.description, homePageUrl: siteUrl, language: config.site.language, pathOf: paths.allJson, feedId: null },
    },
    ...pages.feeds.map((f) => ({
      name: `json feed ${f.id}`,
      articles: articlesByFeed.get(f.id) ?? [],
      context: {
        siteUrl,
        title: f.title,
        ...(f.description ? { description: f.description } : {}),
        homePageUrl: f.homeUrl ?? siteUrl + paths.feed(f.id),
        language: f.language ?? config.site.language,
        // A CDN icon is absolute already.
        ...(f.icon ? { icon: /^https?:/.test(f.icon.src) ? f.icon.src : siteUrl + f.icon.src.slice(config.site.basePath.length) } : {}),
        pathOf: (n?: number) => paths.feedJson(f.id, n),
        feedId: f.id,
      },
    })),
  ];
  // A document is made again only when its key changes: its place in the chain, the
  // feed's own fields, and for each item the article page's key plus what only the JSON carries.
  const itemKeys = new Map<string, string>();
  const itemKey = (ra: RenderArticle) => {
    let key = itemKeys.get(ra.article.id);
    if (key === undefined) {
      const a = ra.article;
      // What only the JSON shows: the sources, and every variant's file, size and (on a CDN) URL.
      const jsonOnly = JSON.stringify([a.firstSeen, a.sourceHash, a.images, a.cover, ra.feedIds, ra.cover?.sourceUrl ?? null]);
      itemKeys.set(a.id, (key = `${pages.articleKeys.get(a.id)}\0${jsonOnly}${imagesText(ra, input.assetUrl)}`));
    }
    return key;
  };
  const known = await readSizes(input.workDir);
  const sizes = new Map<string, number>();
  const sizeKey = (ra: RenderArticle, feedId: string) => {
    const key = createHash('md5').update(`${pages.shared}\0${feedId}\0${itemKey(ra)}`).digest('base64url');
    const bytes = known.get(key);
    if (bytes !== undefined) sizes.set(key, bytes);
    return key;
  };
  for (const doc of documents) {
    const context = { ...doc.context, assetUrl: input.assetUrl, sizes, sizeKey };
    const { documents: files, seals } = jsonFeedDocuments(doc.articles, context, input.seals?.[doc.name] ?? []);
    pages.seals[doc.name] = seals;
    const head = `${pages.shared}\0${JSON.stringify(doc.context)}`;
    for (const [i, file] of files.entries()) {
      const hash = createHash('md5').update(`${head}\0${file.page} ${file.path} ${files[i + 1]?.path ?? ''}`);
      for (const ra of file.items) hash.update(`\n${itemKey(ra)}`);
      const key = hash.digest('base64url');
      if (site.unchanged(file.path, key)) continue;
      await write(jsonFeedFile(files, i, context), key);
    }
  }
  // The sizes measured or used this render: those of the newest documents' items, mostly.
  await writeSizes(input.workDir, sizes);
}

/**
 * Pages Eleventy renders per run (an Atom document counts as its entries).
 * A run holds its pages' data and output until it ends, ~100 KB a page:
 * 2,000 pages keep a 100,000-article render near 1.5 GB (4,000: 1.7 GB);
 * each run costs a start-up (~0.2 s).
 */
const PAGES_PER_RUN = 2000;
/**
 * Articles in the newest search index parts; sealed ones are merged into
 * parts 4 and 20 times as large (250 → 1,000 → 5,000: search-parts.ts).
 * Pagefind holds ~70 KB a page while it indexes (5,000 pages: ~350 MB,
 * ~5 s here), and the search page loads one small bundle per part.
 */
const SEARCH_PART_SIZE = 250;

/**
 * The articles (indexes into RenderInput.articles) in the order the search
 * index takes them: first seen first, so new articles go to the newest part
 * and the earlier parts keep their pages (search-parts.ts).
 */
function searchOrder(articles: RenderArticle[]): number[] {
  const position = articles.map(searchPosition);
  return articles.map((_, i) => i).sort((x, y) => (newer(position[x]!, position[y]!) ? 1 : newer(position[y]!, position[x]!) ? -1 : 0));
}

const searchPosition = (ra: RenderArticle): Position => ({ published: ra.article.firstSeen, id: ra.article.id });

/** The view model's lists that paginated templates render a page per entry of. */
type Paginated = Pick<ViewModel, 'riverPages' | 'feedPages' | 'categoryPages' | 'monthPages' | 'articlePages' | 'atomFeeds'>;

/**
 * One run's pages as templates receive them: articles and Atom documents
 * placed (their HTML made) here, one run at a time, so only the pages being
 * rendered hold a copy of their HTML.
 */
function placeRun(run: Paginated, site: ViewModel['site']) {
  return { ...run, articlePages: run.articlePages.map((a) => placeArticle(a, site)), atomFeeds: run.atomFeeds.map((f) => placeAtomFeed(f, site)) };
}

/**
 * Keys every paginated page (articles, lists, Atom documents) by its own data
 * plus what every page shows (the site's settings and words, the navigation,
 * the templates, this version of feed-digest), and splits the pages whose key
 * changed into runs. An Atom document is keyed by its own fields and its
 * entries' article keys (an entry is its article page's data with absolute
 * URLs). An article page is keyed by its content as stored, not as placed:
 * placing follows from the site settings in the shared part.
 *
 * Article pages are also cut, in search order, into the search index's
 * parts (search-parts.ts), each keyed by Pagefind's version and what the
 * index reads of its pages (not their links to neighbouring articles): a
 * part is indexed again only when one of them, or the set of pages in it,
 * changes.
 */
function planPages(
  vm: ViewModel,
  order: number[],
  site: SiteFiles,
  options: { templatesHash: string; csp: string; words: string; perRun: number; perPart: number; searchSeals: Seal[]; searchPosition: (i: number) => Position; quiet: boolean },
): { chunks: Paginated[]; kept: number; shared: string; articleKeys: Map<string, string>; parts: SearchPart[]; searchSeals: Seal[] } {
  const { perRun } = options;
  const shared = contentKey(
    JSON.stringify({
      version: PACKAGE_VERSION,
      templates: options.templatesHash,
      site: { title: vm.site.title, url: vm.site.url, basePath: vm.site.basePath, description: vm.site.description, language: vm.site.language, timezone: vm.site.timezone },
      categories: vm.categories.map((c) => ({ name: c.name, slug: c.slug, href: c.href })),
      csp: options.csp,
      words: options.words,
    }),
  );
  const keyOf = (name: keyof Paginated, ...data: string[]) => {
    const hash = createHash('md5').update(`${shared}\0${name}`);
    for (const part of data) hash.update('\0').update(part);
    return hash.digest('base64url');
  };
  const empty = (): Paginated => ({ riverPages: [], feedPages: [], categoryPages: [], monthPages: [], articlePages: [], atomFeeds: [] });
  const chunks: Paginated[] = [empty()];
  let inLast = 0;
  let kept = 0;
  /** A page weighs what it holds: an Atom document carries its entries' whole content, as many article pages would. */
  const add = <K extends keyof Paginated>(name: K, page: Paginated[K][number], key: string, weight = 1) => {
    if (site.unchanged(page.path, key)) {
      kept++;
      return;
    }
    if (inLast > 0 && inLast + weight > perRun) {
      chunks.push(empty());
      inLast = 0;
    }
    (chunks[chunks.length - 1]![name] as Paginated[K][number][]).push(page);
    inLast += weight;
  };
  // An article is listed on several pages (river, feed, month, category): its summary is serialized once.
  const summaries = new Map<string, string>();
  const summaryJson = (s: ArticleSummary) => {
    let json = summaries.get(s.id);
    if (json === undefined) summaries.set(s.id, (json = JSON.stringify(s)));
    return json;
  };
  for (const name of ['riverPages', 'feedPages', 'categoryPages', 'monthPages'] as const) {
    for (const page of vm[name]) {
      // Quiet, a numbered page shows what it showed: only a landing page shows this build's figures.
      if (options.quiet && !page.landing) continue;
      add(name, page, keyOf(name, JSON.stringify({ ...page, items: null }), ...page.items.map(summaryJson)));
    }
  }
  if (options.quiet) return { chunks, kept, shared, articleKeys: new Map(), parts: [], searchSeals: options.searchSeals };
  // Article pages in search order: new articles' pages are rendered together, after the others.
  const articleKeys = new Map<string, string>();
  const searchKeys = new Map<string, string>();
  for (const i of order) {
    const page = vm.articlePages[i]!;
    // What the search index reads of the page (not its links to its neighbours), then the page.
    const searchKey = keyOf('articlePages', JSON.stringify({ ...page, prev: null, next: null }), page.contentKey());
    const key = keyOf('articlePages', searchKey, JSON.stringify([page.prev, page.next]));
    searchKeys.set(page.id, searchKey);
    articleKeys.set(page.id, key);
    add('articlePages', page, key);
  }
  const { parts, seals: searchSeals } = searchParts(
    order.map((i) => ({ id: vm.articlePages[i]!.id, at: options.searchPosition(i) })),
    options.searchSeals,
    options.perPart,
    (ids) => {
      const hash = createHash('md5').update(`pagefind ${PAGEFIND_VERSION}\n`);
      for (const id of ids) hash.update(`${id} ${searchKeys.get(id)}\n`);
      return hash.digest('hex');
    },
  );
  for (const page of vm.atomFeeds) {
    const key = keyOf('atomFeeds', JSON.stringify({ ...page, items: null }), page.items.map((e) => articleKeys.get(e.id)).join(','));
    add('atomFeeds', page, key, Math.max(1, page.items.length));
  }
  return { chunks, kept, shared, articleKeys, parts, searchSeals };
}

function contentKey(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('base64url');
}

/**
 * A key of everything the site is made from but what only the landing
 * pages, the single pages and api/feeds.json and api/report.json show (the
 * build's time, the feeds' health and fetch figures, the report): when it is
 * the last render's, a render makes only those (a quiet hour). Made from
 * what every article is made of as data (its HTML by htmlKey, not the HTML),
 * so it costs a fraction of the pages' keys.
 */
function inputsKey(input: RenderInput, templatesHash: string): string {
  const hash = createHash('md5').update(
    // The year is in it because list cards leave out the current year's.
    JSON.stringify([
      PACKAGE_VERSION,
      templatesHash,
      contentSecurityPolicy(),
      input.config,
      dateFormats(input.config.site.language, input.config.site.timezone, input.now).year,
      input.pagesPerRun ?? null,
      input.searchPartSize ?? null,
      input.extraFiles ?? null,
    ]),
  );
  for (const f of input.feeds) hash.update(JSON.stringify([f.config.id, f.state.meta, f.icon]));
  for (const ra of input.articles) {
    const { contentHtml: _html, ...article } = ra.article;
    hash.update(JSON.stringify([article, ra.feedIds, ra.htmlKey ?? contentKey(ra.html), ra.cover?.sourceUrl ?? null])).update(imagesText(ra, input.assetUrl));
  }
  return hash.digest('base64url');
}

/**
 * An article's optimized images as text: each source, and every variant's
 * file, size and (on a CDN) URL. Written out, not serialized: it is made for
 * every article of every render.
 */
function imagesText(ra: RenderArticle, assetUrl: RenderInput['assetUrl']): string {
  let text = '';
  for (const img of [...Object.values(ra.images), ...(ra.cover ? [ra.cover] : [])]) {
    text += `\n${img.sourceUrl} ${img.sourceBytes}`;
    for (const v of img.variants) text += ` ${v.path} ${v.width} ${v.height} ${v.bytes} ${assetUrl?.(v.path) ?? ''}`;
  }
  return text;
}

/** A key of every list's seals, whatever the order of the lists. */
function sealsKey(seals: Record<string, Seal[]>): string {
  return contentKey(JSON.stringify(Object.entries(seals).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

type Templates = Awaited<ReturnType<typeof stageTemplates>>;

/**
 * Bundled templates, then the user's overrides on top, file by file; and a
 * second copy without the single pages, for the runs after the first. The
 * hash covers every template file.
 */
async function stageTemplates(input: RenderInput): Promise<{ all: string; paginated: string; hash: string }> {
  const all = path.join(input.workDir, 'templates');
  const paginated = path.join(input.workDir, 'templates-paginated');
  await rm(all, { recursive: true, force: true });
  await rm(paginated, { recursive: true, force: true });
  await cp(path.join(input.packageRoot, 'templates'), all, { recursive: true });
  if (input.config.site.templates) await cp(input.config.site.templates, all, { recursive: true, force: true });
  const hash = createHash('md5');
  const files = (await readdir(all, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  for (const file of files.sort()) {
    const text = await readFile(file);
    const name = path.relative(all, file);
    hash.update(name).update('\0').update(text).update('\0');
    // Includes and data go to both; a page template only when its front matter paginates.
    const page = !name.startsWith(`_includes${path.sep}`) && !name.startsWith(`_data${path.sep}`);
    if (page && !PAGINATED_FRONT_MATTER.test(text.toString('utf8'))) continue;
    await mkdir(path.dirname(path.join(paginated, name)), { recursive: true });
    await cp(file, path.join(paginated, name));
  }
  return { all, paginated, hash: hash.digest('hex') };
}

/** A `pagination:` key inside the opening front matter block. */
const PAGINATED_FRONT_MATTER = /^---\r?\n(?:(?!---\r?\n)[^\n]*\n)*?pagination:/;

/** Hard links from the image cache (no copy, same bytes), for the images not there yet; a copy across filesystems. */
async function copyAssets(input: RenderInput, site: SiteFiles): Promise<number> {
  const wanted = new Set<string>();
  for (const ra of input.articles) {
    for (const img of Object.values(ra.images)) for (const v of img.variants) wanted.add(v.path);
    if (ra.cover) for (const v of ra.cover.variants) wanted.add(v.path);
  }
  for (const f of input.feeds) if (f.icon) for (const v of f.icon.variants) wanted.add(v.path);
  const dirs = new Set<string>();
  for (const p of wanted) {
    // Served from a CDN: not part of the site.
    if (input.assetUrl?.(p)) continue;
    // Content-addressed: a file with this name holds these bytes.
    site.wrote(p, 'asset');
    if (site.has(p)) continue;
    const dest = path.join(site.outDir, p);
    const dir = path.dirname(dest);
    if (!dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirs.add(dir);
    }
    await linkFile(input.assetFile(p), dest);
  }
  return wanted.size;
}


function opmlGroups(feeds: { category: string | null }[]) {
  const groups = new Map<string, typeof feeds>();
  for (const f of feeds) {
    const key = f.category ?? '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  return [...groups.entries()].map(([name, list]) => ({ name, feeds: list }));
}

function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    'img-src * data:',
    'media-src *',
    `frame-src ${IFRAME_HOSTS_FOR_CSP.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}
