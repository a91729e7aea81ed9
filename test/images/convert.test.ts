/**
 * Every fixture format through the converter, the WebP read back with sharp:
 * format, dimensions per variant, alpha, frames and delays, orientation,
 * metadata stripped, sRGB. And every bad input failing with its own code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { convertImage, decodeOnce, type ConvertOptions } from '../../src/images/convert.ts';
import { FIXTURES } from '../support/tmp.ts';

const IMAGES = path.join(FIXTURES, 'images');
const OPTIONS: ConvertOptions = { quality: 75, maxWidth: 1600, widths: [480, 960, 1600], maxPixels: 50_000_000 };
const load = (f: string) => readFile(path.join(IMAGES, f));

async function convertOk(file: string, options = OPTIONS) {
  const out = await convertImage(await load(file), file, options);
  assert.ok(out.ok, `${file}: ${!out.ok && out.error.message}`);
  assert.equal(out.value.kind, 'image', file);
  if (out.value.kind !== 'image') throw new Error('unreachable');
  return out.value;
}

test('every raster format becomes WebP variants at 480/960/1600 capped at the source width', async () => {
  const expected: [string, string, [number, number][]][] = [
    ['photo.jpg', 'jpeg', [[480, 320], [960, 640], [1200, 800]]],
    ['wide.jpg', 'jpeg', [[480, 200], [960, 400], [1600, 667]]],
    ['photo.webp', 'webp', [[480, 320], [960, 640], [1200, 800]]],
    ['photo.avif', 'avif', [[480, 320], [960, 640], [1200, 800]]],
    ['photo.tiff', 'tiff', [[480, 320], [960, 640], [1200, 800]]],
    ['photo.bmp', 'bmp', [[64, 48]]],
    ['tiny.png', 'png', [[10, 10]]],
    ['alpha.png', 'png', [[400, 300]]],
  ];
  for (const [file, format, sizes] of expected) {
    const value = await convertOk(file);
    assert.equal(value.sourceFormat, format, file);
    const got: [number, number][] = [];
    for (const v of value.variants) {
      const meta = await sharp(v.data).metadata();
      assert.equal(meta.format, 'webp', file);
      assert.deepEqual([meta.width, meta.height], [v.width, v.height], `${file}: recorded size is the real size`);
      got.push([meta.width!, meta.height!]);
    }
    assert.deepEqual(got, sizes, file);
  }
});

test('images.effort trades encoding time for bytes: the same sizes, smaller files at a higher effort', async () => {
  const fast = await convertOk('wide.jpg', { ...OPTIONS, effort: 0 });
  const small = await convertOk('wide.jpg', { ...OPTIONS, effort: 6 });
  assert.deepEqual(fast.variants.map((v) => [v.width, v.height]), small.variants.map((v) => [v.width, v.height]));
  const bytes = (v: typeof fast) => v.variants.reduce((n, x) => n + x.data.length, 0);
  assert.ok(bytes(small) < bytes(fast), `effort 6: ${bytes(small)} bytes, effort 0: ${bytes(fast)}`);
});

test('a still image is decoded once: the variants come from the largest variant\'s pixels, no worse than from the source', async (t) => {
  const source = await load('wide.jpg');
  let decodes = 0;
  const open = () => {
    decodes++;
    return sharp(source);
  };
  const pixels = await decodeOnce(open, [480, 960, 1600], { width: 2400, height: 1000 });
  const raw = async (p: Sharp) => p.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sizes = [];
  for (const w of [480, 960, 1600]) {
    const { info } = await raw(pixels(w));
    sizes.push([info.width, info.height]);
  }
  assert.equal(decodes, 1, 'one decode for three variants');
  assert.deepEqual(sizes, [[480, 200], [960, 400], [1600, 667]], 'the proportions a resize from the source gives');

  // Against the source decoded in full and resized (no shrink-on-load), the small
  // variant made from the largest is at least as close as one resized from the source.
  const full = await raw(sharp(source));
  const reference = await raw(sharp(full.data, { raw: { width: 2400, height: 1000, channels: 3 } }).resize({ width: 480, height: 200, fit: 'fill' }));
  const psnr = (a: Buffer) => {
    let se = 0;
    for (let i = 0; i < a.length; i++) se += (a[i]! - reference.data[i]!) ** 2;
    return 10 * Math.log10((255 * 255 * a.length) / se);
  };
  const ours = psnr((await raw(pixels(480))).data);
  const fromSource = psnr((await raw(sharp(source).resize({ width: 480 }))).data);
  t.diagnostic(`480 px variant vs the fully decoded source: ${ours.toFixed(1)} dB from the largest variant, ${fromSource.toFixed(1)} dB resized from the source`);
  assert.ok(ours >= fromSource - 0.01, `PSNR ${ours.toFixed(2)} dB from the largest variant, ${fromSource.toFixed(2)} dB from the source`);

  // A very tall picture is not held decoded: each variant streams from the source.
  decodes = 0;
  const tall = await decodeOnce(open, [480, 960, 1600], { width: 2400, height: 30_000 });
  for (const w of [480, 960]) await raw(tall(w).extract({ left: 0, top: 0, width: 10, height: 10 }));
  assert.equal(decodes, 2);
});

test('PNG alpha is kept', async () => {
  const value = await convertOk('alpha.png');
  const webp = value.variants[0]!.data;
  const meta = await sharp(webp).metadata();
  assert.equal(meta.hasAlpha, true);
  const { data, info } = await sharp(webp).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(data[3], 0, 'the transparent corner stays transparent');
  const centre = (150 * info.width + 150) * 4;
  assert.ok(data[centre + 3]! > 200, 'the opaque rectangle stays opaque');
});

test('animated GIF → animated WebP: every frame, the delays and the loop', async () => {
  const value = await convertOk('anim.gif');
  assert.equal(value.animated, true);
  assert.equal(value.frames, 5);
  assert.equal(value.variants.length, 1, 'one full-size variant for animations');
  const meta = await sharp(value.variants[0]!.data, { animated: true }).metadata();
  assert.equal(meta.format, 'webp');
  assert.equal(meta.pages, 5);
  assert.deepEqual(meta.delay, [100, 200, 300, 400, 500]);
  assert.equal(meta.loop, 0);
  assert.deepEqual([meta.width, meta.pageHeight], [120, 80]);
  assert.deepEqual([value.variants[0]!.width, value.variants[0]!.height], [120, 80]);
});

test('EXIF orientation is applied, then every piece of metadata is dropped', async () => {
  const value = await convertOk('exif-rotated.jpg');
  const webp = value.variants.at(-1)!.data;
  const meta = await sharp(webp).metadata();
  assert.deepEqual([meta.width, meta.height], [200, 300], 'portrait after rotation');
  assert.equal(meta.orientation, undefined);
  assert.equal(meta.exif, undefined);
  assert.equal(meta.icc, undefined);
  assert.equal(meta.xmp, undefined);
});

test('GPS and camera EXIF never reach the output; CMYK comes out sRGB', async () => {
  const withExif = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#3a7' } })
    .withExif({ IFD0: { Make: 'SpyCam', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
    .jpeg()
    .toBuffer();
  assert.ok((await sharp(withExif).metadata()).exif, 'the source has EXIF');
  const out = await convertImage(withExif, 'gps.jpg', OPTIONS);
  assert.ok(out.ok && out.value.kind === 'image');
  for (const v of out.value.variants) {
    const meta = await sharp(v.data).metadata();
    assert.equal(meta.exif, undefined);
    assert.ok(!v.data.includes(Buffer.from('SpyCam')), 'no camera make in the bytes');
  }

  const cmyk = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#d33' } }).toColourspace('cmyk').jpeg().toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const converted = await convertImage(cmyk, 'cmyk.jpg', OPTIONS);
  assert.ok(converted.ok && converted.value.kind === 'image');
  const meta = await sharp(converted.value.variants[0]!.data).metadata();
  assert.equal(meta.space, 'srgb');
  const stats = await sharp(converted.value.variants[0]!.data).stats();
  assert.ok(stats.channels[0]!.mean > 150 && stats.channels[1]!.mean < 100, `still red: ${stats.channels.map((c) => Math.round(c.mean))}`);
});

test('SVG with script is rasterized: a WebP comes out, not SVG, and no script survives', async () => {
  const value = await convertOk('script.svg');
  assert.equal(value.sourceFormat, 'svg');
  const webp = value.variants.at(-1)!.data;
  const meta = await sharp(webp).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 200, 100]);
  assert.equal(webp.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.ok(!webp.includes(Buffer.from('<svg')) && !webp.includes(Buffer.from('script')), 'no markup in the raster');
  const stats = await sharp(webp).stats();
  assert.ok(stats.channels[0]!.mean > 180, 'the red box was drawn');
});

test('bad inputs fail with a code and a reason, never a half image', async () => {
  const cases: [string, string, RegExp][] = [
    ['corrupt.jpg', 'image-decode', /corrupt\.jpg: cannot decode image/],
    ['truncated.jpg', 'image-decode', /premature end/],
    ['empty.jpg', 'image-decode', /zero bytes/],
    ['html-as.jpg', 'image-unsupported', /an HTML page, not an image/],
    ['huge-dims.png', 'image-too-large', /pixel limit/],
  ];
  for (const [file, code, message] of cases) {
    const out = await convertImage(await load(file), file, OPTIONS);
    assert.ok(!out.ok, `${file} fails`);
    assert.equal(out.error.code, code, file);
    assert.match(out.error.message, message, file);
  }
  // The pixel limit is the configured one, not sharp's default of 268 MP.
  const fifteen = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#000' } }).png({ compressionLevel: 1 }).toBuffer();
  const limited = await convertImage(fifteen, 'big.png', { ...OPTIONS, maxPixels: 10_000_000 });
  assert.ok(!limited.ok);
  assert.equal(limited.error.code, 'image-too-large');
});

test('placeholders are recognised, not converted: 1×1 spacer GIF, a fully transparent box', async () => {
  const spacer = await convertImage(await load('spacer.gif'), 'spacer.gif', OPTIONS);
  assert.ok(spacer.ok);
  assert.equal(spacer.value.kind, 'placeholder');
  const box = await sharp({ create: { width: 640, height: 360, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  const transparent = await convertImage(box, 'lazy-box.png', OPTIONS);
  assert.ok(transparent.ok);
  assert.equal(transparent.value.kind, 'placeholder');
  assert.ok(transparent.value.kind === 'placeholder' && /transparent/.test(transparent.value.reason));
  // Not every tiny image is a placeholder.
  assert.equal((await convertOk('tiny.png')).variants.length, 1);
});
