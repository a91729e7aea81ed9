/**
 * The one HTTP client every stage that downloads uses (feeds, images, icons).
 *
 * It turns the hostile network into bounded, typed results:
 * - a timeout for each attempt (redirects and body included), a deadline for
 *   the whole request (every attempt and retry wait), a connect timeout, and
 *   an idle timeout between body chunks (a server that drips one byte a
 *   second is cut off);
 * - a byte cap checked while reading, after decompression (a gzip bomb stops
 *   at the cap);
 * - redirects followed by hand, bounded, loops detected, permanent ones
 *   reported so users can update their config;
 * - optionally, no connections to private addresses (checked after DNS, on
 *   every hop);
 * - retries with backoff on timeouts, resets, 5xx and 429 (Retry-After
 *   honoured, bounded by the deadline);
 * - proxies: a per-request proxy URL, else HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
 * Non-2xx statuses are returned, not thrown: the caller decides what they mean.
 */
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { causeOf, failure, type Failure, type Result } from '../model/errors.ts';
import { formatBytes } from '../format/bytes.ts';
import { BlockedAddressError, checkLiteralHost, guardedLookup } from './address-guard.ts';

export interface HttpRequest {
  url: string;
  headers?: Record<string, string>;
  /** Time allowed for one attempt, redirects and body included. */
  timeoutMs: number;
  /** Deadline for the whole request, every attempt and retry wait included (default: timeoutMs). */
  deadlineMs?: number;
  /** Longest silence allowed between two body chunks (default: min(timeoutMs, 15 s)). */
  idleTimeoutMs?: number;
  /** Cap on the decoded body. */
  maxBytes: number;
  maxRedirects: number;
  /** Refuse private, loopback and link-local addresses (URLs from feed content). */
  guardPrivate: boolean;
  /** Retries after the first attempt, on timeouts, resets, 5xx and 429. */
  retries?: number;
  /** An explicit proxy URL for this request (else HTTP(S)_PROXY / NO_PROXY apply). */
  proxy?: string | null;
  signal?: AbortSignal;
  /** Called as each attempt starts (1, 2, …): failures carry no attempt count, callers may want it. */
  onAttempt?: (attempt: number) => void;
  /**
   * Where a 2xx body goes instead of memory, chunk by chunk, each write
   * awaited (a slow disk slows the read); the response's body is then empty.
   * An attempt retried after part of a body calls onAttempt first: the sink starts over there.
   */
  sink?: (chunk: Buffer) => Promise<void>;
}

export interface Redirect {
  from: string;
  to: string;
  status: number;
}

export interface HttpResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  /** Decoded body (only read for 2xx, and not when it went to the request's sink; empty otherwise). */
  body: Buffer;
  /** Bytes of the decoded body, wherever it went. */
  bodyBytes: number;
  /** Bytes on the wire (before decompression), when known. */
  wireBytes: number;
  ms: number;
  attempts: number;
  redirects: Redirect[];
  /** Set when every hop was a 301/308: the URL the config should now use. */
  movedPermanentlyTo: string | null;
}

export interface HttpClientOptions {
  userAgent: string;
  /** Base delay for retry backoff (doubles each time). */
  retryBaseMs?: number;
  /** Longest wait between retries, whatever Retry-After says. */
  maxRetryDelayMs?: number;
  connectTimeoutMs?: number;
}

