/**
 * The build's step outputs on GitHub Actions: `name=value` lines for the file
 * named by $GITHUB_OUTPUT, which a later step reads as
 * `steps.<id>.outputs.<name>` (the Action in action.yml passes them on).
 * Pure formatting.
 */
import { randomUUID } from 'node:crypto';
import type { SummaryReport } from './summary.ts';

export function stepOutputs(report: Pick<SummaryReport, 'totals'>, siteDir: string | null): string {
  const t = report.totals;
  const lines = [`articles-new=${t.articles.new}`, `articles-total=${t.articles.total}`, `feeds-failed=${t.feeds.failed}`];
  // A path may hold any character: the multi-line form with a delimiter that cannot be in it.
  if (siteDir !== null) {
    const delimiter = `feed_digest_${randomUUID()}`;
    lines.unshift(`site-dir<<${delimiter}`, siteDir, delimiter);
  }
  return `${lines.join('\n')}\n`;
}
