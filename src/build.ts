/**
 * The build: the only module that knows every stage. It runs them in order
 * for each feed as soon as that feed's bytes arrive (fetch → parse → archive
 * → content → images), so image encoding overlaps with fetching, then
 * renders the site once everything has settled.
 *
 * A feed that fails is reported and the others go on; only a bad config
 * (ConfigError) or an unwritable site stops the build.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';
import { link, copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { loadConfig } from './config/index.ts';
import type { Config, FeedConfig } from './model/config.ts';
import type { Article, FeedState } from './model/archive.ts';
import type { ImageAsset } from './model/image.ts';
import { ASSET_BASE_TOKEN } from './model/asset-url.ts';
import { createHttpClient } from './net/http.ts';
import { createFeedFetcher, type FetchOutcome } from './fetch/index.ts';
import { parseFeed } from './parse/index.ts';
import { loadArchive, mergeFeed, newestFirst, saveArchive } from './archive/index.ts';
import { chooseCover, prepareContent, rewriteImages } from './content/index.ts';
import { createImageProcessor, iconCandidates, loadImageIndex, type ImageProcessor } from './images/index.ts';
import { renderSite, type RenderArticle, type RenderFeed, type RenderImage } from './render/index.ts';
import { createProgress, summarize, type BuildReport, type FeedReport } from './report/index.ts';
import { acquireLock } from './io/lock.ts';
import { writeFileAtomic, writeJsonAtomic } from './io/atomic-file.ts';
import { formatBytes } from './format/bytes.ts';
import { causeOf, ConfigError, failure, UsageError } from './model/errors.ts';
import { stateDir } from './archive/index.ts';
import { assignShards, layoutShards, loadManifest, manifestFile, parseManifest, saveManifest, shardUrls, SITE_MANIFEST_PATH, type AssetFile, type LayoutResult } from './assets/index.ts';
import { inShard, mergeStates, SHARD_FILE, type ShardFile, type ShardSpec, type StatePart } from './shard/index.ts';
import { downloadFiles, readDeployedSite } from './restore/index.ts';
import { reportToCi, type CiReporting, type NewArticle } from './deploy/index.ts';
import { paths } from './render/index.ts';

export interface BuildOptions {
  config: string;
  out: string;
  cache: string;
  concurrency?: number;
  quiet?: boolean;
  /** The clock, for tests. */
  now?: Date;
  log?: (line: string) => void;
  /** Test hook: HTTP client options (e.g. short retry delays). */
  http?: { retryBaseMs?: number; maxRetryDelayMs?: number };
  /**
   * When --cache holds no state, rebuild it from a deployed site first: its
   * URL, or true for the config's site.url (skipped for a localhost URL).
   * Default: never (the CLI defaults to true).
   */
  restoreFrom?: string | boolean;
  /** Only this shard's feeds: fetch and process them, save the partial state, render nothing. */
  shard?: ShardSpec;
  /** GitHub Actions: the step summary file and where `::warning::` lines go. */
  ci?: CiReporting;
}

export interface BuildResult {
  report: BuildReport;
  config: Config;
}

export { PACKAGE_ROOT };

export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = new Date();
  const now = options.now ?? started;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clock = performance.now();

  let config = await loadConfig(options.config);
  if (options.concurrency) config = { ...config, fetch: { ...config.fetch, concurrency: options.concurrency } };
  // A shard job sees only its feeds: it fetches, restores and saves those alone.
  const shard = options.shard;
  const scope = shard ? { ...config, feeds: config.feeds.filter((f) => inShard(f.id, shard)) } : config;
  const cacheDir = path.resolve(options.cache);
  const lock = await acquireLock(cacheDir);
  try {
    const restoreMs = await restoreIfEmpty({
      config: scope,
      cacheDir,
      now,
      from: options.restoreFrom,
      log: options.quiet ? () => {} : log,
      ...(options.http ? { http: options.http } : {}),
    });
    const ingested = await ingest({ config: scope, cacheDir, now, quiet: options.quiet ?? false, ...(options.http ? { http: options.http } : {}) });
    const report = buildReport({ started, ingested });
    const rendered = shard ? null : await publish({ config, cacheDir, out: options.out, now, state: ingested, report });
    report.totals.pages = rendered?.pages ?? 0;
    report.warnings.push(...(rendered?.warnings ?? []));
    const steps = { ...(restoreMs === null ? {} : { restore: restoreMs }), ...ingested.steps, ...rendered?.steps };
    report.steps = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v)]));
    report.finishedAt = new Date().toISOString();
    report.durationMs = Math.round(performance.now() - clock);
    if (shard) {
      const file: ShardFile<BuildReport> = { version: 1, shard, feeds: scope.feeds.map((f) => f.id), report };
      await writeJsonAtomic(path.join(cacheDir, SHARD_FILE), file);
    }
    if (!options.quiet) log(summarize(report));
    if (options.ci) await reportToCi(options.ci, report, { siteUrl: config.site.url, newArticles: newArticles(scope, ingested.feeds, now) });
    return { report, config };
  } finally {
    await lock.release();
  }
}

