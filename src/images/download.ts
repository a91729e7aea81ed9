/**
 * Downloads an image the way the original system did, past hotlink
 * protection: first with no Referer; on 401/403 or a placeholder answer (a
 * page that is not an image, or a 1×1 image), with the Referer a host is
 * known to want (images.referers, e.g. sinaimg.cn → https://weibo.com/);
 * then with the article's own page. Every attempt is recorded, with its
 * status and why it was not good enough.
 */
import type { HttpClient } from '../net/http.ts';
import { failure, type Failure } from '../model/errors.ts';
import type { ImageAttempt } from '../model/image.ts';
import { describeNonImage, isPlaceholderSize, probeSize, sniffFormat, type ImageFormat } from './probe.ts';

export interface DownloadOptions {
  client: HttpClient;
  referers: Record<string, string>;
  guardPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
}

export type Downloaded =
  | { ok: true; body: Buffer; format: ImageFormat; referer: string | null; attempts: ImageAttempt[]; ms: number }
  | { ok: false; error: Failure; attempts: ImageAttempt[] };

const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8';

export async function downloadImage(url: string, pageUrl: string | null, options: DownloadOptions): Promise<Downloaded> {
  const started = Date.now();
  const attempts: ImageAttempt[] = [];
  let lastError: Failure | null = null;
  // A 1×1 answer is kept in case no Referer does better: then it really is a placeholder.
  let placeholder: { body: Buffer; format: ImageFormat; referer: string | null } | null = null;
  for (const referer of refererChain(url, pageUrl, options.referers)) {
    const res = await options.client.get({
      url,
      headers: { accept: ACCEPT, ...(referer ? { referer } : {}) },
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      maxRedirects: 5,
      guardPrivate: options.guardPrivate,
      retries: 1,
    });
    if (!res.ok) {
      attempts.push({ referer, status: null, error: res.error.message });
      // Network-level failures (timeouts, refused connections, caps) will not change with a Referer.
      return { ok: false, error: res.error, attempts };
    }
    const { status, body } = res.value;
    if (status < 200 || status >= 300) {
      attempts.push({ referer, status, error: `HTTP ${status}` });
      lastError = failure('http-status', `${url}: HTTP ${status}`, { status });
      // Only a refusal is worth another Referer; 404 or 500 will not change.
      if (status === 401 || status === 403) continue;
      break;
    }
    const format = sniffFormat(body);
    if (!format) {
      const what = describeNonImage(body);
      attempts.push({ referer, status, error: `not an image: ${what}` });
      lastError = failure(body.length === 0 ? 'image-decode' : 'image-unsupported', `${url}: the server answered with ${what}, not an image`, {
        hint: 'The image may be gone, or the host may refuse to serve it to other sites.',
      });
      continue;
    }
    const size = await probeSize(body, format);
    if (isPlaceholderSize(size)) {
      attempts.push({ referer, status, error: `placeholder ${size!.width}×${size!.height} image` });
      placeholder ??= { body, format, referer };
      continue;
    }
    attempts.push({ referer, status, error: null });
    return { ok: true, body, format, referer, attempts, ms: Date.now() - started };
  }
  if (placeholder) return { ok: true, ...placeholder, attempts, ms: Date.now() - started };
  return { ok: false, error: lastError ?? failure('network', `${url}: no attempt made`), attempts };
}

/** No Referer, then the host's known Referer, then the article page. */
export function refererChain(url: string, pageUrl: string | null, map: Record<string, string>): (string | null)[] {
  const chain: (string | null)[] = [null];
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return chain;
  }
  const mapped = Object.entries(map)
    .filter(([suffix]) => host === suffix || host.endsWith(`.${suffix}`))
    // The most specific entry wins (img.example.com before example.com).
    .sort((a, b) => b[0].length - a[0].length)[0]?.[1];
  if (mapped) chain.push(mapped);
  if (pageUrl && /^https?:/i.test(pageUrl) && !chain.includes(pageUrl)) chain.push(pageUrl);
  return chain;
}
