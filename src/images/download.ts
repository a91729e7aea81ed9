/**
 * Downloads an image the way the original system did, past hotlink
 * protection: first with no Referer; on 401/403 or a placeholder answer (a
 * page that is not an image, or a 1×1 image), with the Referer a host is
 * known to want (images.referers, e.g. sinaimg.cn → https://weibo.com/);
 * then with the article's own page. Every attempt is recorded, with its
 * status and why it was not good enough.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
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
  /** A new path for a downloaded source: the body goes to disk, never whole into memory. */
  tempFile: () => Promise<string>;
}

/** On success the caller owns `file` (and removes it); on failure nothing is left behind. */
export type Downloaded =
  | { ok: true; file: string; bytes: number; hash: Hash; format: ImageFormat; referer: string | null; attempts: ImageAttempt[]; ms: number }
  | { ok: false; error: Failure; attempts: ImageAttempt[] };

const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8';

export async function downloadImage(url: string, pageUrl: string | null, options: DownloadOptions): Promise<Downloaded> {
  const started = Date.now();
  const attempts: ImageAttempt[] = [];
  let lastError: Failure | null = null;
  // A 1×1 answer is kept in case no Referer does better: then it really is a placeholder.
  let placeholder: { source: SourceFile; format: ImageFormat; referer: string | null } | null = null;
  const done = (source: SourceFile, format: ImageFormat, referer: string | null): Downloaded => ({
    ok: true,
    file: source.path,
    bytes: source.bytes,
    hash: source.hash,
    format,
    referer,
    attempts,
    ms: Date.now() - started,
  });
  for (const referer of refererChain(url, pageUrl, options.referers)) {
    const source = new SourceFile(await options.tempFile());
    const res = await options.client
      .get({
        url,
        headers: { accept: ACCEPT, ...(referer ? { referer } : {}) },
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        maxRedirects: 5,
        guardPrivate: options.guardPrivate,
        retries: 1,
        sink: source.write,
        onAttempt: source.restart,
      })
      .finally(() => source.close());
    if (!res.ok) {
      await source.discard();
      await placeholder?.source.discard();
      attempts.push({ referer, status: null, error: res.error.message });
      // Network-level failures (timeouts, refused connections, caps) will not change with a Referer.
      return { ok: false, error: res.error, attempts };
    }
    const { status } = res.value;
    if (status < 200 || status >= 300) {
      await source.discard();
      attempts.push({ referer, status, error: `HTTP ${status}` });
      lastError = failure('http-status', `${url}: HTTP ${status}`, { status });
      // Only a refusal is worth another Referer; 404 or 500 will not change.
      if (status === 401 || status === 403) continue;
      break;
    }
    const format = sniffFormat(source.head);
    if (!format) {
      await source.discard();
      const what = describeNonImage(source.head, source.bytes);
      attempts.push({ referer, status, error: `not an image: ${what}` });
      lastError = failure(source.bytes === 0 ? 'image-decode' : 'image-unsupported', `${url}: the server answered with ${what}, not an image`, {
        hint: 'The image may be gone, or the host may refuse to serve it to other sites.',
      });
      continue;
    }
    // A placeholder (≤ 2×2 px) is a few hundred bytes: a body larger than its head is a
    // picture, and reading the header of every large download cost the build CPU for nothing.
    // (A bloated tiny image that slips through is still caught by the converter.)
    const size = source.bytes <= HEAD_BYTES ? await probeSize(source.head, format) : null;
    if (isPlaceholderSize(size)) {
      attempts.push({ referer, status, error: `placeholder ${size!.width}×${size!.height} image` });
      if (placeholder) await source.discard();
      else placeholder = { source, format, referer };
      continue;
    }
    await placeholder?.source.discard();
    attempts.push({ referer, status, error: null });
    return done(source, format, referer);
  }
  if (placeholder) return done(placeholder.source, placeholder.format, placeholder.referer);
  return { ok: false, error: lastError ?? failure('network', `${url}: no attempt made`), attempts };
}

/** Bytes kept in memory from the start of a download: enough to tell its format and size from the header. */
const HEAD_BYTES = 64 * 1024;

/**
 * Chunks are written in batches of this size: a write per network chunk
 * (~64 KB) cost a syscall and a promise round trip each, and while it was
 * awaited chunks piled up in the socket's stream, which then copied them into
 * one buffer to hand them over.
 */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** One attempt's body on its way to a file: its first bytes, size and hash taken as it arrives. */
class SourceFile {
  head: Buffer = Buffer.alloc(0);
  bytes = 0;
  hash: Hash = createHash('sha256');
  private handle: Promise<FileHandle> | null = null;
  private batch: Buffer[] = [];
  private batchBytes = 0;

  constructor(readonly path: string) {}

  write = async (chunk: Buffer): Promise<void> => {
    if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= WRITE_BATCH_BYTES) await this.flush();
  };

  /** A retried request starts its body again: the next write truncates the file. */
  restart = (): void => {
    const handle = this.handle;
    this.handle = null;
    this.batch = [];
    this.batchBytes = 0;
    void handle?.then((h) => h.close()).catch(() => {});
    this.head = Buffer.alloc(0);
    this.bytes = 0;
    this.hash = createHash('sha256');
  };

  /** Writes what is batched; a file that cannot be written is an error (the download cannot be kept). */
  private async flush(): Promise<void> {
    const chunks = this.batch;
    if (chunks.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const handle = await (this.handle ??= open(this.path, 'w'));
    let done = (await handle.writev(chunks)).bytesWritten;
    // writev may write part of the batch (a full disk, a signal): the rest goes after it.
    for (const chunk of chunks) {
      if (done >= chunk.length) {
        done -= chunk.length;
        continue;
      }
      await handle.write(chunk.subarray(done));
      done = 0;
    }
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const handle = this.handle;
      this.handle = null;
      this.batch = [];
      this.batchBytes = 0;
      await handle?.then((h) => h.close()).catch(() => {});
    }
  }

  async discard(): Promise<void> {
    this.batch = [];
    this.batchBytes = 0;
    await this.close().catch(() => {});
    await rm(this.path, { force: true });
  }
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
