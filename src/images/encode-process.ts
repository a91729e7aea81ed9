/**
 * The image encoder's process (started by encoder.ts through bin/encoder.js):
 * reads a downloaded source from its temp file, converts it (convert.ts) and
 * writes the WebP variants where the build asked, then answers with what it
 * wrote. Jobs come and go as IPC messages; several run at once, one libvips
 * thread each.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { causeOf, failure, type Result } from '../model/errors.ts';
import { writeFileAtomic } from '../io/atomic-file.ts';
import { convertImage } from './convert.ts';
import type { Encoded, EncodeReply, EncodeRequest } from './encoder.ts';

// One libvips thread per image and as many images as the build's slots (its cores):
// measured faster than one image on every core, and it keeps memory per image small.
sharp.concurrency(1);
sharp.cache(false);

async function encode(job: EncodeRequest): Promise<Result<Encoded>> {
  let source: Buffer;
  try {
    source = await readFile(job.sourceFile);
  } catch (err) {
    return { ok: false, error: failure('state', `${job.url}: cannot read the downloaded image (${job.sourceFile})`, { cause: causeOf(err) }) };
  }
  const converted = await convertImage(source, job.url, job.options);
  if (!converted.ok) return converted;
  if (converted.value.kind === 'placeholder') return { ok: true, value: converted.value };
  // The slot is free while the files are written (and synced): the next image can use the core.
  process.send?.({ id: job.id, encoded: true } satisfies EncodeReply);
  const { variants, ...image } = converted.value;
  const written = [];
  try {
    for (const v of variants) {
      await writeFileAtomic(`${job.outPrefix}${v.width}.webp`, v.data);
      written.push({ width: v.width, height: v.height, bytes: v.data.length });
    }
  } catch (err) {
    return { ok: false, error: failure('state', `${job.url}: cannot write the converted image ${job.outPrefix}…`, { cause: causeOf(err) }) };
  }
  return { ok: true, value: { ...image, variants: written } };
}

process.on('message', (job: EncodeRequest) => {
  void encode(job)
    .catch((err: unknown) => ({ ok: false as const, error: failure('internal', `${job.url}: the image encoder failed: ${causeOf(err)}`) }))
    .then((result) => process.send?.({ id: job.id, result } satisfies EncodeReply));
});
// The build is gone (finished, or killed): nobody waits for what is in progress.
process.on('disconnect', () => process.exit(0));
// Ctrl+C reaches the whole process group: the build decides when its encoder stops
// (it kills it when it is stopped itself), else a half-stopped build would retry the
// images in progress in a new encoder.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
