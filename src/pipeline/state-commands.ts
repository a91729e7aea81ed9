/**
 * The commands that work on saved state rather than feeds: `merge` (partial
 * states of sharded builds), `render` (the site from a state) and `assets`
 * (the jsDelivr shards laid out for pushing).
 */
import path from 'node:path';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { linkFile } from '../io/link-tree.ts';
import { loadConfig } from '../config/index.ts';
import type { Config } from '../model/config.ts';
import type { FeedState } from '../model/archive.ts';
import { createHttpClient } from '../net/http.ts';
import { loadArchive, saveArchive } from '../archive/index.ts';
import { createImageProcessor, loadImageIndex, type ImageProcessor } from '../images/index.ts';
import { feedTotals, fullTextTotals, type BuildReport } from '../report/index.ts';
import { acquireLock } from '../io/lock.ts';
import { writeJsonAtomic } from '../io/atomic-file.ts';
import { ConfigError, MismatchError, StoppedError, UsageError } from '../model/errors.ts';
import { layoutShards, loadManifest, manifestFile, type LayoutResult } from '../assets/index.ts';
import { mergeStates, SHARD_FILE, type ShardFile, type StatePart } from '../shard/index.ts';
import { publish, referencedImages } from './ingest-publish.ts';
import { hasState } from './restore.ts';

/** An image store over a cache folder, to read its index and find its files (never downloads). */
function imageStore(config: Config, cacheDir: string, index: Parameters<typeof createImageProcessor>[1], client: ReturnType<typeof createHttpClient>, now: Date) {
  return createImageProcessor(
    { config: config.images, client, dir: path.join(cacheDir, 'images'), allowPrivateNetworks: config.fetch.allowPrivateNetworks, timeoutMs: config.fetch.timeoutMs, now },
    index,
  );
}

/**
 * What merge and render may leave out, when a flag says it is intended:
 * `unlisted`, feeds a state holds that the config does not list (their
 * articles would not be published); `missing`, configured feeds no state
 * holds (they would be published empty).
 */
export interface ShrinkAllowance {
  allowUnlisted?: boolean;
  allowMissing?: boolean;
}

/**
 * Merge and render never publish less than they were given without being
 * told to: a state and a config that do not match (the wrong --config, a
 * shard that did not run) is an error naming the feeds, exit 2.
 */
function checkCoverage(what: string, problems: { unlisted: string[]; missing: string[] }, allow: ShrinkAllowance, configFile: string): void {
  const lines: string[] = [];
  const list = (ids: string[]) => [...ids].sort().slice(0, 20).join(', ') + (ids.length > 20 ? `, … (${ids.length} in all)` : '');
  if (problems.unlisted.length > 0 && !allow.allowUnlisted) {
    lines.push(
      `${what} feeds that ${configFile} does not list: ${list(problems.unlisted)}. Their articles would not be published: ` +
        `pass the config they were built with (--config), or --allow-unlisted to leave them out`,
    );
  }
  if (problems.missing.length > 0 && !allow.allowMissing) {
    lines.push(
      `${configFile} lists feeds that no state holds: ${list(problems.missing)}. They would be published empty: ` +
        `check that every shard's state is given (and --cache), or pass --allow-missing if they are new`,
    );
  }
  if (lines.length > 0) throw new MismatchError(lines.join('\n'));
}

/**
 * `feed-digest merge`: partial states written by `build --shard i/n` → one
 * state in --cache (archive, image index and files, the combined report),
 * ready for `render`. A feed no part has keeps what --cache already had.
 */
