/**
 * The pipeline itself: `ingest` (fetch → parse → archive → content → images,
 * state saved under --cache) and `publish` (archive + images → the site).
 * With build.ts, the only code that knows every stage.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { Config, FeedConfig } from '../model/config.ts';
import type { Article, FeedState } from '../model/archive.ts';
import type { ImageAsset } from '../model/image.ts';
import { ASSET_BASE_TOKEN } from '../model/asset-url.ts';
import { createHttpClient } from '../net/http.ts';
import { createFeedFetcher, decodeHtml, type FetchOutcome } from '../fetch/index.ts';
import { parseFeed } from '../parse/index.ts';
import { loadArchive, mergeFeed, newestFirst, saveArchive } from '../archive/index.ts';
import { chooseCover, prepareContent, rewriteImages } from '../content/index.ts';
import { createFullText, type FullText } from '../fulltext/index.ts';
import { createImageProcessor, iconCandidates, loadImageIndex, type ImageProcessor } from '../images/index.ts';
import { readSeals, renderSite, writeSeals, type RenderArticle, type RenderFeed, type RenderImage } from '../render/index.ts';
import { createProgress, feedTotals, fullTextTotals, type BuildReport, type FeedReport } from '../report/index.ts';
import { causeOf, failure } from '../model/errors.ts';
import { assignShards, loadManifest, manifestFile, saveManifest, shardUrls, SITE_MANIFEST_PATH, type AssetFile } from '../assets/index.ts';

/** Test and benchmark hook: HTTP client timing (e.g. short retry delays). */
export type HttpTuning = { retryBaseMs?: number; maxRetryDelayMs?: number };

/** What ingesting leaves behind: the archive, the images and the figures. Saved under --cache. */
export interface IngestResult {
  feeds: Map<string, FeedState>;
  images: ImageProcessor;
  feedReports: FeedReport[];
  pruned: number;
  stateFilesWritten: number;
  warnings: string[];
  steps: Record<string, number>;
  /** Set when a signal stopped the ingest: what was merged before it is saved, nothing was pruned. */
  stopped: { feedsDone: number; feedsTotal: number } | null;
}

/**
 * fetch → parse → archive → content → images for every enabled feed, then
 * the archive and image index are saved. No site is written.
 *
 * When `stop` aborts (a signal), no new feed or image is started, requests
 * and conversions in progress end, and what was merged so far is saved: the
 * result says `stopped`. Feeds and images cut short are not counted as
 * failures; the next build does them.
 */
