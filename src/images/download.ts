/**
 * Downloads an image the way the original system did, past hotlink
 * protection: first with no Referer; on 401/403 or an answer that is not an
 * image (a placeholder page), with the Referer a host is known to want
 * (images.referers, e.g. sinaimg.cn → https://weibo.com/); then with the
 * article's own page. Every attempt is recorded.
 */
import type { HttpClient } from '../net/http.ts';
import { failure, type Failure } from '../model/errors.ts';
import type { ImageAttempt } from '../model/image.ts';

export interface DownloadOptions {
  client: HttpClient;
  referers: Record<string, string>;
  guardPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
}

export type Downloaded =
  | { ok: true; body: Buffer; referer: string | null; attempts: ImageAttempt[]; ms: number }
  | { ok: false; error: Failure; attempts: ImageAttempt[] };

export async function downloadImage(url: string, pageUrl: string | null, options: DownloadOptions): Promise<Downloaded> {
  const started = Date.now();
  const attempts: ImageAttempt[] = [];
  const referers = refererChain(url, pageUrl, options.referers);
  let lastError: Failure | null = null;
  for (const referer of referers) {
    const res = await options.client.get({
      url,
      headers: { accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8', ...(referer ? { referer } : {}) },
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      maxRedirects: 5,
      guardPrivate: options.guardPrivate,
      retries: 1,
    });
    if (!res.ok) {
      attempts.push({ referer, status: null, error: res.error.message });
      // Network-level failures will not change with a Referer.
      return { ok: false, error: res.error, attempts };
    }
    const { status, body } = res.value;
    if (status >= 200 && status < 300 && isImage(body)) {
      attempts.push({ referer, status, error: null });
      return { ok: true, body, referer, attempts, ms: Date.now() - started };
    }
    const why = status >= 200 && status < 300 ? (body.length === 0 ? 'empty body' : 'not an image') : `HTTP ${status}`;
    attempts.push({ referer, status, error: why });
    lastError =
      status >= 200 && status < 300
        ? failure('image-decode', `${url}: the server answered with ${why}`)
        : failure('http-status', `${url}: HTTP ${status}`, { status });
    // Only refusals and placeholder answers are worth another Referer.
    const refused = status === 401 || status === 403 || (status >= 200 && status < 300);
    if (!refused) break;
  }
  return { ok: false, error: lastError ?? failure('network', `${url}: no attempt made`), attempts };
}

function refererChain(url: string, pageUrl: string | null, map: Record<string, string>): (string | null)[] {
  const chain: (string | null)[] = [null];
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return chain;
  }
  const mapped = Object.entries(map).find(([suffix]) => host === suffix || host.endsWith(`.${suffix}`))?.[1];
  if (mapped) chain.push(mapped);
  if (pageUrl && /^https?:/.test(pageUrl) && !chain.includes(pageUrl)) chain.push(pageUrl);
  return chain;
}

/** Magic numbers of the formats we convert; an HTML error page is not an image. */
export function isImage(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  const b = buf;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true; // JPEG
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return true; // PNG
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return true;
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return true;
  if (b.subarray(4, 8).toString('latin1') === 'ftyp') return true; // AVIF / HEIF
  if (b[0] === 0x42 && b[1] === 0x4d) return true; // BMP
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)) return true; // TIFF
  const head = b.subarray(0, 256).toString('utf8').trimStart();
  return head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'));
}
