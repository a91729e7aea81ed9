/** What fetching articles' pages (feeds[].fullText) did for one feed in one build: the report's figures. */
import type { Failure } from './errors.ts';

export interface FullTextFigures {
  /** Pages requested in this build (new and updated articles, and failed pages whose back-off is over). */
  fetched: number;
  /** Pages whose article is now the published content. */
  extracted: number;
  /** Pages that failed or held no article: the feed's text (or an earlier extraction) stays. fetched = extracted + fallback. */
  fallback: number;
  /** Fallbacks by reason (a Failure code: "http-status", "timeout", "not-html", "too-large", "too-short", "login-wall", …). */
  reasons: Record<string, number>;
  /** Bytes of the pages received (after decompression). */
  bytes: number;
  /** Time spent on them, fetch and extraction, summed over pages. */
  ms: number;
  /** Failed pages still waiting out their back-off (not requested in this build). */
  waiting: number;
  /** Each fallback of this build: the page and why. */
  failures: { url: string; error: Failure }[];
}

export function emptyFullTextFigures(): FullTextFigures {
  return { fetched: 0, extracted: 0, fallback: 0, reasons: {}, bytes: 0, ms: 0, waiting: 0, failures: [] };
}
