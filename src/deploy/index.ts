/**
 * deploy: what a build tells the CI it runs in. In: the build report, the
 * new articles, the site URL. Out: Markdown appended to the file named by
 * $GITHUB_STEP_SUMMARY, and `::warning::` lines (GitHub annotations) for
 * feeds that failed. The CLI reads the environment and passes it in; this
 * module reads no environment of its own.
 */
import { appendFile } from 'node:fs/promises';
import { stepSummary, warningAnnotations, type NewArticle, type SummaryReport } from './summary.ts';

export { stepSummary, warningAnnotations, type NewArticle, type SummaryReport } from './summary.ts';

export interface CiReporting {
  /** The step summary file ($GITHUB_STEP_SUMMARY): Markdown is appended to it. */
  summaryFile?: string | undefined;
  /** Where `::warning::` lines go (stdout, which the runner reads), or nowhere. */
  annotate?: ((line: string) => void) | undefined;
}

export async function reportToCi(ci: CiReporting, report: SummaryReport, context: { siteUrl: string; newArticles: NewArticle[] }): Promise<void> {
  if (ci.annotate) for (const line of warningAnnotations(report)) ci.annotate(line);
  // Appended, not written: other steps of the job add their own sections.
  if (ci.summaryFile) await appendFile(ci.summaryFile, stepSummary(report, context));
}

/**
 * A build that wrote no site (stopped by a signal, a cache in use, an
 * archive that could not be restored): one error annotation and a short
 * section in the step summary saying what happened and what comes next.
 */
export async function reportNoSiteToCi(ci: CiReporting, heading: string, message: string): Promise<void> {
  ci.annotate?.(`::error::${message.replace(/\r?\n/g, ' ')}`);
  if (ci.summaryFile) await appendFile(ci.summaryFile, `## Feed digest: ${heading}\n\n${message}\n\n`);
}
