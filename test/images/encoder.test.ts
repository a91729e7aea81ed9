/**
 * The encoder's process (src/images/encoder.ts): real conversions in a real
 * child process, which the tests kill the way the kernel's OOM killer would.
 * A job whose process dies is tried once more in a new one; a second death
 * fails that image with a message naming it; close() ends the process; the
 * sources a killed build left are cleaned up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createEncoder, type Encoder } from '../../src/images/encoder.ts';
import type { ConvertOptions } from '../../src/images/convert.ts';
import { tempDir } from '../support/tmp.ts';

const OPTIONS: ConvertOptions = { quality: 75, effort: 4, maxWidth: 1600, widths: [480, 960, 1600], maxPixels: 50_000_000 };

/** Noise encodes slowly: long enough to kill the encoder while it works (~1 s here). */
const noise = () =>
  sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .png({ compressionLevel: 1 })
    .toBuffer();

async function newPid(encoder: Encoder, other: number | null): Promise<number> {
  for (;;) {
    const pid = encoder.pid();
    if (pid !== null && pid !== other) return pid;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A source where a download would have put it. */
async function source(encoder: Encoder, body: Buffer | Promise<Buffer>): Promise<string> {
  const file = await encoder.tempFile();
  await writeFile(file, await body);
  return file;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('an image converts in the encoder process; the process ends on close()', async (t) => {
  const dir = await tempDir(t);
  const encoder = createEncoder(path.join(dir, 'incoming'), 2);
  const file = await source(encoder, noise());
  const out = await encoder.encode('http://x/a.png', file, OPTIONS, path.join(dir, 'out', 'a-'));
  assert.ok(out.ok && out.value.kind === 'image', JSON.stringify(out));
  assert.deepEqual(
    out.value.variants.map((v) => v.width),
    [480, 960, 1600],
  );
  for (const v of out.value.variants) {
    const meta = await sharp(path.join(dir, 'out', `a-${v.width}.webp`)).metadata();
    assert.equal(meta.format, 'webp');
    assert.equal(meta.width, v.width);
  }
  const pid = encoder.pid()!;
  assert.ok(alive(pid));
  await rm(file);
  await encoder.close();
  assert.equal(alive(pid), false, 'the encoder process is gone after close()');
  assert.equal(encoder.pid(), null);
  // The folder for sources in transit goes with it.
  await assert.rejects(readdir(path.join(dir, 'incoming')), { code: 'ENOENT' });
});

test('an encoder killed during a conversion: the image is converted by a new process', async (t) => {
  const dir = await tempDir(t);
  const encoder = createEncoder(path.join(dir, 'incoming'), 2);
  t.after(() => encoder.close());
  const pending = encoder.encode('http://x/b.png', await source(encoder, noise()), OPTIONS, path.join(dir, 'b-'));
  const first = await newPid(encoder, null);
  process.kill(first, 'SIGKILL');
  const out = await pending;
  assert.ok(out.ok && out.value.kind === 'image', JSON.stringify(out));
  assert.notEqual(encoder.pid(), first);
  assert.equal((await readdir(dir)).filter((f) => f.endsWith('.webp')).length, 3);
});

test('an image whose encoder dies twice fails with its URL; the next image converts', async (t) => {
  const dir = await tempDir(t);
  const encoder = createEncoder(path.join(dir, 'incoming'), 2);
  t.after(() => encoder.close());
  const pending = encoder.encode('http://x/crash.png', await source(encoder, noise()), OPTIONS, path.join(dir, 'c-'));
  const first = await newPid(encoder, null);
  process.kill(first, 'SIGKILL');
  process.kill(await newPid(encoder, first), 'SIGKILL');
  const out = await pending;
  assert.equal(out.ok, false);
  assert.equal(!out.ok && out.error.code, 'image-decode');
  assert.match(!out.ok ? out.error.message : '', /^http:\/\/x\/crash\.png: the image encoder crashed twice while converting it \(SIGKILL\)/);
  // The encoder still works.
  const next = await encoder.encode('http://x/d.png', await source(encoder, sharp({ create: { width: 64, height: 64, channels: 3, background: '#c33' } }).png().toBuffer()), OPTIONS, path.join(dir, 'd-'));
  assert.ok(next.ok && next.value.kind === 'image');
});

test('sources left by a killed build are removed; a live build’s are not', async (t) => {
  const dir = await tempDir(t);
  const incoming = path.join(dir, 'incoming');
  const encoder = createEncoder(incoming, 2);
  t.after(() => encoder.close());
  // A pid that is not running (the largest Linux allows is 4,194,304), and this process's.
  await mkdir(incoming, { recursive: true });
  await writeFile(path.join(incoming, '.source-7.4194999.0badc0de.tmp'), 'left by a killed build');
  await writeFile(path.join(incoming, `.source-7.${process.pid}.0badc0de.tmp`), 'in use');
  const file = await source(encoder, sharp({ create: { width: 32, height: 32, channels: 3, background: '#3c3' } }).png().toBuffer());
  const out = await encoder.encode('http://x/e.png', file, OPTIONS, path.join(dir, 'e-'));
  assert.ok(out.ok);
  assert.deepEqual((await readdir(incoming)).sort(), [`.source-7.${process.pid}.0badc0de.tmp`, path.basename(file)].sort());
});
