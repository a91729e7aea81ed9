/**
 * report: figures from every stage → api/report.json and the terminal
 * summary. Pure formatting plus a progress bar that only draws on a TTY.
 */
import cliProgress from 'cli-progress';
import type { Failure } from '../model/errors.ts';
import type { FullTextFigures } from '../model/fulltext.ts';
import { formatBytes } from '../format/bytes.ts';

export interface FeedReport {
  id: string;
  url: string;
  /** 'stopped': the build was stopped (SIGINT, SIGTERM) before this feed was done; its state is as it was. */
  outcome: 'fetched' | 'not-modified' | 'failed' | 'disabled' | 'stopped';
  status: number | null;
  contentType: string | null;
  charset: string | null;
  bytes: number | null;
  ms: number | null;
  attempts: number | null;
  new: number;
  updated: number;
  total: number;
  error: Failure | null;
  warnings: string[];
  movedTo: string | null;
  /** Feeds with `fullText`: the article pages of this build (absent for other feeds). */
  fullText?: FullTextFigures;
}

export interface ImageFigures {
  url: string;
  outcome: 'converted' | 'reused' | 'cached' | 'placeholder' | 'failed' | 'backoff' | 'missing';
  sourceBytes: number | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  convertMs: number | null;
  referer: string | null;
  error: Failure | null;
}

export interface BuildReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Wall-clock ms of each step; fetch/parse/content/images overlap, so they are busy time summed over feeds. */
  steps: Record<string, number>;
  totals: {
    feeds: { total: number; fetched: number; notModified: number; failed: number; disabled: number };
    articles: { new: number; updated: number; total: number };
    images: {
      converted: number;
      reused: number;
      cached: number;
      failed: number;
      backoff: number;
      pruned: number;
      sourceBytes: number;
      bytes: number;
      /** Images that turned out to be 1×1 or fully transparent (dropped from articles). */
      placeholder?: number;
      /** Images downloaded and converted per second of image work (null when none). */
      perSecond?: number | null;
    };
    /** Article pages fetched for full text, summed over feeds (absent when no feed has `fullText`). */
    fullText?: Omit<FullTextFigures, 'failures' | 'ms'>;
    /** Pages in the site, and those this build wrote (the rest had not changed). */
    pages: number;
    pagesWritten: number;
    stateFilesWritten: number;
  };
  feeds: FeedReport[];
  images: ImageFigures[];
  warnings: string[];
}

/** The feed and article totals of a report, from its feeds' figures. */
export function feedTotals(feeds: FeedReport[], articlesInArchive: number): Pick<BuildReport['totals'], 'feeds' | 'articles'> {
  const count = (outcome: FeedReport['outcome']) => feeds.filter((f) => f.outcome === outcome).length;
  return {
    feeds: { total: feeds.length, fetched: count('fetched'), notModified: count('not-modified'), failed: count('failed'), disabled: count('disabled') },
    articles: {
      new: feeds.reduce((n, f) => n + f.new, 0),
      updated: feeds.reduce((n, f) => n + f.updated, 0),
      total: articlesInArchive,
    },
  };
}

/**
 * The steps the terminal shows, by their wall-clock time: what a user can act
 * on (slow feeds, many images, a large site). Every step, the busy time of
 * the overlapping ones included, is in api/report.json.
 */
const SHOWN_STEPS: [step: string, label: string][] = [
  ['restore', 'restore'],
  ['ingest', 'feeds'],
  ['imagesWait', 'images'],
  ['render', 'pages'],
];

/** The feeds' full-text figures summed, or undefined when no feed fetched pages or has any waiting. */
export function fullTextTotals(feeds: FeedReport[]): BuildReport['totals']['fullText'] {
  const withPages = feeds.flatMap((f) => (f.fullText ? [f.fullText] : []));
  if (withPages.length === 0) return undefined;
  const total = { fetched: 0, extracted: 0, fallback: 0, reasons: {} as Record<string, number>, bytes: 0, waiting: 0 };
  for (const f of withPages) {
    total.fetched += f.fetched;
    total.extracted += f.extracted;
    total.fallback += f.fallback;
    total.bytes += f.bytes;
    total.waiting += f.waiting;
    for (const [reason, n] of Object.entries(f.reasons)) total.reasons[reason] = (total.reasons[reason] ?? 0) + n;
  }
  return total;
}