export async function mergeStateDirs(options: {
  config: string;
  cache: string;
  states: string[];
  now?: Date;
  log?: (line: string) => void;
  quiet?: boolean;
} & ShrinkAllowance): Promise<{
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
    const configured = new Set(config.feeds.map((f) => f.id));
    const unlisted = new Set<string>();
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
      for (const id of owns) if (!configured.has(id)) unlisted.add(id);
      const archive = await loadArchive(dir, config.feeds.filter((f) => owns.has(f.id)));
      const { index } = await loadImageIndex(path.join(dir, 'images'));
      parts.push({ name: dir, feeds: archive.feeds, owns, images: index, report: shardFile.report, store: imageStore(config, dir, index, client, now) });
    }
    // What --cache held before (a previous merge) comes last: its images fill gaps, its feeds only when no part has them.
    const target = await loadArchive(cacheDir, config.feeds);
    const previous = await listedFeeds(cacheDir);
    // Feeds the last merge had and the config dropped since were removed on purpose (said once, like build does).
    const dropped = target.unlisted.filter((u) => u.articles > 0 && !unlisted.has(u.id));
    const missing = config.feeds.filter((f) => !parts.some((p) => p.owns.has(f.id)) && !previous.has(f.id)).map((f) => f.id);
    checkCoverage(`The partial states (${options.states.join(', ')}) hold`, { unlisted: [...unlisted], missing }, options, config.file);
    const { index: previousIndex } = await loadImageIndex(path.join(cacheDir, 'images'));
    const previousStore = imageStore(config, cacheDir, previousIndex, client, now);
    const merged = mergeStates(
      config.feeds.map((f) => f.id),
      [...parts, { name: cacheDir, feeds: target.feeds, owns: new Set(), images: previousIndex }],
    );
    for (const [id, feedState] of merged.feeds) target.feeds.set(id, feedState);

    const store = imageStore(config, cacheDir, merged.images, client, now);
    const storeOf = new Map<string, ImageProcessor>([...parts.map((p) => [p.name, p.store] as const), [cacheDir, previousStore]]);
    const warnings = [
      ...merged.warnings,
      ...dropped.map((u) => `feed "${u.id}" is no longer in ${config.file}: its ${u.articles} archived articles are no longer published`),
    ];
    for (const [hash, asset] of Object.entries(merged.images.assets)) {
      const from = storeOf.get(merged.assetFrom.get(hash) ?? '');
      for (const v of asset.variants) {
        const src = from?.filePath(v.path);
        const dest = store.filePath(v.path);
        if (!src || src === dest || (await stat(dest).then(() => true, () => false))) continue;
        await mkdir(path.dirname(dest), { recursive: true });
        await linkFile(src, dest).catch(() => warnings.push(`merge: ${src} is missing; that image will be converted again`));
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
      ...feedTotals(feedReports, new Set([...feeds.values()].flatMap((f) => f.articles.map((a) => a.id))).size),
      images: images as unknown as BuildReport['totals']['images'],
      fullText: fullTextTotals(feedReports),
      pages: 0,
      pagesWritten: 0,
      stateFilesWritten: reports.reduce((n, r) => n + r.totals.stateFilesWritten, 0),
    },
    feeds: feedReports,
    images: reports.flatMap((r) => r.images).filter((i) => !seen.has(i.url) && seen.add(i.url)),
    warnings: reports.flatMap((r) => r.warnings),
  };
}

/** The feeds a state folder's status lists (empty when it has none). */
async function listedFeeds(cacheDir: string): Promise<Set<string>> {
  return readFile(path.join(cacheDir, 'state', 'status.json'), 'utf8').then(
    (t) => new Set(Object.keys((JSON.parse(t) as { feeds?: Record<string, unknown> }).feeds ?? {})),
    () => new Set<string>(),
  );
}

/** `feed-digest render`: the site from the state in --cache (a merged one, or any build's), fetching nothing. */
export async function renderState(
  options: { config: string; cache: string; out: string; now?: Date; quiet?: boolean; log?: (line: string) => void; signal?: AbortSignal } & ShrinkAllowance,
): Promise<{
  pages: number;
  report: BuildReport | null;
  /** Milliseconds per step, as in the build report's steps. */
  steps: Record<string, number>;
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
    const previous = await listedFeeds(cacheDir);
    checkCoverage(
      `The state in ${cacheDir} holds`,
      { unlisted: archive.unlisted.filter((u) => u.articles > 0).map((u) => u.id), missing: config.feeds.filter((f) => !previous.has(f.id)).map((f) => f.id) },
      options,
      config.file,
    );
    const { index } = await loadImageIndex(path.join(cacheDir, 'images'));
    const report = await readFile(path.join(cacheDir, MERGED_REPORT), 'utf8').then(
      (t) => JSON.parse(t) as BuildReport,
      () => null,
    );
    const rendered = await publish({
      config,
      cacheDir,
      out: options.out,
      now,
      state: { feeds: archive.feeds, images: imageStore(config, cacheDir, index, client, now) },
      report,
      signal: options.signal,
    }).catch((err: unknown) => {
      if (options.signal?.aborted) {
        throw new StoppedError(options.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT', `stopped by ${String(options.signal.reason)} while writing the site; run render again`);
      }
      throw err;
    });
    if (report) {
      report.totals.pages = rendered.pages;
      report.totals.pagesWritten = rendered.pagesWritten;
    }
    if (!options.quiet) {
      log(`Rendered ${rendered.pages} pages from ${cacheDir} into ${path.resolve(options.out)}`);
      for (const w of rendered.warnings) log(`  ! ${w}`);
    }
    return { pages: rendered.pages, report, steps: rendered.steps };
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
