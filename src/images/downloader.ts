/**
 * Image downloads on a worker thread of their own (download-thread.ts,
 * started at the first download; idle, it does not keep the build alive).
 *
 * Why a thread: every downloaded byte arrives in a buffer that V8 counts as
 * external memory, and V8 counts external memory allocated since its last
 * full collection against the old generation's limit. Once the ingest's
 * garbage was collected, the build's heap had ~10 MB of room, so the bodies
 * set off a full collection of the whole archive every second or two
 * (measured at 2,000 images: ~200 of them, 60–100 ms each plus the marking
 * threads, 15–20% of a core for the whole image phase, taken from the
 * encoder). The thread's heap is a few MB: its collections cost next to
 * nothing, and the hashing and file writes move off the build's main thread.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { causeOf } from '../model/errors.ts';
import type { HttpClientOptions } from '../net/http.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { DownloadOptions, Downloaded } from './download.ts';

const SCRIPT = path.join(PACKAGE_ROOT, 'bin', 'download-thread.js');

type Ok = Extract<Downloaded, { ok: true }>;
/** A download as the thread reports it: the hash is final (source bytes + `hashSuffix`), as hex. */
export type ThreadDownloaded = Exclude<Downloaded, Ok> | (Omit<Ok, 'hash'> & { hash: string });

/** The messages between the build and its downloads' thread. */
export interface DownloadJob {
  id: number;
  url: string;
  pageUrl: string | null;
  options: Omit<DownloadOptions, 'client' | 'tempFile'>;
  /** One temp file per attempt the Referer chain can make. */
  tempFiles: string[];
  /** Appended to the source's bytes before the hash is taken (the conversion's settings). */
  hashSuffix: string;
}
/** `thrown`: the download could not be stored (its temp file); the message says why. */
export type DownloadReply = { id: number; result: ThreadDownloaded } | { id: number; thrown: string };

export interface Downloader {
  /** Rejects when the download cannot be stored, or the thread died. */
  download(job: Omit<DownloadJob, 'id'>): Promise<ThreadDownloaded>;
  /** Ends the thread (a later download starts another). */
  close(): Promise<void>;
}

export function createDownloader(http: HttpClientOptions): Downloader {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(d: ThreadDownloaded): void; reject(err: Error): void }>();

  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
  };

  function start(): Worker {
    // A thread inherits Node's options; --input-type (a build started from `node -e`) is refused for a file.
    const w = new Worker(SCRIPT, { workerData: http, execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')) });
    w.on('message', (reply: DownloadReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('thrown' in reply) p.reject(new Error(reply.thrown));
      else p.resolve(reply.result);
      if (pending.size === 0) w.unref();
    });
    w.on('error', (err) => {
      if (worker === w) worker = null;
      failAll(`the download thread failed: ${causeOf(err)}`);
    });
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      failAll(`the download thread stopped (exit code ${code})`);
    });
    return w;
  }

  return {
    download(job) {
      return new Promise<ThreadDownloaded>((resolve, reject) => {
        const w = (worker ??= start());
        const id = nextId++;
        pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ ...job, id } satisfies DownloadJob);
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