export function summarize(report: BuildReport): string {
  const t = report.totals;
  const lines: string[] = [];
  const f = t.feeds;
  lines.push(
    `Feeds: ${f.total - f.disabled} checked, ${f.fetched} fetched, ${f.notModified} unchanged, ${f.failed} failed${f.disabled ? `, ${f.disabled} disabled` : ''}`,
  );
  for (const feed of report.feeds) {
    if (feed.error) lines.push(`  ✗ ${feed.id}: ${feed.error.message}${feed.error.hint ? `\n      hint: ${feed.error.hint}` : ''}`);
    if (feed.movedTo) lines.push(`  → ${feed.id} moved permanently to ${feed.movedTo}: update feeds.json`);
  }
  lines.push(`Articles: ${t.articles.new} new, ${t.articles.updated} updated, ${t.articles.total} in the archive`);
  const ft = t.fullText;
  if (ft && (ft.fetched > 0 || ft.waiting > 0)) {
    const reasons = Object.entries(ft.reasons).map(([r, n]) => `${r} ${n}`).join(', ');
    lines.push(
      `Full text: ${ft.fetched} pages fetched (${formatBytes(ft.bytes)}), ${ft.extracted} extracted, ${ft.fallback} fell back to the feed's text${reasons ? ` (${reasons})` : ''}${ft.waiting ? `, ${ft.waiting} waiting to retry` : ''}`,
    );
    const failed = report.feeds.flatMap((f) => f.fullText?.failures ?? []);
    for (const { error } of failed.slice(0, 5)) lines.push(`  ✗ ${error.message}`);
    if (failed.length > 5) lines.push(`  … and ${failed.length - 5} more (see api/report.json)`);
  }
  const i = t.images;
  const saved =
    i.sourceBytes > 0
      ? ` (${formatBytes(i.sourceBytes)} → ${formatBytes(i.bytes)}, saved ${formatBytes(Math.max(0, i.sourceBytes - i.bytes))}, ${Math.round((1 - i.bytes / i.sourceBytes) * 100)}% smaller${i.perSecond ? `, ${i.perSecond} images/s` : ''})`
      : '';
  lines.push(
    `Images: ${i.converted} converted, ${i.cached + i.reused} from cache, ${i.failed} failed${i.placeholder ? `, ${i.placeholder} placeholders dropped` : ''}${i.backoff ? `, ${i.backoff} waiting to retry` : ''}${i.pruned ? `, ${i.pruned} no longer used` : ''}${saved}`,
  );
  const failedImages = report.images.filter((img) => img.outcome === 'failed');
  for (const img of failedImages.slice(0, 5)) lines.push(`  ✗ ${img.error?.message ?? img.url}`);
  if (failedImages.length > 5) lines.push(`  … and ${failedImages.length - 5} more (see api/report.json)`);
  lines.push(`Pages: ${t.pages} (${t.pagesWritten} written, the rest unchanged)`);
  const shown = SHOWN_STEPS.filter(([key]) => report.steps[key] !== undefined).map(([key, label]) => `${label} ${(report.steps[key]! / 1000).toFixed(1)} s`);
  lines.push(`Time: ${(report.durationMs / 1000).toFixed(1)} s${shown.length ? ` (${shown.join(', ')})` : ''}`);
  for (const w of report.warnings) lines.push(`  ! ${w}`);
  return lines.join('\n');
}

export interface Progress {
  start(total: number, label: string): void;
  tick(label?: string): void;
  stop(): void;
}

/** A progress bar on an interactive terminal; nothing at all in CI or with --quiet. */
export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || process.env.CI) {
    return { start() {}, tick() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{bar} {value}/{total} {label}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label }),
    tick: (label) => bar.increment(1, label ? { label } : {}),
    stop: () => bar.stop(),
  };
}
