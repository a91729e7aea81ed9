/**
 * How long a URL that failed waits before a later build tries it again:
 * 1 h, 4 h, 16 h, 2.7 days, then weekly. Shared by images and article pages
 * (full text), so a publisher's outage costs each of them the same few
 * requests. Within one request, http.ts has its own short retries.
 */
const HOUR = 3600_000;
const WEEK = 7 * 24 * HOUR;

/** The wait after the `failures`-th failure in a row (1, 2, …). */
export function retryDelayMs(failures: number): number {
  return Math.min(HOUR * 4 ** (Math.max(1, failures) - 1), WEEK);
}

/** When a URL that has now failed `failures` times in a row may be tried again. */
export function retryAfter(failures: number, now: Date): string {
  return new Date(now.getTime() + retryDelayMs(failures)).toISOString();
}