export async function ingest(options: {
  config: Config;
  cacheDir: string;
  now: Date;
  quiet: boolean;
  http?: HttpTuning;
  stop?: AbortSignal;
  /** The config holds one shard's feeds: the state's other feeds are not gone from it. */
  partial?: boolean;
}): Promise<IngestResult> {
  const { config, cacheDir, now, stop } = options;
  const steps: Record<string, number> = {};
  const busy = (name: string, ms: number) => {
    steps[name] = (steps[name] ?? 0) + ms;
  };
  const client = createHttpClient({ userAgent: config.fetch.userAgent, ...options.http }, stop);
  // Only when some feed asks for it: the extractor's DOM costs a second to load.
  const fullText = config.feeds.some((f) => f.enabled && f.fullText !== false)
    ? createFullText({ client, fetch: config.fetch, now, decode: decodeHtml, prepare: prepareContent, stop })
    : null;
  try {
    let t = performance.now();
    const archive = await loadArchive(cacheDir, config.feeds);
    const { index, warning: indexWarning } = await loadImageIndex(path.join(cacheDir, 'images'));
    const warnings = [...archive.warnings, ...(indexWarning ? [indexWarning] : [])];
    // Said once, loudly: the next save no longer lists them.
    for (const gone of options.partial ? [] : archive.unlisted) {
      warnings.push(
        `feed "${gone.id}" is no longer in ${config.file}: its ${gone.articles} archived articles are no longer published ` +
          `(its state stays in ${path.join(cacheDir, 'state', 'feeds', `${gone.id}.json`)}; add the feed back to publish them again)`,
      );
    }
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
    let stopping: Promise<void> = Promise.resolve();
    const onStop = () => {
      progress.stop();
      stopping = images.stop(String(stop?.reason));
    };
    stop?.addEventListener('abort', onStop, { once: true });

    const imageWork: Promise<unknown>[] = [];
    const queueImages = (article: Article) => {
      // The page the image is shown on: the one its content came from (full text: after redirects).
      const page = article.fullText?.fetchedAt ? article.fullText.sourceUrl : article.link;
      const pageUrl = page.startsWith('http') ? page : null;
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
        const report = await ingestFeed(feed, state, { fetcher, fullText, config, now, busy, queueImages, stop }).catch((err: unknown) => crashedReport(feed, state, err, now));
        progress.tick(feed.id);
        return report;
      }),
    );
    progress.stop();
    // The DOM's memory goes back before the image phase.
    fullText?.close();
    steps.ingest = performance.now() - t;

    // Every archived image, not only new ones: failed images come back after their back-off.
    t = performance.now();
    if (!stop?.aborted) {
      for (const state of archive.feeds.values()) {
        for (const a of state.articles) queueImages(a);
        // The feed's image, else its site's /favicon.ico.
        imageWork.push(images.processIcon(iconCandidates(state.meta, state.url), state.meta.homeUrl));
      }
    }
    await Promise.all(imageWork);
    await stopping;
    await images.close();
    stop?.removeEventListener('abort', onStop);
    steps.imagesWait = performance.now() - t;

    t = performance.now();
    // A stopped build keeps every image: what it did not get to is not unreferenced.
    const referenced = referencedImages(archive.feeds.values());
    const pruned = stop?.aborted ? 0 : await images.prune(referenced.images, referenced.icons);
    const stateWrite = await saveArchive(cacheDir, archive);
    await images.save();
    steps.save = performance.now() - t;
    const enabled = feedReports.filter((r) => r.outcome !== 'disabled');
    return {
      feeds: archive.feeds,
      images,
      feedReports,
      pruned,
      stateFilesWritten: stateWrite.written,
      warnings,
      steps,
      stopped: stop?.aborted ? { feedsDone: enabled.filter((r) => r.outcome !== 'stopped').length, feedsTotal: enabled.length } : null,
    };
  } finally {
    fullText?.close();
    await client.close();
  }
}

/** Every image URL a live article points at, and every feed's icon candidates. */
export function referencedImages(states: Iterable<FeedState>): { images: Set<string>; icons: Set<string> } {
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
  searchPartSize?: number;
  /** Stops the render between its steps (the build is being stopped; the next one writes the site again). */
  signal?: AbortSignal | undefined;
}): Promise<{ pages: number; pagesWritten: number; steps: Record<string, number>; warnings: string[] }> {
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
  const workDir = path.join(options.cacheDir, 'render');
  const rendered = await renderSite({
    config,
    feeds,
    articles: renderArticles,
    report: options.report,
    now: options.now,
    outDir: options.out,
    workDir,
    // Full list pages keep their articles from one build to the next.
    seals: await readSeals(workDir),
    assetFile: (p) => state.images.filePath(p),
    // The manifest on the site too: a restore after a lost cache must not number shards again.
    ...(assets ? { assetUrl: assets.url, extraFiles: [{ path: SITE_MANIFEST_PATH, body: JSON.stringify(assets.manifest) }] } : {}),
    packageRoot: PACKAGE_ROOT,
    searchPartSize: options.searchPartSize,
    signal: options.signal,
  });
  await writeSeals(workDir, rendered.seals);
  steps.render = performance.now() - t;
  for (const [k, v] of Object.entries(rendered.timings)) steps[`render.${k}`] = v;
  return { pages: rendered.pages, pagesWritten: rendered.pagesWritten, steps, warnings: rendered.warnings };
}

interface IngestContext {
  fetcher: ReturnType<typeof createFeedFetcher>;
  fullText: FullText | null;
  config: Config;
  now: Date;
  busy: (name: string, ms: number) => void;
  queueImages: (a: Article) => void;
  stop: AbortSignal | undefined;
}

