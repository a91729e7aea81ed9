/**
 * The build report as GitHub Actions shows it: Markdown for the job's step
 * summary ($GITHUB_STEP_SUMMARY) and `::warning::` workflow commands, which
 * GitHub turns into annotations on the run. Pure formatting.
 */
import { formatBytes } from '../format/bytes.ts';

/** The parts of the build report (report/BuildReport) shown here. */
export interface SummaryReport {
  durationMs: number;
  totals: {
    feeds: { total: number; fetched: number; notModified: number; failed: number; disabled: number };
    articles: { new: number; updated: number; total: number };
    images: { converted: number; reused: number; cached: number; failed: number; sourceBytes: number; bytes: number };
    pages: number;
  };
  feeds: {
    id: string;
    url: string;
    outcome: string;
    status: number | null;
    ms: number | null;
    new: number;
    total: number;
    error: { message: string; hint?: string } | null;
    movedTo: string | null;
  }[];
}

export interface NewArticle {
  feedId: string;
  title: string;
  /** The article's page on the site. */
  url: string;
}

/** Articles listed by name; the rest are counted. */
const MAX_LISTED = 50;

const ICON: Record<string, string> = { fetched: '✅', 'not-modified': '✅', failed: '❌', disabled: '⏸️' };

export function stepSummary(report: SummaryReport, context: { siteUrl: string; newArticles: NewArticle[] }): string {
  const t = report.totals;
  const lines: string[] = [];
  const f = t.feeds;
  lines.push(
    `## Feed digest: ${t.articles.new} new article${t.articles.new === 1 ? '' : 's'}, ${f.failed} failing feed${f.failed === 1 ? '' : 's'}`,
    '',
    `${f.total - f.disabled} feeds checked (${f.fetched} fetched, ${f.notModified} unchanged, ${f.failed} failed${f.disabled ? `, ${f.disabled} disabled` : ''}); ` +
      `${t.articles.total} articles in the archive; ${t.pages} pages written to ${context.siteUrl} in ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
    '### Feed health',
    '',
    '| | Feed | Result | HTTP | New | Archived | Time | Problem |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | --- |',
  );
  // Failing feeds first: they are what the reader came for.
  const order = (o: string) => (o === 'failed' ? 0 : 1);
  for (const feed of [...report.feeds].sort((a, b) => order(a.outcome) - order(b.outcome))) {
    const problem = feed.error
      ? `${feed.error.message}${feed.error.hint ? ` (${feed.error.hint})` : ''}`
      : feed.movedTo
        ? `moved to ${feed.movedTo}: update feeds.json`
        : '';
    lines.push(
      `| ${ICON[feed.outcome] ?? ''} | ${cell(feed.id)} | ${cell(feed.outcome)} | ${feed.status ?? ''} | ${feed.new} | ${feed.total} | ${feed.ms === null ? '' : `${feed.ms} ms`} | ${cell(problem)} |`,
    );
  }

  lines.push('', `### New articles (${context.newArticles.length})`, '');
  if (context.newArticles.length === 0) lines.push('None this time.');
  for (const a of context.newArticles.slice(0, MAX_LISTED)) lines.push(`- [${inline(a.title) || '(untitled)'}](${a.url}) · ${inline(a.feedId)}`);
  if (context.newArticles.length > MAX_LISTED) lines.push(`- … and ${context.newArticles.length - MAX_LISTED} more`);

  const i = t.images;
  const saved = Math.max(0, i.sourceBytes - i.bytes);
  const percent = i.sourceBytes > 0 ? ` (${Math.round((saved / i.sourceBytes) * 100)}%)` : '';
  lines.push(
    '',
    '### Images',
    '',
    '| Converted | From cache | Failed | Source bytes | WebP bytes | Saved |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${i.converted} | ${i.cached + i.reused} | ${i.failed} | ${formatBytes(i.sourceBytes)} | ${formatBytes(i.bytes)} | ${formatBytes(saved)}${percent} |`,
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** One `::warning::` line per failing feed (and per feed that moved). */
export function warningAnnotations(report: SummaryReport): string[] {
  const out: string[] = [];
  for (const feed of report.feeds) {
    if (feed.error) {
      out.push(`::warning title=${property(`Feed ${feed.id} failed`)}::${data(`${feed.error.message}${feed.error.hint ? `\n${feed.error.hint}` : ''}`)}`);
    } else if (feed.movedTo) {
      out.push(`::warning title=${property(`Feed ${feed.id} moved`)}::${data(`${feed.url} moved permanently to ${feed.movedTo}: update feeds.json`)}`);
    }
  }
  return out;
}

/** A table cell: no pipe or line break may end it early. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

function inline(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([[\]<>])/g, '\\$1').trim();
}

/** Workflow command escaping (actions/toolkit: escapeData / escapeProperty). */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