export interface HttpClient {
  /** What it was made with: another thread makes the same client from it. */
  readonly options: HttpClientOptions;
  get(req: HttpRequest): Promise<Result<HttpResponse>>;
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/**
 * `stop` (the build being stopped by a signal) aborts every request of the
 * client at once, in flight or waiting to retry. It is not part of the
 * options: those are copied to another thread, a signal cannot be.
 */
export function createHttpClient(options: HttpClientOptions, stop?: AbortSignal): HttpClient {
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const hasEnvProxy = Boolean(
    process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy,
  );
  const dispatchers = new Map<string, Dispatcher>();

  function dispatcherFor(guard: boolean, proxy: string | null | undefined): Dispatcher {
    const key = `${guard}|${proxy ?? ''}`;
    let d = dispatchers.get(key);
    if (!d) {
      // Behind a proxy the proxy resolves names, so only IP literals can be checked here.
      const connect = guard ? { timeout: connectTimeout, lookup: guardedLookup } : { timeout: connectTimeout };
      if (proxy) d = new ProxyAgent({ uri: proxy, connect: { timeout: connectTimeout } });
      // The guarded lookup still applies to the hosts NO_PROXY sends direct.
      else if (hasEnvProxy) d = new EnvHttpProxyAgent({ connect });
      else d = new Agent({ connect });
      dispatchers.set(key, d);
    }
    return d;
  }

  async function once(req: HttpRequest, signal: AbortSignal, started: number): Promise<Result<HttpResponse>> {
    const redirects: Redirect[] = [];
    const visited = new Set<string>();
    let url = req.url;
    let allPermanent = true;
    const firstOrigin = safeOrigin(req.url);
    for (;;) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return { ok: false, error: failure('bad-url', `not a valid URL: ${url}`) };
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        return { ok: false, error: failure('bad-url', `unsupported URL scheme ${parsed.protocol} in ${url}`) };
      }
      if (req.guardPrivate) {
        const blocked = checkLiteralHost(parsed);
        if (blocked) return { ok: false, error: blockedFailure(url, blocked) };
      }
      visited.add(url);

      const res = await request(url, {
        method: 'GET',
        dispatcher: dispatcherFor(req.guardPrivate, req.proxy),
        headers: {
          'user-agent': options.userAgent,
          accept: '*/*',
          'accept-encoding': 'gzip, deflate, br',
          // Credentials meant for the feed's own server are not handed to whatever it redirects to.
          ...(parsed.origin === firstOrigin ? req.headers : withoutCredentials(req.headers)),
        },
        signal,
        headersTimeout: req.timeoutMs,
        // undici checks this on a coarse (~1 s) clock; readCapped keeps its own, exact one.
        bodyTimeout: Math.max(idleTimeoutOf(req), 1000) * 2,
      });
      const headers = flattenHeaders(res.headers);

      if (REDIRECT_STATUS.has(res.statusCode) && headers.location) {
        res.body.resume();
        const next = safeResolve(headers.location, url);
        if (!next) return { ok: false, error: failure('bad-url', `${url} redirects to an invalid URL: ${headers.location}`) };
        redirects.push({ from: url, to: next, status: res.statusCode });
        if (res.statusCode !== 301 && res.statusCode !== 308) allPermanent = false;
        if (visited.has(next)) {
          return { ok: false, error: failure('redirect-loop', `redirect loop: ${[...visited, next].join(' → ')}`) };
        }
        if (redirects.length > req.maxRedirects) {
          return {
            ok: false,
            error: failure('too-many-redirects', `more than ${req.maxRedirects} redirects from ${req.url}`),
          };
        }
        url = next;
        continue;
      }

      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const declared = Number(headers['content-length']);
      if (ok && Number.isFinite(declared) && declared > req.maxBytes && !headers['content-encoding']) {
        res.body.destroy();
        return { ok: false, error: tooLarge(url, req.maxBytes) };
      }
      let body: Buffer = Buffer.alloc(0);
      let bodyBytes = 0;
      let wireBytes = 0;
      if (ok) {
        const read = await readCapped(res.body, headers['content-encoding'], req.maxBytes, idleTimeoutOf(req), req.sink);
        if (!read.ok) return { ok: false, error: read.error.code === 'too-large' ? tooLarge(url, req.maxBytes) : read.error };
        ({ body, bytes: bodyBytes, wireBytes } = read.value);
      } else {
        res.body.resume();
      }
      return {
        ok: true,
        value: {
          url,
          status: res.statusCode,
          headers,
          body,
          bodyBytes,
          wireBytes,
          ms: Date.now() - started,
          attempts: 1,
          redirects,
          movedPermanentlyTo: redirects.length > 0 && allPermanent ? url : null,
        },
      };
    }
  }

  async function get(req: HttpRequest): Promise<Result<HttpResponse>> {
    const started = Date.now();
    const deadlineMs = req.deadlineMs ?? req.timeoutMs;
    const callers = [req.signal, stop].filter((s): s is AbortSignal => s !== undefined);
    const deadline = callers.length > 0 ? AbortSignal.any([...callers, AbortSignal.timeout(deadlineMs)]) : AbortSignal.timeout(deadlineMs);
    const retries = req.retries ?? 0;
    let last: Result<HttpResponse> | null = null;
    for (let attempt = 0; attempt <= retries; attempt++) {
      req.onAttempt?.(attempt + 1);
      const attemptTimeout = AbortSignal.timeout(req.timeoutMs);
      const signal = AbortSignal.any([deadline, attemptTimeout]);
      let result: Result<HttpResponse>;
      try {
        result = await once(req, signal, started);
      } catch (err) {
        if (stop?.aborted) return { ok: false, error: failure('stopped', `${req.url}: not fetched, the build was stopped (${String(stop.reason)})`) };
        result = { ok: false, error: networkFailure(req.url, err, { deadline, deadlineMs, attemptTimeout, timeoutMs: req.timeoutMs }) };
      }
      if (result.ok) result.value.attempts = attempt + 1;
      last = result;
      const retryable = result.ok
        ? RETRYABLE_STATUS.has(result.value.status)
        : (result.error.code === 'network' || result.error.code === 'timeout') && !deadline.aborted;
      if (!retryable || attempt === retries) break;
      const retryAfter = result.ok ? parseRetryAfter(result.value.headers['retry-after']) : null;
      const wait = Math.min(retryAfter ?? retryBaseMs * 2 ** attempt, maxRetryDelayMs);
      if (Date.now() + wait - started >= deadlineMs) break; // the deadline would pass while waiting
      await sleep(wait, undefined, { signal: deadline }).catch(() => undefined);
      if (deadline.aborted) break;
    }
    return last ?? { ok: false, error: failure('network', `no attempt made for ${req.url}`) };
  }

  return {
    options,
    get,
    async close() {
      await Promise.all([...dispatchers.values()].map((d) => d.close().catch(() => undefined)));
      dispatchers.clear();
    },
  };
}

