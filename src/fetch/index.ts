/**
 * fetch: a feed URL + the validators from the last build → decoded text, or
 * "not modified", or a failure, with the figures the report needs (status,
 * ms, bytes). Never parses. Global and per-host concurrency limits live
 * here, so callers can start every feed at once; a feed waits for its host's
 * slot before it takes a global one, so a slow host holds only its own feeds.
 * Each feed has a deadline (fetch.feedDeadlineSeconds) on top of the
 * per-attempt timeout, counted from when its request starts.
 * Feed URLs come from the user's config and are trusted: no private-address
 * guard (that is for URLs found inside feeds).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { FeedConfig, FetchConfig } from '../model/config.ts';
import type { HttpValidators } from '../model/archive.ts';
import { failure, type Failure } from '../model/errors.ts';
import type { HttpClient } from '../net/http.ts';
import { createHostLimiter } from '../net/host-limiter.ts';
import { formatBytes } from '../format/bytes.ts';
import { decodeBody, type Decoded } from './charset.ts';

export { decodeBody, decodeHtml } from './charset.ts';

export type FetchOutcome =
  | {
      kind: 'fetched';
      url: string;
      status: number;
      contentType: string | null;
      text: string;
      charset: string;
      /** Where the charset came from (BOM, valid UTF-8, HTTP header, XML declaration, detection). */
      charsetSource: Decoded['source'];
      bytes: number;
      ms: number;
      attempts: number;
      validators: HttpValidators;
      /** The URL a permanent redirect moved the feed to: the config should use it. */
      movedTo: string | null;
    }
  | {
      kind: 'not-modified';
      status: number;
      /** "304" when the server said so; "same-body" when the bytes hashed the same. */
      reason: '304' | 'same-body';
      bytes: number;
      ms: number;
      attempts: number;
      validators: HttpValidators;
      movedTo: string | null;
    }
  | { kind: 'failed'; status: number | null; ms: number; attempts: number; error: Failure };

export interface FeedFetcher {
  fetch(feed: FeedConfig, previous: HttpValidators): Promise<FetchOutcome>;
}

export function createFeedFetcher(client: HttpClient, config: FetchConfig): FeedFetcher {
  const global = pLimit(config.concurrency);
  const perHost = createHostLimiter({ perHost: config.perHost });
  return {
    fetch: (feed, previous) =>
      perHost(feed.url, () => global(() => (feed.url.startsWith('file:') ? fetchFile(feed, previous, config) : fetchHttp(client, feed, previous, config)))),
  };
}

async function fetchHttp(client: HttpClient, feed: FeedConfig, previous: HttpValidators, config: FetchConfig): Promise<FetchOutcome> {
  const started = Date.now();
  let attempts = 0;
  const conditional: Record<string, string> = {};
  if (previous.etag) conditional['if-none-match'] = previous.etag;
  if (previous.lastModified) conditional['if-modified-since'] = previous.lastModified;
  const res = await client.get({
    url: feed.url,
    headers: {
      accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5',
      ...(feed.userAgent ? { 'user-agent': feed.userAgent } : {}),
      ...feed.headers,
      ...conditional,
    },
    timeoutMs: Math.min(config.timeoutMs, config.feedDeadlineMs),
    deadlineMs: config.feedDeadlineMs,
    maxBytes: config.maxBytes,
    maxRedirects: config.maxRedirects,
    guardPrivate: false,
    retries: config.retries,
    proxy: feed.proxy,
    onAttempt: (n) => {
      attempts = n;
    },
  });
  if (!res.ok) return { kind: 'failed', status: res.error.status ?? null, ms: Date.now() - started, attempts, error: res.error };
  const r = res.value;
  const validators: HttpValidators = {
    etag: r.headers.etag ?? previous.etag,
    lastModified: r.headers['last-modified'] ?? previous.lastModified,
    bodyHash: previous.bodyHash,
  };
  if (r.status === 304) {
    return { kind: 'not-modified', status: 304, reason: '304', bytes: 0, ms: r.ms, attempts: r.attempts, validators, movedTo: r.movedPermanentlyTo };
  }
  if (r.status < 200 || r.status >= 300) {
    return {
      kind: 'failed',
      status: r.status,
      ms: r.ms,
      attempts: r.attempts,
      error: failure('http-status', `${feed.url} answered HTTP ${r.status}${statusHint(r.status)}`, { status: r.status, hint: statusAdvice(r.status) }),
    };
  }
  if (r.body.length === 0) {
    return { kind: 'failed', status: r.status, ms: r.ms, attempts: r.attempts, error: failure('not-a-feed', `${feed.url} answered with an empty body`, { status: r.status }) };
  }
  return decoded(r.body, r.headers['content-type'] ?? null, r.url, r.status, r.ms, r.attempts, validators, r.movedPermanentlyTo);
}

function decoded(
  body: Buffer,
  contentType: string | null,
  url: string,
  status: number,
  ms: number,
  attempts: number,
  validators: HttpValidators,
  movedTo: string | null,
): FetchOutcome {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  if (validators.bodyHash === bodyHash) {
    return { kind: 'not-modified', status, reason: 'same-body', bytes: body.length, ms, attempts, validators, movedTo };
  }
  const { text, charset, source } = decodeBody(body, contentType ?? undefined);
  return {
    kind: 'fetched',
    url,
    status,
    contentType,
    text,
    charset,
    charsetSource: source,
    bytes: body.length,
    ms,
    attempts,
    validators: { ...validators, bodyHash },
    movedTo,
  };
}

async function fetchFile(feed: FeedConfig, previous: HttpValidators, config: FetchConfig): Promise<FetchOutcome> {
  const started = Date.now();
  const file = fileURLToPath(feed.url);
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > config.maxBytes) {
        return { kind: 'failed', status: null, ms: 0, attempts: 1, error: failure('too-large', `${file} is larger than ${formatBytes(config.maxBytes)}`) };
      }
      const body = await handle.readFile();
      return decoded(body, null, feed.url, 200, Date.now() - started, 1, { etag: null, lastModified: null, bodyHash: previous.bodyHash }, null);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return { kind: 'failed', status: null, ms: Date.now() - started, attempts: 1, error: failure('network', `cannot read ${file}: ${(err as Error).message}`) };
  }
}

function statusHint(status: number): string {
  if (status === 404 || status === 410) return ' (the feed is gone)';
  if (status === 401 || status === 403) return ' (access refused)';
  if (status === 429) return ' (rate limited)';
  if (status >= 500) return ' (server error)';
  return '';
}

function statusAdvice(status: number): string | undefined {
  if (status === 404 || status === 410) return 'check the URL in feeds.json, or remove the feed';
  if (status === 401 || status === 403) return 'the site may block automated readers; try a per-feed "userAgent" or "headers"';
  if (status === 429) return 'the server is rate limiting; it will be retried next build';
  return undefined;
}
