/**
 * npm run bench:variants: how the WebP variants of one source are made,
 * measured on the benchmark's corpus images (bench/corpus.ts, made if
 * missing). For each way: CPU time per source (this process's user +
 * system time, so other load on the machine counts little), bytes per
 * width, and how close each width is to the source: PSNR and SSIM (mean of
 * 8×8 blocks of luma) against the source decoded in full and resized to the
 * variant's size, uncompressed.
 *
 *   per variant    each width decoded from the source (JPEG shrink-on-load for the small ones)
 *   clone          sharp's clone() of one input per width (each clone decodes again)
 *   decode once    what convert.ts does: the largest width's pixels, the smaller widths from them
 *   … effort N     decode once, the smaller widths at effort N
 *
 *   npm run bench:variants -- --images 60 --effort 2,3
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { decodeOnce } from '../src/images/convert.ts';
import { ensureImages, imageName } from './corpus.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '60' },
    effort: { type: 'string', default: '2' },
    work: { type: 'string', default: path.join(root, '.cache', 'bench') },
  },
});
sharp.concurrency(1);
sharp.cache(false);
const QUALITY = 75;
const WIDTHS = [480, 960, 1600];
const EFFORT = 4;

interface Variant {
  width: number;
  data: Buffer;
}
type Way = (source: Buffer) => Promise<Variant[]>;

const dir = path.join(path.resolve(values.work), 'corpus-images');
const count = Number(values.images);
await ensureImages(dir, count);
const sources = await Promise.all(Array.from({ length: count }, (_, k) => readFile(path.join(dir, imageName(k)))));

async function plan(source: Buffer) {
  const meta = await sharp(source).metadata();
  const full = Math.min(meta.width!, WIDTHS.at(-1)!);
  return { meta, full, targets: [...WIDTHS.filter((w) => w < full), full] };
}
const webp = (p: Sharp, effort = EFFORT) => p.webp({ quality: QUALITY, effort, alphaQuality: 90 }).toBuffer();

const perVariant: Way = async (source) => {
  const { targets } = await plan(source);
  const out: Variant[] = [];
  for (const width of targets) out.push({ width, data: await webp(sharp(source).autoOrient().resize({ width }).toColourspace('srgb')) });
  return out;
};
const cloned: Way = async (source) => {
  const { targets } = await plan(source);
  const input = sharp(source).autoOrient().toColourspace('srgb');
  const out: Variant[] = [];
  for (const width of targets) out.push({ width, data: await webp(input.clone().resize({ width })) });
  return out;
};
const decodedOnce =
  (smallEffort: number): Way =>
  async (source) => {
    const { meta, full, targets } = await plan(source);
    const pixels = await decodeOnce(() => sharp(source), targets, { width: meta.width!, height: meta.height! });
    const out: Variant[] = [];
    for (const width of targets) out.push({ width, data: await webp(pixels(width), width === full ? EFFORT : smallEffort) });
    return out;
  };

const ways: [string, Way][] = [
  ['per variant', perVariant],
  ['clone', cloned],
  ['decode once', decodedOnce(EFFORT)],
  ...values.effort.split(',').map((e): [string, Way] => [`decode once, smaller at effort ${e}`, decodedOnce(Number(e))]),
];

/** The source decoded in full (no shrink-on-load), resized to exactly width × height. */
async function reference(source: Buffer, width: number, height: number) {
  const full = await sharp(source).autoOrient().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return sharp(full.data, { raw: { width: full.info.width, height: full.info.height, channels: full.info.channels } })
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer();
}

function psnr(a: Buffer, b: Buffer): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255 * a.length) / se);
}

/** Mean SSIM over 8×8 blocks of luma (3-channel buffers). */
function ssim(a: Buffer, b: Buffer, width: number, height: number): number {
  const luma = (buf: Buffer, i: number) => 0.299 * buf[i * 3]! + 0.587 * buf[i * 3 + 1]! + 0.114 * buf[i * 3 + 2]!;
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let sum = 0;
  let blocks = 0;
  for (let by = 0; by + 8 <= height; by += 8) {
    for (let bx = 0; bx + 8 <= width; bx += 8) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const i = (by + y) * width + bx + x;
          const p = luma(a, i);
          const q = luma(b, i);
          sa += p; sb += q; saa += p * p; sbb += q * q; sab += p * q;
        }
      }
      const ma = sa / 64, mb = sb / 64;
      const va = (saa - 64 * ma * ma) / 63, vb = (sbb - 64 * mb * mb) / 63, cov = (sab - 64 * ma * mb) / 63;
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      blocks++;
    }
  }
  return sum / blocks;
}

console.log(`${count} corpus images (JPEG and PNG, 800–2400 px), WebP q${QUALITY}, widths ${WIDTHS.join('/')} capped at the source, effort ${EFFORT} unless said\n`);
console.log('| way | CPU ms / source | width | bytes | PSNR dB | SSIM |');
console.log('| --- | --- | --- | --- | --- | --- |');
// Interleaved, source by source, so a change in the machine's load weighs on every way alike.
for (const [, way] of ways) await way(sources[0]!); // warm-up
const cpuMs = ways.map(() => 0);
const made: Variant[][][] = ways.map(() => []);
for (const source of sources) {
  for (const [w, [, way]] of ways.entries()) {
    const started = process.cpuUsage();
    made[w]!.push(await way(source));
    const used = process.cpuUsage(started);
    cpuMs[w]! += (used.user + used.system) / 1000 / sources.length;
  }
}
const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
for (const [w, [name]] of ways.entries()) {
  // Per width class: the full size (its own width when under 1600) and the smaller ones.
  const byClass = new Map<string, { bytes: number; psnr: number[]; ssim: number[] }>();
  for (const [k, variants] of made[w]!.entries()) {
    const largest = Math.max(...variants.map((v) => v.width));
    for (const v of variants) {
      const label = v.width === largest ? 'full' : String(v.width);
      let c = byClass.get(label);
      if (!c) byClass.set(label, (c = { bytes: 0, psnr: [], ssim: [] }));
      c.bytes += v.data.length;
      const got = await sharp(v.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const ref = await reference(sources[k]!, got.info.width, got.info.height);
      c.psnr.push(psnr(got.data, ref));
      c.ssim.push(ssim(got.data, ref, got.info.width, got.info.height));
    }
  }
  let first = true;
  for (const label of ['480', '960', 'full']) {
    const c = byClass.get(label);
    if (!c) continue;
    console.log(`| ${first ? name : ''} | ${first ? cpuMs[w]!.toFixed(0) : ''} | ${label} | ${(c.bytes / 1e6).toFixed(2)} MB | ${mean(c.psnr).toFixed(2)} | ${mean(c.ssim).toFixed(4)} |`);
    first = false;
  }
}