/** What ingesting leaves behind: the archive, the images and the figures. Saved under --cache. */
export interface IngestResult {
  feeds: Map<string, FeedState>;
  images: ImageProcessor;
  feedReports: FeedReport[];
  pruned: number;
  stateFilesWritten: number;
  warnings: string[];
  steps: Record<string, number>;
}

/**
 * fetch → parse → archive → content → images for every enabled feed, then
 * the archive and image index are saved. No site is written.
 */
export async function ingest(options: {
  config: Config;
  cacheDir: string;
  now: Date;
  quiet: boolean;
  http?: BuildOptions['http'];
}): Promise<IngestResult> {
  const { config, cacheDir, now } = options;
  const steps: Record<string, number> = {};
  const busy = (name: string, ms: number) => {
    steps[name] = (steps[name] ?? 0) + ms;
  };
  const client = createHttpClient({ userAgent: config.fetch.userAgent, ...options.http });
  try {
    let t = performance.now();
    const archive = await loadArchive(cacheDir, config.feeds);
    const { index, warning: indexWarning } = await loadImageIndex(path.join(cacheDir, 'images'));
    const warnings = [...archive.warnings, ...(indexWarning ? [indexWarning] : [])];
    busy('load', performance.now() - t);

    const images = createImageProcessor(
      {
        config: config.images,
        client,
        dir: path.join(cacheDir, 'images'),
        allowPrivateNetworks: config.fetch.allowPrivateNetworks,
        timeoutMs: config.fetch.timeoutMs,
        now,
      },
      index,
    );
    const fetcher = createFeedFetcher(client, config.fetch);
    const progress = createProgress(!options.quiet);
    progress.start(config.feeds.filter((f) => f.enabled).length, 'feeds');

    const imageWork: Promise<unknown>[] = [];
    const queueImages = (article: Article) => {
      const pageUrl = article.link.startsWith('http') ? article.link : null;
      for (const url of [...(article.cover ? [article.cover] : []), ...article.images]) {
        imageWork.push(images.process({ url, pageUrl }));
      }
    };

    t = performance.now();
    const feedReports = await Promise.all(
      config.feeds.map(async (feed) => {
        const state = archive.feeds.get(feed.id)!;
        if (!feed.enabled) return disabledReport(feed, state);
        // A bug tripped by one feed's content fails that feed, not the build (its archive is kept).
        const report = await ingestFeed(feed, state, { fetcher, config, now, busy, queueImages }).catch((err: unknown) => crashedReport(feed, state, err, now));
        progress.tick(feed.id);
        return report;
      }),
    );
    progress.stop();
    steps.ingest = performance.now() - t;

    // Every archived image, not only new ones: failed images come back after their back-off.
    t = performance.now();
    for (const state of archive.feeds.values()) {
      for (const a of state.articles) queueImages(a);
      // The feed's image, else its site's /favicon.ico.
      imageWork.push(images.processIcon(iconCandidates(state.meta, state.url), state.meta.homeUrl));
    }
    await Promise.all(imageWork);
    steps.imagesWait = performance.now() - t;

    t = performance.now();
    const referenced = referencedImages(archive.feeds.values());
    const pruned = await images.prune(referenced.images, referenced.icons);
    const stateWrite = await saveArchive(cacheDir, archive);
    await images.save();
    steps.save = performance.now() - t;
    return { feeds: archive.feeds, images, feedReports, pruned, stateFilesWritten: stateWrite.written, warnings, steps };
  } finally {
    await client.close();
  }
}

