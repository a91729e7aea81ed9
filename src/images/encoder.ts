/**
 * Image encoding in a process of its own (encode-process.ts, started through
 * bin/encoder.js at the first image and stopped by close()).
 *
 * Why a process: libvips frees its decode and encode buffers to glibc's
 * allocator, which keeps much of them in per-thread arenas. In the build's
 * process that memory stayed held through the render, at the peak of a large
 * build (~230 MB after 2,000 conversions); the encoder gives it all back when
 * it exits, and runs with MALLOC_ARENA_MAX=2 so it holds less while it works.
 * A crash in a decoder, or the kernel's OOM killer, costs the images in
 * progress a retry in a fresh process, not the build.
 *
 * The source comes as a file, which the download wrote (tempFile()), not
 * through the IPC channel: Node's IPC copies large messages slowly (2,000 ×
 * 1.25 MB took 10–19 s of CPU here, against 3.4 s to write and read them
 * through the page cache), and the build never holds a whole body.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { removeStaleTempFiles, removeTempFilesOf } from '../io/atomic-file.ts';
import { causeOf, failure, type Result } from '../model/errors.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { ConvertOptions, Converted } from './convert.ts';

export interface EncodedVariant {
  width: number;
  height: number;
  bytes: number;
}

type ConvertedImage = Extract<Converted, { kind: 'image' }>;
/** A conversion whose variants are files now (`${outPrefix}${width}.webp`). */
export type Encoded = Exclude<Converted, ConvertedImage> | (Omit<ConvertedImage, 'variants'> & { variants: EncodedVariant[] });

/** The IPC messages between the build and its encoder. */
export interface EncodeRequest {
  id: number;
  url: string;
  sourceFile: string;
  options: ConvertOptions;
  outPrefix: string;
}
/** `encoded` when the encoding is done and the files are being written (the next job can start), then `result`. */
export type EncodeReply = { id: number; encoded: true } | { id: number; result: Result<Encoded> };

export interface Encoder {
  /** A new path in the encoder's folder for a source on its way to it (the caller removes the file). */
  tempFile(): Promise<string>;
  /** Converts the source in `sourceFile`, writing variant by variant to `${outPrefix}${width}.webp`. */
  encode(url: string, sourceFile: string, options: ConvertOptions, outPrefix: string): Promise<Result<Encoded>>;
  /** The encoder process's pid, or null while none runs. */
  pid(): number | null;
  /** Ends the process (a later encode starts another) and waits until it is gone. */
  close(): Promise<void>;
  /**
   * The build is being stopped: every job waiting or in progress ends as
   * 'stopped' at once, the process is killed (no retry), the sources' folder
   * removed. Later encodes end as 'stopped' too.
   */
  abort(reason: string): Promise<void>;
}

const SCRIPT = path.join(PACKAGE_ROOT, 'bin', 'encoder.js');

interface Job {
  request: EncodeRequest;
  /** Sent and not yet encoded: holds one of the slots. */
  encoding: boolean;
  /** Encoder processes that died with this job in progress. */
  crashes: number;
  resolve(result: Result<Encoded>): void;
}

/**
 * `tempDir` holds the sources on their way to the encoder (one file per download);
 * `slots` images are encoded at once (one libvips thread each), while others'
 * files are written.
 */
