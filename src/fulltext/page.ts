/**
 * One article page over the build's HTTP client, with the limits of a feed
 * fetch (timeouts and deadline, fetch.maxBytes, redirects, retries on 5xx,
 * proxy, User-Agent) and the private-address guard of any URL that comes
 * from a feed. The feed's own headers (cookies, an Authorization made from
 * user:password in its URL) go only to pages on the feed's origin.
 */
import type { FeedConfig, FetchConfig } from '../model/config.ts';
import { failure, type Failure } from '../model/errors.ts';
import type { HttpClient } from '../net/http.ts';

export type Decode = (bytes: Buffer, contentType: string | undefined) => { text: string };

export type PageFetch =
  | { ok: true; url: string; html: string; bytes: number }
  | { ok: false; error: Failure; bytes: number };

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

export async function fetchPage(client: HttpClient, url: string, feed: FeedConfig, config: FetchConfig, decode: Decode): Promise<PageFetch> {
  const res = await client.get({
    url,
    headers: {
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      ...(feed.userAgent ? { 'user-agent': feed.userAgent } : {}),
      ...(sameOrigin(url, feed.url) ? feed.headers : {}),
    },
    timeoutMs: Math.min(config.timeoutMs, config.feedDeadlineMs),
    deadlineMs: config.feedDeadlineMs,
    maxBytes: config.maxBytes,
    maxRedirects: config.maxRedirects,
    guardPrivate: !config.allowPrivateNetworks,
    retries: config.retries,
    proxy: feed.proxy,
  });
  if (!res.ok) return { ok: false, error: res.error, bytes: 0 };
  const r = res.value;
  if (r.status < 200 || r.status >= 300) {
    return { ok: false, bytes: 0, error: failure('http-status', `${url} answered HTTP ${r.status}`, { status: r.status }) };
  }
  const type = r.headers['content-type'];
  // No Content-Type: the body decides (a page starts with markup).
  const html = type ? HTML_TYPES.test(type.trim()) : /^\s*</.test(r.body.subarray(0, 512).toString('latin1'));
  if (!html) {
    return { ok: false, bytes: r.bodyBytes, error: failure('not-html', `${r.url} is not an HTML page (${type ? `Content-Type ${type}` : 'no Content-Type, and no markup'})`) };
  }
  return { ok: true, url: r.url, html: decode(r.body, type).text, bytes: r.bodyBytes };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
