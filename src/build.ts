/**
 * The build: with src/pipeline/, the only code that knows every stage. It
 * runs them in order for each feed as soon as that feed's bytes arrive
 * (fetch → parse → archive → content → images, in pipeline/ingest-publish.ts),
 * so image encoding overlaps with fetching, then renders the site once
 * everything has settled. Around that: the cache lock, restoring an empty
 * cache from the deployed site (pipeline/restore.ts), sharded builds, and the
 * report. The commands that work on saved state (merge, render, assets) are
 * in pipeline/state-commands.ts.
 *
 * A feed that fails is reported and the others go on; only a bad config
 * (ConfigError) or an unwritable site stops the build.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';
import { loadConfig } from './config/index.ts';
import type { Config } from './model/config.ts';
import type { FeedState } from './model/archive.ts';
import { summarize, type BuildReport } from './report/index.ts';
import { acquireLock } from './io/lock.ts';
import { StoppedError } from './model/errors.ts';
import { writeJsonAtomic } from './io/atomic-file.ts';
import { inShard, SHARD_FILE, type ShardFile, type ShardSpec } from './shard/index.ts';
import { reportToCi, type CiReporting, type NewArticle } from './deploy/index.ts';
import { paths } from './render/index.ts';
import { buildReport, ingest, publish, type HttpTuning } from './pipeline/ingest-publish.ts';
import { restoreIfEmpty } from './pipeline/restore.ts';

export { ingest, publish, type IngestResult } from './pipeline/ingest-publish.ts';
export { layoutAssets, mergeStateDirs, renderState } from './pipeline/state-commands.ts';

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
  http?: HttpTuning;
  /** Test hook: article pages per search index part (default 5,000), to test a site in several parts. */
  searchPartSize?: number;
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

/**
 * Aborting `stop` stops the build (the CLI aborts it on SIGINT or SIGTERM):
 * no new work starts, what was archived is saved, the lock is released, and
 * build() rejects with a StoppedError saying where it stopped.
 */
export async function build(options: BuildOptions, stop?: AbortSignal): Promise<BuildResult> {
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
  if (stop?.aborted) throw stopped(stop, 'before it started');
  // The heartbeat runs on the build's clock (tests move it to simulate hours between runs).
  const lock = await acquireLock(cacheDir, { clock: () => now.getTime() + (performance.now() - clock) });
  const warnings = lock.tookOver ? [lock.tookOver] : [];
  if (lock.tookOver && !options.quiet) log(`! ${lock.tookOver}`);
  try {
    const restoreMs = await restoreIfEmpty({
      config: scope,
      cacheDir,
      now,
      from: options.restoreFrom,
      log: options.quiet ? () => {} : log,
      ...(options.http ? { http: options.http } : {}),
      stop,
    }).catch((err: unknown) => {
      // A restore cut short fails on its requests: the stop is what happened.
      throw stop?.aborted ? stopped(stop, 'while restoring the archive from the deployed site; nothing was saved, the next build restores it again') : err;
    });
    if (stop?.aborted) throw stopped(stop, 'after restoring the archive; the next build fetches the feeds');
    const ingested = await ingest({ config: scope, cacheDir, now, quiet: options.quiet ?? false, ...(options.http ? { http: options.http } : {}), stop, partial: Boolean(shard) });
    if (ingested.stopped) {
      const { feedsDone, feedsTotal } = ingested.stopped;
      const added = ingested.feedReports.reduce((n, r) => n + r.new, 0);
      const converted = ingested.images.totals().converted;
      throw stopped(
        stop!,
        `while fetching feeds and converting images: ${feedsDone} of ${feedsTotal} feeds done, ${added} new articles and ${converted} converted images saved; the next build goes on from there`,
      );
    }
    const report = buildReport({ started, ingested });
    report.warnings.unshift(...warnings);
    const rendered = shard
      ? null
      : await untilStopped(
          publish({ config, cacheDir, out: options.out, now, state: ingested, report, searchPartSize: options.searchPartSize, signal: stop }),
          stop,
          () => `while writing the site: the archive is saved (${report.totals.articles.new} new articles); the next build writes the site again`,
        );
    report.totals.pages = rendered?.pages ?? 0;
    report.totals.pagesWritten = rendered?.pagesWritten ?? 0;
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
    if (options.ci) await reportToCi(options.ci, report, { siteUrl: config.site.url, newArticles: newArticles(scope, ingested.feeds, now), siteDir: shard ? null : path.resolve(options.out) });
    return { report, config };
  } finally {
    await lock.release();
  }
}

function stopped(stop: AbortSignal, where: string): StoppedError {
  const signal = stop.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
  return new StoppedError(signal, `stopped by ${String(stop.reason)} ${where}`);
}

/**
 * `work`, or a StoppedError as soon as `stop` aborts. What `work` still does
 * after that needs no saving (the site is written again by the next build);
 * it is told through the same signal to wind down.
 */
function untilStopped<T>(work: Promise<T>, stop: AbortSignal | undefined, where: () => string): Promise<T> {
  if (!stop) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped(stop, where()));
    if (stop.aborted) return onAbort();
    stop.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => stop.removeEventListener('abort', onAbort));
  });
}

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
