/**
 * Requests per host: at most `perHost` at once and, with a gap, each one
 * starting at least `gapMs` after the previous one to that host (the polite
 * delay of page fetches). Callers take a host's slot before any global
 * limit of theirs, so a slow host holds only its own requests.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';

export type HostLimiter = <T>(url: string, task: () => Promise<T>) => Promise<T>;

/** `stop` (the build is being stopped) ends the waits between requests: what is queued runs at once, to fail fast. */
export function createHostLimiter(options: { perHost: number; gapMs?: number; stop?: AbortSignal | undefined }): HostLimiter {
  const gap = options.gapMs ?? 0;
  const stop = options.stop;
  const hosts = new Map<string, { limit: LimitFunction; next: number }>();
  return (url, task) => {
    const key = hostOf(url);
    let host = hosts.get(key);
    if (!host) hosts.set(key, (host = { limit: pLimit(options.perHost), next: 0 }));
    const h = host;
    return h.limit(async () => {
      // Checked again after each wait: a timer that fires late (a busy event loop) must not let two start together.
      for (let wait = h.next - Date.now(); wait > 0 && !stop?.aborted; wait = h.next - Date.now()) {
        await sleep(wait, undefined, stop ? { signal: stop } : {}).catch(() => undefined);
      }
      h.next = Date.now() + gap;
      return task();
    });
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