export function createEncoder(tempDir: string, slots: number): Encoder {
  let child: ChildProcess | null = null;
  let nextId = 0;
  const token = randomBytes(4).toString('hex');
  const waiting: Job[] = [];
  const sent = new Map<number, Job>();
  let encoding = 0;
  let ready: Promise<void> | null = null;
  let aborted: string | null = null;
  const stopped = (job: Job): Result<Encoded> => ({
    ok: false,
    error: failure('stopped', `${job.request.url}: not converted, the build was stopped (${aborted})`),
  });

  function start(): ChildProcess {
    const proc = fork(SCRIPT, [], {
      // Not the build's flags (a TypeScript loader, --cpu-prof): bin/encoder.js finds its code.
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
    });
    proc.on('message', (reply: EncodeReply) => {
      const job = sent.get(reply.id);
      if (!job) return;
      release(job);
      if ('result' in reply) {
        sent.delete(reply.id);
        job.resolve(reply.result);
      }
      pump();
    });
    // 'error' without 'exit' when the process could not start.
    proc.on('error', (err) => gone(proc, causeOf(err)));
    proc.on('exit', (code, signal) => gone(proc, signal ?? `exit code ${code}`));
    return proc;
  }

  function release(job: Job) {
    if (!job.encoding) return;
    job.encoding = false;
    encoding--;
  }

  /** Sends waiting jobs while a slot is free; an idle process must not keep the build's event loop alive. */
  function pump() {
    while (encoding < slots && waiting.length > 0) {
      const job = waiting.shift()!;
      child ??= start();
      job.encoding = true;
      encoding++;
      sent.set(job.request.id, job);
      // A send on a channel that just closed fails here; 'exit' follows and retries the job.
      child.send(job.request, () => {});
    }
    if (!child) return;
    const busy = sent.size > 0;
    for (const handle of [child, child.channel]) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }

  /** The process ended: jobs it had get one more try in a new process, then fail. */
  function gone(proc: ChildProcess, why: string) {
    if (child !== proc) return;
    child = null;
    const again: Job[] = [];
    for (const job of sent.values()) {
      release(job);
      if (job.crashes++ === 0) again.push(job);
      else {
        job.resolve({
          ok: false,
          error: failure('image-decode', `${job.request.url}: the image encoder crashed twice while converting it (${why})`, {
            hint: 'An image made to crash decoders, or too little memory for it; it is tried again after the usual back-off.',
          }),
        });
      }
    }
    sent.clear();
    waiting.unshift(...again);
    pump();
  }

  async function prepare(): Promise<void> {
    await mkdir(tempDir, { recursive: true });
    // Sources left by a build that was killed.
    await removeStaleTempFiles(tempDir);
  }

  let sources = 0;
  return {
    async tempFile() {
      await (ready ??= prepare());
      // Named as writeFileAtomic names its temp files, so removeStaleTempFiles knows a dead build's.
      return path.join(tempDir, `.source-${sources++}.${process.pid}.${token}.tmp`);
    },
    encode(url, sourceFile, options, outPrefix) {
      return new Promise<Result<Encoded>>((resolve) => {
        const job: Job = { request: { id: nextId++, url, sourceFile, options, outPrefix }, encoding: false, crashes: 0, resolve };
        if (aborted) return resolve(stopped(job));
        waiting.push(job);
        pump();
      });
    },
    pid: () => child?.pid ?? null,
    async close() {
      const proc = child;
      if (proc?.connected) {
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        // Waited for: the build goes on only once the memory is given back.
        proc.ref();
        // The encoder exits when its channel closes (encode-process.ts).
        proc.disconnect();
        await exited;
      }
      if (ready) await rmdir(tempDir).catch(() => {});
      ready = null;
    },
    async abort(reason) {
      aborted = reason;
      // Where the jobs in progress were writing their files.
      const outDirs = new Set([...sent.values()].map((job) => path.dirname(job.request.outPrefix)));
      for (const job of [...waiting, ...sent.values()]) job.resolve(stopped(job));
      waiting.length = 0;
      sent.clear();
      encoding = 0;
      const proc = child;
      child = null;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill('SIGKILL');
        await exited;
        // Files it was writing (atomically: temp file, then rename) when it was killed.
        if (proc.pid) for (const dir of outDirs) await removeTempFilesOf(dir, proc.pid);
      }
      // The sources on their way to it, this build's alone (the cache is locked).
      await rm(tempDir, { recursive: true, force: true });
      ready = null;
    },
  };
}