/** Every image URL a live article points at, and every feed's icon candidates. */
function referencedImages(states: Iterable<FeedState>): { images: Set<string>; icons: Set<string> } {
  const images = new Set<string>();
  const icons = new Set<string>();
  for (const state of states) {
    for (const a of state.articles) {
      if (a.cover) images.add(a.cover);
      for (const u of a.images) images.add(u);
    }
    for (const c of iconCandidates(state.meta, state.url)) icons.add(c.url);
  }
  return { images, icons };
}

/** Archive + images → the site folder. */
export async function publish(options: {
  config: Config;
  cacheDir: string;
  out: string;
  now: Date;
  state: { feeds: Map<string, FeedState>; images: Pick<ImageProcessor, 'lookup' | 'lookupIcon' | 'isPlaceholder' | 'filePath'> };
  report: unknown;
}): Promise<{ pages: number; steps: Record<string, number>; warnings: string[] }> {
  const { config, state } = options;
  const steps: Record<string, number> = {};
  let t = performance.now();
  // jsDelivr: every image file gets a shard; files in sealed shards are linked on the CDN.
  const assets = config.assets ? await planAssets(config, options.cacheDir, state, options.now) : null;
  steps.assets = performance.now() - t;
  t = performance.now();
  const renderArticles = assembleArticles(config, state.feeds, state.images, assets?.url);
  steps.rewrite = performance.now() - t;

  const feeds: RenderFeed[] = config.feeds
    .filter((f) => f.enabled || (state.feeds.get(f.id)?.articles.length ?? 0) > 0)
    .map((f) => {
      const feedState = state.feeds.get(f.id)!;
      const h = feedState.health;
      const icon = state.images.lookupIcon(iconCandidates(feedState.meta, feedState.url));
      return {
        config: f,
        state: feedState,
        icon: icon ? renderImage(icon.url, icon.asset) : null,
        newArticles: h.lastNew,
        lastFetch: { status: h.lastStatus, time: h.lastFetchAt, ms: h.lastMs, bytes: h.lastBytes, error: h.lastError?.message ?? null, movedTo: h.movedTo },
      };
    });

  t = performance.now();
  const rendered = await renderSite({
    config,
    feeds,
    articles: renderArticles,
    report: options.report,
    now: options.now,
    outDir: options.out,
    workDir: path.join(options.cacheDir, 'render'),
    assetFile: (p) => state.images.filePath(p),
    ...(assets ? { assetUrl: assets.url } : {}),
    packageRoot: PACKAGE_ROOT,
  });
  // The manifest on the site too: a restore after a lost cache must not number shards again.
  if (assets) await writeFileAtomic(path.join(options.out, SITE_MANIFEST_PATH), JSON.stringify(assets.manifest));
  steps.render = performance.now() - t;
  for (const [k, v] of Object.entries(rendered.timings)) steps[`render.${k}`] = v;
  return { pages: rendered.pages, steps, warnings: rendered.warnings };
}

interface IngestContext {
  fetcher: ReturnType<typeof createFeedFetcher>;
  config: Config;
  now: Date;
  busy: (name: string, ms: number) => void;
  queueImages: (a: Article) => void;
}