function idleTimeoutOf(req: HttpRequest): number {
  return req.idleTimeoutMs ?? Math.min(req.timeoutMs, 15_000);
}

/** The body went quiet for longer than the idle timeout. */
class BodyIdleError extends Error {
  readonly code = 'BODY_IDLE';
  constructor(ms: number) {
    super(`no body data for ${ms} ms`);
  }
}

/**
 * Reads a body, decompressing it, into memory or into `sink`, and stops as
 * soon as the decoded size passes `max`, or when no bytes arrive for `idleMs`.
 */
async function readCapped(
  body: Readable,
  encoding: string | undefined,
  max: number,
  idleMs: number,
  sink: ((chunk: Buffer) => Promise<void>) | undefined,
): Promise<Result<{ body: Buffer; bytes: number; wireBytes: number }>> {
  let wireBytes = 0;
  const idle = setTimeout(() => body.destroy(new BodyIdleError(idleMs)), idleMs);
  body.on('data', (chunk: Buffer) => {
    wireBytes += chunk.length;
    idle.refresh();
  });
  body.once('close', () => clearTimeout(idle));
  const decoder = decompressor(encoding);
  let source: Readable = body;
  if (decoder) {
    body.on('error', (err) => decoder.destroy(err));
    source = body.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > max) {
        body.destroy();
        decoder?.destroy();
        return { ok: false, error: failure('too-large', 'too large') };
      }
      if (sink) await sink(buf);
      else chunks.push(buf);
    }
  } catch (err) {
    body.destroy();
    throw err;
  } finally {
    clearTimeout(idle);
  }
  return { ok: true, value: { body: Buffer.concat(chunks, size), bytes: size, wireBytes } };
}

function decompressor(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The request headers minus those that carry credentials (as browsers do on a cross-origin redirect). */
function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)));
}

function safeResolve(location: string, base: string): string | null {
  try {
    return new URL(location, base).href;
  } catch {
    return null;
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function tooLarge(url: string, max: number): Failure {
  return failure('too-large', `${url} is larger than ${formatBytes(max)}`, {
    hint: 'raise fetch.maxBytes (or images.maxBytes) in feeds.json if this is expected',
  });
}

function blockedFailure(url: string, err: BlockedAddressError): Failure {
  return failure('blocked-address', `refused to fetch ${url}: ${err.message}`, {
    hint: 'set fetch.allowPrivateNetworks to true in feeds.json to allow addresses on your own network',
  });
}

interface Clocks {
  deadline: AbortSignal;
  deadlineMs: number;
  attemptTimeout: AbortSignal;
  timeoutMs: number;
}

function networkFailure(url: string, err: unknown, clocks: Clocks): Failure {
  const code = (err as { code?: string }).code ?? '';
  const cause = causeOf(err);
  const blocked = findBlocked(err);
  if (blocked) return blockedFailure(url, blocked);
  const stalled = code === 'BODY_IDLE' || code === 'UND_ERR_BODY_TIMEOUT' || err instanceof BodyIdleError;
  if (stalled || clocks.deadline.aborted || clocks.attemptTimeout.aborted || (code.startsWith('UND_ERR_') && code.endsWith('TIMEOUT'))) {
    const what =
      stalled ? `the response body stalled (${cause})` :
      code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' :
      code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for the response headers' :
      clocks.deadline.aborted ? `no complete answer within the ${seconds(clocks.deadlineMs)} deadline` :
      `no complete answer within ${seconds(clocks.timeoutMs)}`;
    return failure('timeout', `${url} timed out: ${what}`, { cause });
  }
  return failure('network', `${url} could not be fetched: ${cause}`, { cause });
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function findBlocked(err: unknown): BlockedAddressError | null {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof BlockedAddressError) return e;
  }
  return null;
}
