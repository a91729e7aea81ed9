/**
 * render: archive + config + image records → the site folder.
 * In: `RenderInput` (plain data from build.ts). Out: pages (Eleventy +
 * Nunjucks from templates/, overridable per file by site.templates), JSON
 * Feed archive, Atom, OPML, sitemap, report, static files from public/ and
 * the referenced WebP files. Never fetches, never changes the archive.
 *
 * The site is written to a fresh folder beside --out and swapped in at the
 * end, so a failed render leaves the previous site intact and nothing stale
 * (old pages, unreferenced images) survives.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { linkFile } from '../io/link-tree.ts';
import { swapFolder } from '../io/swap-folder.ts';
import { IFRAME_HOSTS_FOR_CSP } from './csp.ts';
import { digestSchema } from './digest-schema.ts';
import { runEleventy } from './eleventy.ts';
import type { RenderInput } from './input.ts';
import { feedsJson, jsonFeedFiles, type JsonFile } from './jsonfeed.ts';
import { paths } from './paths.ts';
import { writeSearchIndex, type SearchIndexResult } from './search.ts';
import { buildViewModel } from './view-model.ts';

/** Pagefind's package.json is not in its exports: read the one beside its entry point. */
const PAGEFIND_VERSION = await readFile(path.join(path.dirname(fileURLToPath(import.meta.resolve('pagefind'))), '..', 'package.json'), 'utf8').then(
  (t) => (JSON.parse(t) as { version?: string }).version ?? 'unknown',
  () => 'unknown',
);

export type { RenderInput, RenderArticle, RenderFeed, RenderImage } from './input.ts';
export { paths } from './paths.ts';

export interface RenderResult {
  pages: number;
  jsonFiles: number;
  images: number;
  /** The search index, or null when Pagefind failed (see warnings). */
  search: SearchIndexResult | null;
  /** Problems that did not stop the render (the site is written without the part that failed). */
  warnings: string[];
  /** Milliseconds: view model, Eleventy, search, JSON, assets, swap. */
  timings: Record<string, number>;
}

export async function renderSite(input: RenderInput): Promise<RenderResult> {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t);
    }
  };
  const { config } = input;
  const siteUrl = config.site.url;
  const outDir = path.resolve(input.outDir);
  const partial = `${outDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });

  const warnings: string[] = [];
  const vm = await time('viewModel', () => buildViewModel(input));
  const articlesByFeed = new Map<string, RenderInput['articles']>();
  for (const ra of input.articles) {
    for (const id of ra.feedIds) {
      let list = articlesByFeed.get(id);
      if (!list) articlesByFeed.set(id, (list = []));
      list.push(ra);
    }
  }
  const pageUrl = (pagePath: string) => siteUrl + pagePath.replace(/index\.html$/, '');

  const templatesDir = await time('stageTemplates', () => stageTemplates(input));
  const eleventy = await time('eleventy', () =>
    runEleventy(
      templatesDir,
      partial,
      {
        ...vm,
        csp: contentSecurityPolicy(),
        opmlGroups: opmlGroups(vm.feeds),
        sitemapUrls: [
          ...vm.riverPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
          { loc: siteUrl + paths.feedsDirectory(), lastmod: null },
          { loc: siteUrl + paths.archive(), lastmod: null },
          ...vm.feedPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
          ...vm.categoryPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
          ...vm.monthPages.map((p) => ({ loc: pageUrl(p.path), lastmod: null })),
          ...vm.articlePages.map((a) => ({ loc: siteUrl + paths.article(a.id), lastmod: a.modified ?? a.published })),
        ],
      },
      config.site,
    ),
  );

  // A failed index leaves the site without search, not without pages: the search page says so.
  const search = await time('search', async () =>
    writeSearchIndex(partial, paths.searchBundle(), { dir: path.join(input.workDir, 'search'), key: await searchKey(vm, templatesDir) }).catch((err: unknown) => {
      warnings.push(`render: the search index could not be written (${err instanceof Error ? err.message : String(err)}); the site has no search`);
      return null;
    }),
  );

  const jsonFiles = await time('json', async () => {
    const files: JsonFile[] = [
      ...jsonFeedFiles(input.articles, {
        siteUrl,
        title: config.site.title,
        description: config.site.description,
        homePageUrl: siteUrl,
        language: config.site.language,
        pathOf: paths.allJson,
        feedId: null,
        assetUrl: input.assetUrl,
      }),
      ...vm.feeds.flatMap((f) =>
        jsonFeedFiles(articlesByFeed.get(f.id) ?? [], {
          siteUrl,
          title: f.title,
          ...(f.description ? { description: f.description } : {}),
          homePageUrl: f.homeUrl ?? siteUrl + paths.feed(f.id),
          language: f.language ?? config.site.language,
          // A CDN icon is absolute already.
          ...(f.icon ? { icon: /^https?:/.test(f.icon.src) ? f.icon.src : siteUrl + f.icon.src.slice(config.site.basePath.length) } : {}),
          pathOf: (n) => paths.feedJson(f.id, n),
          feedId: f.id,
          assetUrl: input.assetUrl,
        }),
      ),
      feedsJson(input.feeds, vm.feeds, siteUrl, input.now.toISOString(), input.assetUrl),
      { path: paths.reportJson(), body: JSON.stringify(input.report, null, 1) },
      { path: paths.digestSchema(), body: JSON.stringify(digestSchema(siteUrl + paths.digestSchema()), null, 1) },
    ];
    for (const file of files) {
      await mkdir(path.dirname(path.join(partial, file.path)), { recursive: true });
      await writeFile(path.join(partial, file.path), file.body);
    }
    return files.length;
  });

  const images = await time('assets', async () => {
    await cp(path.join(input.packageRoot, 'public'), partial, { recursive: true });
    await writeFile(path.join(partial, '.nojekyll'), '');
    if (config.site.cname) await writeFile(path.join(partial, 'CNAME'), `${config.site.cname}\n`);
    return copyAssets(input, partial);
  });

  await time('swap', () => swapFolder(partial, outDir));
  return { pages: eleventy.pages, jsonFiles, images, search, warnings, timings };
}

/** Bundled templates, then the user's overrides on top, file by file. */
async function stageTemplates(input: RenderInput): Promise<string> {
  const staged = path.join(input.workDir, 'templates');
  await rm(staged, { recursive: true, force: true });
  await cp(path.join(input.packageRoot, 'templates'), staged, { recursive: true });
  if (input.config.site.templates) await cp(input.config.site.templates, staged, { recursive: true, force: true });
  return staged;
}

/** What the search index depends on: each article page's URL, language, title, text and feeds, the templates, Pagefind. */
async function searchKey(vm: ReturnType<typeof buildViewModel>, templatesDir: string): Promise<string> {
  const hash = createHash('sha256').update(`pagefind ${PAGEFIND_VERSION}\n${vm.site.basePath}\n`);
  for (const a of vm.articlePages) {
    hash.update(`${a.id}\0${a.language ?? ''}\0${a.title}\0${a.feeds.map((f) => f.title).join(',')}\0`).update(a.html);
  }
  const templates = await readdir(templatesDir, { recursive: true, withFileTypes: true });
  for (const t of templates.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort()) {
    hash.update(t).update(await readFile(t));
  }
  return hash.digest('hex');
}

/** Hard links from the image cache (no copy, same bytes); a copy across filesystems. */
async function copyAssets(input: RenderInput, outDir: string): Promise<number> {
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
    const dest = path.join(outDir, p);
    const dir = path.dirname(dest);
    if (!dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirs.add(dir);
    }
    const src = input.assetFile(p);
    await linkFile(src, dest);
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