/** fetch → parse → merge (content runs inside merge, for new and changed items only). */
async function ingestFeed(feed: FeedConfig, state: FeedState, ctx: IngestContext): Promise<FeedReport> {
  let t = performance.now();
  const fetched: FetchOutcome = await ctx.fetcher.fetch(feed, state.http);
  ctx.busy('fetch', performance.now() - t);
  const nowIso = ctx.now.toISOString();
  const report: FeedReport = {
    id: feed.id,
    url: feed.url,
    outcome: fetched.kind,
    status: fetched.status,
    contentType: fetched.kind === 'fetched' ? fetched.contentType : null,
    charset: fetched.kind === 'fetched' ? fetched.charset : null,
    bytes: fetched.kind === 'failed' ? null : fetched.bytes,
    ms: fetched.ms,
    attempts: fetched.attempts,
    new: 0,
    updated: 0,
    total: state.articles.length,
    error: null,
    warnings: [],
    movedTo: fetched.kind === 'failed' ? null : fetched.movedTo,
  };
  const fail = (error: NonNullable<FeedReport['error']>) => {
    report.outcome = 'failed';
    report.error = error;
    state.health = {
      ...state.health,
      lastFetchAt: nowIso,
      lastStatus: fetched.status,
      lastError: error,
      consecutiveFailures: state.health.consecutiveFailures + 1,
      failingSince: state.health.failingSince ?? nowIso,
      lastMs: fetched.ms,
      lastBytes: report.bytes,
      lastNew: 0,
    };
    return report;
  };
  if (fetched.kind === 'failed') return fail(fetched.error);
  const succeeded = (lastNew: number) => ({
    ...state.health,
    lastFetchAt: nowIso,
    lastSuccessAt: nowIso,
    lastStatus: fetched.status,
    lastError: null,
    consecutiveFailures: 0,
    failingSince: null,
    lastMs: fetched.ms,
    lastBytes: report.bytes,
    lastNew,
    movedTo: report.movedTo,
  });
  if (fetched.kind === 'not-modified') {
    state.http = fetched.validators;
    state.health = succeeded(0);
    return report;
  }

  t = performance.now();
  const parsed = await parseFeed(fetched.text, fetched.url, { timezone: ctx.config.site.timezone, language: feed.language, maxItems: feed.maxItems });
  ctx.busy('parse', performance.now() - t);
  if (!parsed.ok) return fail(parsed.error);
  report.warnings.push(...parsed.value.warnings);

  t = performance.now();
  let contentMs = 0;
  const merged = mergeFeed(state, parsed.value, {
    now: ctx.now,
    maxItems: feed.maxItems,
    retention: ctx.config.archive,
    filters: [ctx.config.filters, feed.filters],
    prepare: (item) => {
      const c0 = performance.now();
      const prepared = prepareContent(item.contentHtml, item.baseUrl);
      contentMs += performance.now() - c0;
      return prepared;
    },
  });
  ctx.busy('content', contentMs);
  ctx.busy('archive', performance.now() - t - contentMs);
  Object.assign(state, merged.state);
  // Validators only after a successful parse: a bad body must be fetched again next time.
  state.http = fetched.validators;
  state.health = succeeded(merged.counts.added);
  report.new = merged.counts.added;
  report.updated = merged.counts.updated;
  report.total = merged.counts.total;
  for (const a of merged.changed) ctx.queueImages(a);
  return report;
}

/** Dedupe across feeds, pick covers, rewrite image URLs; newest first. */
function assembleArticles(
  config: Config,
  feeds: Map<string, FeedState>,
  images: Pick<ImageProcessor, 'lookup' | 'isPlaceholder'>,
  assetUrl?: (variantPath: string) => string | null,
): RenderArticle[] {
  // Images on a CDN are absolute; the others get the asset-base token that render replaces.
  const cdnLookup = assetUrl
    ? (src: string): ImageAsset | null => {
        const asset = images.lookup(src);
        return asset && { ...asset, variants: asset.variants.map((v) => ({ ...v, path: assetUrl(v.path) ?? ASSET_BASE_TOKEN + v.path })) };
      }
    : null;
  const byId = new Map<string, RenderArticle>();
  for (const feed of config.feeds) {
    const state = feeds.get(feed.id);
    if (!state) continue;
    for (const article of state.articles) {
      const existing = byId.get(article.id);
      if (existing) {
        existing.feedIds.push(feed.id);
        continue;
      }
      const imgs: Record<string, RenderImage> = {};
      for (const url of article.images) {
        const r = renderImage(url, images.lookup(url));
        if (r) imgs[url] = r;
      }
      const cover = chooseCover(article.cover, article.images, (src) => images.lookup(src));
      byId.set(article.id, {
        article,
        feedIds: [feed.id],
        html: rewriteImages(article.contentHtml, cdnLookup ?? ((src) => images.lookup(src)), {
          assetBase: cdnLookup ? '' : ASSET_BASE_TOKEN,
          eagerFirst: true,
          isPlaceholder: (src) => images.isPlaceholder(src),
        }),
        cover: cover ? renderImage(cover.url, cover.asset) : null,
        images: imgs,
      });
    }
  }
  return [...byId.values()].sort((a, b) => newestFirst(a.article, b.article));
}