/**
 * fetch → parse → merge (content runs inside merge, for new and changed
 * items only) → full text (pages of those items, and of earlier fallbacks
 * whose back-off is over, whatever the feed answered) → images of every
 * article whose content changed.
 */
async function ingestFeed(feed: FeedConfig, state: FeedState, ctx: IngestContext): Promise<FeedReport> {
  const { report, changed, earlier } = await fetchAndMerge(feed, state, ctx);
  let withNewContent = changed;
  if (ctx.fullText && feed.fullText !== false && !ctx.stop?.aborted) {
    const run = await ctx.fullText.run(feed, state.articles, new Set(changed.map((a) => a.id)), earlier);
    ctx.busy('fulltext', run.figures.ms);
    state.articles = run.articles;
    withNewContent = run.changed;
    report.fullText = run.figures;
  }
  for (const a of withNewContent) ctx.queueImages(a);
  return report;
}

interface Merged {
  report: FeedReport;
  /** Articles the merge added or updated. */
  changed: Article[];
  /** The updated ones as they were before. */
  earlier: Map<string, Article>;
}

async function fetchAndMerge(feed: FeedConfig, state: FeedState, ctx: IngestContext): Promise<Merged> {
  let t = performance.now();
  const fetched: FetchOutcome = await ctx.fetcher.fetch(feed, state.http);
  ctx.busy('fetch', performance.now() - t);
  // Stopped while waiting or fetching: the feed's state stays as it was (no failure counted).
  if (ctx.stop?.aborted) return { report: { ...disabledReport(feed, state), outcome: 'stopped' }, changed: [], earlier: new Map() };
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
    return { report, changed: [], earlier: new Map() };
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
    return { report, changed: [], earlier: new Map() };
  }

  t = performance.now();
  const parsed = await parseFeed(fetched.text, fetched.url, { timezone: ctx.config.site.timezone, language: feed.language, maxItems: feed.maxItems });
  ctx.busy('parse', performance.now() - t);
  if (!parsed.ok) return fail(parsed.error);
  report.warnings.push(...parsed.value.warnings);

  t = performance.now();
  let contentMs = 0;
  const before = new Map(state.articles.map((a) => [a.id, a]));
  const merged = mergeFeed(state, parsed.value, {
    now: ctx.now,
    maxItems: feed.maxItems,
    retention: ctx.config.archive,
    filters: [ctx.config.filters, feed.filters],
    prepare: (item) => {
      const c0 = performance.now();
      const prepared = prepareContent(item.contentHtml, item.baseUrl, item.summary);
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
  const earlier = new Map(merged.changed.flatMap((a) => (before.has(a.id) ? [[a.id, before.get(a.id)!] as const] : [])));
  return { report, changed: merged.changed, earlier };
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
      const lookup = cdnLookup ?? ((src: string) => images.lookup(src));
      let html: string | undefined;
      byId.set(article.id, {
        article,
        feedIds: [feed.id],
        // Made when render reads it: only for the pages and documents it writes.
        get html() {
          return (html ??= rewriteImages(article.contentHtml, lookup, {
            assetBase: cdnLookup ? '' : ASSET_BASE_TOKEN,
            eagerFirst: true,
            isPlaceholder: (src) => images.isPlaceholder(src),
          }));
        },
        // What the HTML is made from. The stored content changes only with its source
        // (sourceHash, when an item is merged again) or when the cache is rebuilt.
        htmlKey: JSON.stringify([
          article.sourceHash,
          article.contentHtml.length,
          article.images.map((url) => lookup(url)?.variants.map((v) => v.path).join(' ') ?? (images.isPlaceholder(url) ? 0 : null)),
        ]),
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

export function buildReport({ started, ingested }: { started: Date; ingested: IngestResult }): BuildReport {
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
      ...feedTotals(feeds, input.total),
      images: { ...input.images.totals(), pruned: input.pruned },
      fullText: fullTextTotals(feeds),
      pages: 0,
      pagesWritten: 0,
      stateFilesWritten: input.stateFilesWritten,
    },
    feeds,
    images: entries.filter((e) => !seen.has(`${e.kind} ${e.url}`) && seen.add(`${e.kind} ${e.url}`)),
    warnings: input.warnings,
  };
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
