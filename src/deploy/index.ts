/**
 * deploy: what a build tells the CI it runs in. In: the build report, the
 * new articles, the site URL and folder. Out: Markdown appended to the file
 * named by $GITHUB_STEP_SUMMARY, `::warning::` lines (GitHub annotations)
 * for feeds that failed, and the step's outputs (the site folder, articles
 * new and total, feeds failed) appended to the file named by $GITHUB_OUTPUT.
 * The CLI reads the environment and passes it in; this module reads no
 * environment of its own.
 */
import { appendFile } from 'node:fs/promises';
import { stepSummary, warningAnnotations, type NewArticle, type SummaryReport } from './summary.ts';
import { stepOutputs } from './outputs.ts';

export { stepSummary, warningAnnotations, type NewArticle, type SummaryReport } from './summary.ts';
export { stepOutputs } from './outputs.ts';

export interface CiReporting {
  /** The step summary file ($GITHUB_STEP_SUMMARY): Markdown is appended to it. */
  summaryFile?: string | undefined;
  /** Where `::warning::` lines go (stdout, which the runner reads), or nowhere. */
  annotate?: ((line: string) => void) | undefined;
  /** The step's outputs file ($GITHUB_OUTPUT): `name=value` lines are appended to it. */
  outputFile?: string | undefined;
}

export async function reportToCi(ci: CiReporting, report: SummaryReport, context: { siteUrl: string; newArticles: NewArticle[]; siteDir: string | null }): Promise<void> {
  if (ci.annotate) for (const line of warningAnnotations(report)) ci.annotate(line);
  // Appended, not written: other steps of the job add their own sections.
  if (ci.summaryFile) await appendFile(ci.summaryFile, stepSummary(report, context));
  if (ci.outputFile) await appendFile(ci.outputFile, stepOutputs(report, context.siteDir));
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
