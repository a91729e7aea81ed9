/**
 * The image downloads' thread (started by downloader.ts through
 * bin/download-thread.js): runs downloadImage for the jobs the build sends,
 * with an HTTP client of its own made from the build's client's options, and
 * answers with what it wrote where.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { causeOf } from '../model/errors.ts';
import { createHttpClient, type HttpClientOptions } from '../net/http.ts';
import { downloadImage } from './download.ts';
import type { DownloadJob, DownloadReply } from './downloader.ts';

const port = parentPort!;
const client = createHttpClient(workerData as HttpClientOptions);

async function run(job: DownloadJob): Promise<DownloadReply> {
  const files = [...job.tempFiles];
  const tempFile = async () => {
    const file = files.shift();
    if (!file) throw new Error('more attempts than temp files');
    return file;
  };
  try {
    const got = await downloadImage(job.url, job.pageUrl, { ...job.options, client, tempFile });
    if (!got.ok) return { id: job.id, result: got };
    // The hash names the converted files: the source's bytes, then the conversion's settings.
    return { id: job.id, result: { ...got, hash: got.hash.update(job.hashSuffix).digest('hex').slice(0, 24) } };
  } catch (err) {
    return { id: job.id, thrown: `cannot store the download under ${path.dirname(job.tempFiles[0] ?? '.')} (${causeOf(err)})` };
  }
}

port.on('message', (job: DownloadJob) => void run(job).then((reply) => port.postMessage(reply)));