function renderImage(sourceUrl: string, asset: ImageAsset | null): RenderImage | null {
  if (!asset) return null;
  const full = asset.variants[asset.variants.length - 1]!;
  return { path: full.path, width: full.width, height: full.height, variants: asset.variants, sourceUrl, sourceBytes: asset.sourceBytes, bytes: full.bytes };
}

function crashedReport(feed: FeedConfig, state: FeedState, err: unknown, now: Date): FeedReport {
  const error = failure('internal', `${feed.url} could not be processed: ${causeOf(err)}; its archived articles are kept`, {
    hint: 'this is a bug in feed-digest: please report it with the feed URL',
    cause: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  state.health = {
    ...state.health,
    lastError: error,
    consecutiveFailures: state.health.consecutiveFailures + 1,
    failingSince: state.health.failingSince ?? now.toISOString(),
    lastNew: 0,
  };
  return { ...disabledReport(feed, state), outcome: 'failed', error };
}

function disabledReport(feed: FeedConfig, state: FeedState): FeedReport {
  return {
    id: feed.id, url: feed.url, outcome: 'disabled', status: null, contentType: null, charset: null, bytes: null, ms: null,
    attempts: null, new: 0, updated: 0, total: state.articles.length, error: null, warnings: [], movedTo: null,
  };
}

function buildReport({ started, ingested }: { started: Date; ingested: IngestResult }): BuildReport {
  const input = { ...ingested, total: new Set([...ingested.feeds.values()].flatMap((f) => f.articles.map((a) => a.id))).size };
  const entries = input.images.entries();
  const feeds = input.feedReports;
  const seen = new Set<string>();
  return {
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: '',
    durationMs: 0,
    steps: {},
    totals: {
      feeds: {
        total: feeds.length,
        fetched: feeds.filter((f) => f.outcome === 'fetched').length,
        notModified: feeds.filter((f) => f.outcome === 'not-modified').length,
        failed: feeds.filter((f) => f.outcome === 'failed').length,
        disabled: feeds.filter((f) => f.outcome === 'disabled').length,
      },
      articles: {
        new: feeds.reduce((n, f) => n + f.new, 0),
        updated: feeds.reduce((n, f) => n + f.updated, 0),
        total: input.total,
      },
      images: { ...input.images.totals(), pruned: input.pruned },
      pages: 0,
      stateFilesWritten: input.stateFilesWritten,
    },
    feeds,
    images: entries.filter((e) => !seen.has(`${e.kind} ${e.url}`) && seen.add(`${e.kind} ${e.url}`)),
    warnings: input.warnings,
  };
}


// ─── Deploying and scaling: restore, assets, shards ────────────────────────

/** Articles first archived by this build, for the CI summary. */
function newArticles(config: Config, feeds: Map<string, FeedState>, now: Date): NewArticle[] {
  const nowIso = now.toISOString();
  const seen = new Set<string>();
  const out: NewArticle[] = [];
  for (const feed of config.feeds) {
    for (const a of feeds.get(feed.id)?.articles ?? []) {
      if (a.firstSeen !== nowIso || seen.has(a.id)) continue;
      seen.add(a.id);
      out.push({ feedId: feed.id, title: a.title, url: config.site.url + paths.article(a.id) });
    }
  }
  return out;
}

/** A localhost site.url is a preview, not a deployment: there is nothing to restore from it. */
function defaultRestoreSource(siteUrl: string): string | null {
  const host = new URL(siteUrl).hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host) || host === '0.0.0.0';
  return local ? null : siteUrl;
}

async function hasState(cacheDir: string): Promise<boolean> {
  return stat(path.join(stateDir(cacheDir), 'status.json')).then(
    () => true,
    () => false,
  );
}

/**
 * A CI cache that was evicted must not cost articles: when --cache holds no
 * state, the deployed site's JSON archive is read back into it (articles,
 * validators, image index, image files, asset manifest). Returns the ms it
 * took, or null when nothing was restored. Throws RestoreError when the
 * site has an archive that cannot be read.
 */
async function restoreIfEmpty(options: {
  config: Config;
  cacheDir: string;
  now: Date;
  from: string | boolean | undefined;
  log: (line: string) => void;
  http?: BuildOptions['http'];
}): Promise<number | null> {
  const { config, cacheDir, log } = options;
  const from = options.from === true ? defaultRestoreSource(config.site.url) : options.from || null;
  if (!from || (await hasState(cacheDir))) return null;
  const started = performance.now();
  const client = createHttpClient({ userAgent: config.fetch.userAgent, ...options.http });
  try {
    const site = await readDeployedSite({
      from,
      feeds: config.feeds,
      client,
      timeoutMs: config.fetch.timeoutMs,
      assetsRepo: config.assets?.repo ?? null,
      now: options.now,
    });
    if (!site) {
      log(`Nothing to restore: ${from} has no api/feeds.json yet; starting a new archive.`);
      return null;
    }
    const images = createImageProcessor(
      { config: config.images, client, dir: path.join(cacheDir, 'images'), allowPrivateNetworks: false, timeoutMs: config.fetch.timeoutMs, now: options.now },
      site.images,
    );
    const got = await downloadFiles(site.files, site.images, { client, timeoutMs: config.fetch.timeoutMs, dest: (p) => images.filePath(p) });
    await images.save();
    if (site.assetManifest && config.assets) {
      parseManifest(site.assetManifest, `${from}${SITE_MANIFEST_PATH}`);
      await writeFileAtomic(manifestFile(cacheDir), site.assetManifest);
    }
    // The archive last: its status file is what marks the cache as holding state.
    await saveArchive(cacheDir, { feeds: site.feeds, fingerprints: new Map(), warnings: [] });
    log(
      `Restored ${site.articles} articles of ${site.feeds.size} feeds (${site.pages} JSON pages) and ${got.files} image files (${formatBytes(got.bytes)}) from ${from}`,
    );
    for (const w of [...site.warnings, ...got.warnings]) log(`  ! ${w}`);
    return performance.now() - started;
  } finally {
    await client.close();
  }
}

/** Gives every image file the site links a shard, saves the manifest, and returns the URL mapping for render. */
async function planAssets(
  config: Config,
  cacheDir: string,
  state: { feeds: Map<string, FeedState>; images: Pick<ImageProcessor, 'lookup' | 'lookupIcon'> },
  now: Date,
): Promise<{ url: (variantPath: string) => string | null; manifest: ReturnType<typeof assignShards>['manifest'] }> {
  const assets = config.assets!;
  const live = new Map<string, AssetFile>();
  const add = (asset: ImageAsset | null) => {
    for (const v of asset?.variants ?? []) live.set(v.path, { path: v.path, bytes: v.bytes });
  };
  for (const feedState of state.feeds.values()) {
    for (const a of feedState.articles) for (const url of [...(a.cover ? [a.cover] : []), ...a.images]) add(state.images.lookup(url));
    add(state.images.lookupIcon(iconCandidates(feedState.meta, feedState.url))?.asset ?? null);
  }
  const file = manifestFile(cacheDir);
  const previous = await loadManifest(file, assets.repo);
  const plan = assignShards(previous, [...live.values()], { ...assets, now });
  await saveManifest(file, plan.manifest);
  return { url: shardUrls(plan.manifest, assets.host), manifest: plan.manifest };
}

/** An image store over a cache folder, to read its index and find its files (never downloads). */
function imageStore(config: Config, cacheDir: string, index: Parameters<typeof createImageProcessor>[1], client: ReturnType<typeof createHttpClient>, now: Date) {
  return createImageProcessor(
    { config: config.images, client, dir: path.join(cacheDir, 'images'), allowPrivateNetworks: config.fetch.allowPrivateNetworks, timeoutMs: config.fetch.timeoutMs, now },
    index,
  );
}

/**
 * `feed-digest merge`: partial states written by `build --shard i/n` → one
 * state in --cache (archive, image index and files, the combined report),
 * ready for `render`. A feed no part has keeps what --cache already had.
 */
export async function mergeStateDirs(options: { config: string; cache: string; states: string[]; now?: Date; log?: (line: string) => void; quiet?: boolean }): Promise<{
  feeds: number;
  articles: number;
  warnings: string[];
}> {
  const config = await loadConfig(options.config);
  const now = options.now ?? new Date();
  const log = options.quiet ? () => {} : (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  const cacheDir = path.resolve(options.cache);
  const lock = await acquireLock(cacheDir);
  const client = createHttpClient({ userAgent: config.fetch.userAgent });
  try {
    const parts: (StatePart & { report: BuildReport; store: ImageProcessor })[] = [];
    for (const dir of options.states.map((d) => path.resolve(d))) {
      const shardFile = await readFile(path.join(dir, SHARD_FILE), 'utf8').then(
        (t) => JSON.parse(t) as ShardFile<BuildReport>,
        () => null,
      );
      if (shardFile?.version !== 1 || !Array.isArray(shardFile.feeds)) {
        throw new UsageError(`${dir} is not a partial state: it has no ${SHARD_FILE} (write one with "feed-digest build --shard i/n --cache ${dir}")`);
      }
      const owns = new Set(shardFile.feeds);
      const archive = await loadArchive(dir, config.feeds.filter((f) => owns.has(f.id)));
      const { index } = await loadImageIndex(path.join(dir, 'images'));
      parts.push({ name: dir, feeds: archive.feeds, owns, images: index, report: shardFile.report, store: imageStore(config, dir, index, client, now) });
    }
    // What --cache held before (a previous merge) comes last: its images fill gaps, its feeds only when no part has them.
    const target = await loadArchive(cacheDir, config.feeds);
    const { index: previousIndex } = await loadImageIndex(path.join(cacheDir, 'images'));
    const previousStore = imageStore(config, cacheDir, previousIndex, client, now);
    const merged = mergeStates(
      config.feeds.map((f) => f.id),
      [...parts, { name: cacheDir, feeds: target.feeds, owns: new Set(), images: previousIndex }],
    );
    for (const [id, feedState] of merged.feeds) target.feeds.set(id, feedState);

    const store = imageStore(config, cacheDir, merged.images, client, now);
    const storeOf = new Map<string, ImageProcessor>([...parts.map((p) => [p.name, p.store] as const), [cacheDir, previousStore]]);
    const warnings = [...merged.warnings];
    for (const [hash, asset] of Object.entries(merged.images.assets)) {
      const from = storeOf.get(merged.assetFrom.get(hash) ?? '');
      for (const v of asset.variants) {
        const src = from?.filePath(v.path);
        const dest = store.filePath(v.path);
        if (!src || src === dest || (await stat(dest).then(() => true, () => false))) continue;
        await mkdir(path.dirname(dest), { recursive: true });
        await link(src, dest).catch(() => copyFile(src, dest)).catch(() => warnings.push(`merge: ${src} is missing; that image will be converted again`));
      }
    }
    const referenced = referencedImages(target.feeds.values());
    await store.prune(referenced.images, referenced.icons);
    await saveArchive(cacheDir, target);
    await store.save();
    await writeJsonAtomic(path.join(cacheDir, MERGED_REPORT), mergeReports(config, parts.map((p) => ({ owns: p.owns, report: p.report })), target.feeds));
    const articles = new Set([...target.feeds.values()].flatMap((f) => f.articles.map((a) => a.id))).size;
    log(`Merged ${parts.length} partial states: ${merged.feeds.size} feeds, ${articles} articles, ${Object.keys(merged.images.assets).length} images, into ${cacheDir}`);
    for (const w of warnings) log(`  ! ${w}`);
    return { feeds: merged.feeds.size, articles, warnings };
  } finally {
    await client.close();
    await lock.release();
  }
}

/** The combined report `merge` leaves for `render` (api/report.json). */
const MERGED_REPORT = 'report.json';

/** One report from the parts': each feed's figures from the part that owns it, image figures summed. */
function mergeReports(config: Config, parts: { owns: Set<string>; report: BuildReport }[], feeds: Map<string, FeedState>): BuildReport {
  const reports = parts.map((p) => p.report);
  const feedReports = config.feeds.flatMap((f) => {
    const part = parts.find((p) => p.owns.has(f.id));
    const r = part?.report.feeds.find((x) => x.id === f.id);
    return r ? [r] : [];
  });
  const images: Record<string, number | null> = {};
  for (const r of reports) {
    for (const [k, v] of Object.entries(r.totals.images)) if (typeof v === 'number') images[k] = (Number(images[k]) || 0) + v;
  }
  const seen = new Set<string>();
  return {
    version: 1,
    startedAt: reports.map((r) => r.startedAt).sort()[0] ?? new Date().toISOString(),
    finishedAt: reports.map((r) => r.finishedAt).sort().at(-1) ?? '',
    durationMs: Math.max(0, ...reports.map((r) => r.durationMs)),
    steps: {},
    totals: {
      feeds: {
        total: feedReports.length,
        fetched: feedReports.filter((f) => f.outcome === 'fetched').length,
        notModified: feedReports.filter((f) => f.outcome === 'not-modified').length,
        failed: feedReports.filter((f) => f.outcome === 'failed').length,
        disabled: feedReports.filter((f) => f.outcome === 'disabled').length,
      },
      articles: {
        new: feedReports.reduce((n, f) => n + f.new, 0),
        updated: feedReports.reduce((n, f) => n + f.updated, 0),
        total: new Set([...feeds.values()].flatMap((f) => f.articles.map((a) => a.id))).size,
      },
      images: images as unknown as BuildReport['totals']['images'],
      pages: 0,
      stateFilesWritten: reports.reduce((n, r) => n + r.totals.stateFilesWritten, 0),
    },
    feeds: feedReports,
    images: reports.flatMap((r) => r.images).filter((i) => !seen.has(i.url) && seen.add(i.url)),
    warnings: reports.flatMap((r) => r.warnings),
  };
}

/** `feed-digest render`: the site from the state in --cache (a merged one, or any build's), fetching nothing. */
export async function renderState(options: { config: string; cache: string; out: string; now?: Date; quiet?: boolean; log?: (line: string) => void }): Promise<{
  pages: number;
  report: BuildReport | null;
}> {
  const config = await loadConfig(options.config);
  const now = options.now ?? new Date();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = path.resolve(options.cache);
  if (!(await hasState(cacheDir))) {
    throw new UsageError(`${cacheDir} holds no state to render: run "feed-digest build" or "feed-digest merge" with this --cache first`);
  }
  const lock = await acquireLock(cacheDir);
  const client = createHttpClient({ userAgent: config.fetch.userAgent });
  try {
    const archive = await loadArchive(cacheDir, config.feeds);
    const { index } = await loadImageIndex(path.join(cacheDir, 'images'));
    const report = await readFile(path.join(cacheDir, MERGED_REPORT), 'utf8').then(
      (t) => JSON.parse(t) as BuildReport,
      () => null,
    );
    const rendered = await publish({ config, cacheDir, out: options.out, now, state: { feeds: archive.feeds, images: imageStore(config, cacheDir, index, client, now) }, report });
    if (report) report.totals.pages = rendered.pages;
    if (!options.quiet) {
      log(`Rendered ${rendered.pages} pages from ${cacheDir} into ${path.resolve(options.out)}`);
      for (const w of rendered.warnings) log(`  ! ${w}`);
    }
    return { pages: rendered.pages, report };
  } finally {
    await client.close();
    await lock.release();
  }
}

/** `feed-digest assets`: the sealed jsDelivr shards as folders (one per tag) plus the manifest, for the workflow to push. */
export async function layoutAssets(options: { config: string; cache: string; out: string; refs?: string[] }): Promise<LayoutResult> {
  const config = await loadConfig(options.config);
  if (!config.assets) {
    throw new ConfigError(config.file, [{ path: 'assets', message: 'no "assets" block: add { "cdn": "jsdelivr", "repo": "owner/name" } to serve images from jsDelivr' }]);
  }
  const cacheDir = path.resolve(options.cache);
  const manifest = await loadManifest(manifestFile(cacheDir), config.assets.repo);
  const client = createHttpClient({ userAgent: config.fetch.userAgent });
  try {
    const store = imageStore(config, cacheDir, { sources: {}, assets: {} }, client, new Date());
    return await layoutShards(manifest, { out: options.out, source: (p) => store.filePath(p), ...(options.refs ? { refs: options.refs } : {}) });
  } finally {
    await client.close();
  }
}
