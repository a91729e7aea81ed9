/**
 * The formats sharp cannot read, decoded by us: BMP (every depth real files
 * use), ICO (PNG and BMP pictures inside), and the SVG check that decides
 * whether librsvg may rasterize a file. Pixels are compared with the ones
 * the test wrote; the WebP that comes out is read back with sharp.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { BmpError, decodeBmp, type RawImage } from '../../src/images/bmp.ts';
import { decodeIco } from '../../src/images/ico.ts';
import { svgExternalReference } from '../../src/images/svg.ts';
import { sniffFormat } from '../../src/images/probe.ts';
import { convertImage } from '../../src/images/convert.ts';
import { FIXTURES } from '../support/tmp.ts';
import { encodeBmp, encodeDib, encodeIco, type BmpSpec, type Rgba } from './encode.ts';

const IMAGES = path.join(FIXTURES, 'images');
const LIMIT = 50_000_000;
const CONVERT = { quality: 75, maxWidth: 1600, widths: [480, 960, 1600], maxPixels: LIMIT };

function at(img: RawImage, x: number, y: number): number[] {
  const o = (y * img.width + x) * img.channels;
  return [...img.data.subarray(o, o + img.channels)];
}

test('photo.bmp (24-bit, bottom-up): right way up, right colours, then a WebP', async () => {
  const bmp = await readFile(path.join(IMAGES, 'photo.bmp'));
  assert.equal(sniffFormat(bmp), 'bmp');
  const img = decodeBmp(bmp, LIMIT);
  assert.deepEqual([img.width, img.height, img.channels], [64, 48, 3]);
  // make.mjs: red grows left to right, green top to bottom, blue diagonal from the top-left.
  assert.deepEqual(at(img, 0, 0), [0, 0, 255]);
  assert.deepEqual(at(img, 63, 0), [255, 0, 40]);
  assert.deepEqual(at(img, 10, 47), [Math.round((10 / 63) * 255), 255, 40]);

  const out = await convertImage(bmp, 'photo.bmp', CONVERT);
  assert.ok(out.ok && out.value.kind === 'image');
  assert.equal(out.value.sourceFormat, 'bmp');
  const meta = await sharp(out.value.variants[0]!.data).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 64, 48]);
  const { data } = await sharp(out.value.variants[0]!.data).raw().toBuffer({ resolveWithObject: true });
  // Lossy, so roughly: the top-right corner is red, the bottom-left green.
  const px = (x: number, y: number) => [...data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
  assert.ok(px(62, 1)[0]! > 200 && px(62, 1)[1]! < 60, `top right ${px(62, 1)}`);
  assert.ok(px(1, 46)[1]! > 200 && px(1, 46)[0]! < 60, `bottom left ${px(1, 46)}`);
});

const palette: Rgba[] = [
  [0, 0, 0, 255],
  [255, 255, 255, 255],
  [200, 30, 40, 255],
  [20, 120, 220, 255],
];
const checker = (x: number, y: number): Rgba => palette[(x + 2 * y) % palette.length]!;
const two = (x: number, y: number): Rgba => palette[(x + y) % 2]!;
const gradient = (x: number, y: number): Rgba => [x * 16, y * 16, 128, 255 - x * 8];

const cases: [string, BmpSpec, (x: number, y: number) => Rgba, number][] = [
  ['1-bit palette', { width: 13, height: 5, bpp: 1, pixel: two, palette: palette.slice(0, 2) }, two, 3],
  ['4-bit palette', { width: 7, height: 6, bpp: 4, pixel: checker, palette }, checker, 3],
  ['8-bit palette, top-down', { width: 9, height: 4, bpp: 8, pixel: checker, palette, topDown: true }, checker, 3],
  ['8-bit OS/2 core header', { width: 5, height: 3, bpp: 8, pixel: checker, palette, headerSize: 12 }, checker, 3],
  ['16-bit 5-5-5', { width: 6, height: 3, bpp: 16, pixel: gradient }, (x, y) => [(x * 16) & 0xf8, (y * 16) & 0xf8, 128, 255], 3],
  ['16-bit 5-6-5 bit fields', { width: 6, height: 3, bpp: 16, pixel: gradient, bitfields: true }, (x, y) => [(x * 16) & 0xf8, (y * 16) & 0xfc, 128, 255], 3],
  ['24-bit, odd width (row padding)', { width: 3, height: 3, bpp: 24, pixel: gradient }, (x, y) => [x * 16, y * 16, 128, 255], 3],
  ['32-bit BI_RGB, zero fourth byte (opaque)', { width: 4, height: 4, bpp: 32, pixel: gradient }, (x, y) => [x * 16, y * 16, 128, 255], 3],
  ['32-bit BI_RGB with alpha', { width: 4, height: 4, bpp: 32, pixel: gradient, alphaByte: true }, gradient, 4],
  ['32-bit V4 header, alpha mask', { width: 5, height: 2, bpp: 32, pixel: gradient, headerSize: 108, bitfields: true }, gradient, 4],
];

for (const [name, spec, expected, channels] of cases) {
  test(`BMP ${name}`, () => {
    const img = decodeBmp(encodeBmp(spec), LIMIT);
    assert.deepEqual([img.width, img.height, img.channels], [spec.width, spec.height, channels]);
    for (let y = 0; y < spec.height; y++) {
      for (let x = 0; x < spec.width; x++) {
        // 5-bit channels scale back to 0–255 with rounding: allow the rounding.
        const want = expected(x, y).slice(0, channels);
        const got = at(img, x, y);
        for (let c = 0; c < channels; c++) assert.ok(Math.abs(got[c]! - want[c]!) <= 8, `${name} at ${x},${y}: ${got} vs ${want}`);
      }
    }
  });
}

test('BMP that lies is refused cleanly: truncated, too many pixels, RLE, zero size', () => {
  const good = encodeBmp({ width: 20, height: 20, bpp: 24, pixel: gradient });
  assert.throws(() => decodeBmp(good.subarray(0, good.length - 30), LIMIT), (e: unknown) => e instanceof BmpError && e.kind === 'corrupt');
  const huge = Buffer.from(good);
  huge.writeInt32LE(50_000, 18);
  huge.writeInt32LE(50_000, 22);
  // Refused before any allocation for 2.5 gigapixels.
  assert.throws(() => decodeBmp(huge, LIMIT), (e: unknown) => e instanceof BmpError && e.kind === 'too-large');
  const rle = Buffer.from(good);
  rle.writeUInt16LE(8, 28);
  rle.writeUInt32LE(1, 30);
  assert.throws(() => decodeBmp(rle, LIMIT), (e: unknown) => e instanceof BmpError && e.kind === 'unsupported' && /RLE/.test(e.message));
  const empty = Buffer.from(good);
  empty.writeInt32LE(0, 18);
  assert.throws(() => decodeBmp(empty, LIMIT), BmpError);
});

test('convertImage reports BMP problems as failures with a code', async () => {
  const good = encodeBmp({ width: 20, height: 20, bpp: 24, pixel: gradient });
  const truncated = await convertImage(good.subarray(0, 100), 'x.bmp', CONVERT);
  assert.ok(!truncated.ok);
  assert.equal(truncated.error.code, 'image-decode');
  assert.match(truncated.error.message, /x\.bmp: truncated BMP/);
  const huge = Buffer.from(good);
  huge.writeInt32LE(50_000, 18);
  huge.writeInt32LE(2_000, 22);
  const big = await convertImage(huge, 'big.bmp', CONVERT);
  assert.ok(!big.ok);
  assert.equal(big.error.code, 'image-too-large');
});

test('ICO: the largest picture wins; PNG inside goes to sharp, BMP inside keeps the AND-mask transparency', async () => {
  const png16 = await sharp({ create: { width: 16, height: 16, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
  const png48 = await sharp({ create: { width: 48, height: 48, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } }).png().toBuffer();
  const withPng = encodeIco([
    { width: 16, height: 16, bpp: 32, data: png16 },
    { width: 48, height: 48, bpp: 32, data: png48 },
  ]);
  assert.equal(sniffFormat(withPng), 'ico');
  const picked = decodeIco(withPng, LIMIT);
  assert.equal(picked.kind, 'png');
  const converted = await convertImage(withPng, 'favicon.ico', CONVERT);
  assert.ok(converted.ok && converted.value.kind === 'image');
  assert.equal(converted.value.sourceFormat, 'ico');
  const meta = await sharp(converted.value.variants.at(-1)!.data).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 48, 48]);
  const stats = await sharp(converted.value.variants.at(-1)!.data).stats();
  assert.ok(stats.channels[2]!.mean > 200 && stats.channels[0]!.mean < 40, 'the blue 48 px picture, not the red 16 px one');

  // 8-bit paletted DIB: a ring of colour, transparent corners from the AND mask.
  const ringPalette: Rgba[] = [[0, 0, 0, 255], [230, 120, 0, 255]];
  const ring = (x: number, y: number): Rgba => {
    const d = Math.hypot(x - 15.5, y - 15.5);
    return d > 15 ? [0, 0, 0, 0] : ringPalette[1]!;
  };
  const { dib } = encodeDib({ width: 32, height: 32, bpp: 8, pixel: ring, palette: ringPalette }, { icoMask: true });
  const withDib = encodeIco([{ width: 32, height: 32, bpp: 8, data: dib }]);
  const raw = decodeIco(withDib, LIMIT);
  assert.equal(raw.kind, 'raw');
  if (raw.kind !== 'raw') return;
  assert.deepEqual([raw.image.width, raw.image.height, raw.image.channels], [32, 32, 4]);
  assert.deepEqual(at(raw.image, 0, 0)[3], 0, 'corner transparent');
  assert.deepEqual(at(raw.image, 16, 16), [230, 120, 0, 255], 'centre opaque orange');
  const webp = await convertImage(withDib, 'dib.ico', CONVERT);
  assert.ok(webp.ok && webp.value.kind === 'image');
  const back = await sharp(webp.value.variants[0]!.data).metadata();
  assert.deepEqual([back.format, back.width, back.height, back.hasAlpha], ['webp', 32, 32, true]);

  // 32-bit DIB with its own alpha: the mask is ignored.
  const { dib: dib32 } = encodeDib({ width: 16, height: 16, bpp: 32, pixel: gradient, alphaByte: true }, { icoMask: true });
  const img32 = decodeIco(encodeIco([{ width: 16, height: 16, bpp: 32, data: dib32 }]), LIMIT);
  assert.ok(img32.kind === 'raw');
  if (img32.kind === 'raw') assert.deepEqual(at(img32.image, 3, 2), gradient(3, 2));
});

test('an ICO whose directory points outside the file has no readable picture', async () => {
  const broken = encodeIco([{ width: 16, height: 16, bpp: 32, data: Buffer.alloc(40) }]);
  broken.writeUInt32LE(1_000_000, 6 + 12);
  const out = await convertImage(broken, 'broken.ico', CONVERT);
  assert.ok(!out.ok);
  assert.equal(out.error.code, 'image-decode');
  assert.match(out.error.message, /no readable picture/);
});

test('SVG: self-contained files may be rasterized; anything that reaches outside is refused', async () => {
  const script = await readFile(path.join(IMAGES, 'script.svg'), 'utf8');
  assert.equal(svgExternalReference(script), null, 'script, event handlers and javascript: links load nothing in librsvg');
  const svg = (body: string, prolog = '') => `${prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">${body}</svg>`;
  assert.equal(svgExternalReference(svg('<use href="#a"/><image href="data:image/png;base64,iVBORw0KGgo="/>')), null);
  const refused: [string, string][] = [
    [svg('<image href="file:///etc/passwd"/>'), 'file'],
    [svg('<image xlink:href="https://tracker.example/p.png"/>'), 'https'],
    [svg('<use xlink:href="other.svg#icon"/>'), 'relative file'],
    [svg('<image href="&#x66;ile:///etc/hostname"/>'), 'entity-encoded file'],
    [svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'), 'nested SVG'],
    [svg('<rect fill="url(/tmp/x.svg#p)"/>'), 'url() to a file'],
    [svg('<style>@import url(https://x.example/a.css);</style>'), '@import'],
    [svg('<text><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/></text>'), 'XInclude'],
    [svg('<text>&xxe;</text>', '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), 'external entity'],
    [svg('', '<?xml-stylesheet href="https://x.example/a.css"?>'), 'stylesheet'],
  ];
  for (const [text, what] of refused) assert.ok(svgExternalReference(text), `refuses ${what}`);

  const out = await convertImage(Buffer.from(refused[0]![0]), 'evil.svg', CONVERT);
  assert.ok(!out.ok);
  assert.equal(out.error.code, 'image-unsupported');
  assert.match(out.error.message, /SVG not rasterized/);
});

test('hostile bytes: mutated BMP and ICO files decode or fail with BmpError, never anything else', async () => {
  const fc = await import('fast-check');
  const bmp = encodeBmp({ width: 9, height: 7, bpp: 8, pixel: checker, palette });
  const bmp32 = encodeBmp({ width: 5, height: 4, bpp: 32, pixel: gradient, headerSize: 108, bitfields: true });
  const { dib } = encodeDib({ width: 8, height: 8, bpp: 4, pixel: checker, palette }, { icoMask: true });
  const ico = encodeIco([{ width: 8, height: 8, bpp: 4, data: dib }]);
  const check = (decode: () => RawImage) => {
    try {
      const img = decode();
      assert.equal(img.data.length, img.width * img.height * img.channels);
    } catch (err) {
      assert.ok(err instanceof BmpError, `unexpected ${String(err)}`);
    }
  };
  fc.assert(
    fc.property(fc.constantFrom(bmp, bmp32, ico), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), (file, edits, cut) => {
      const bytes = Buffer.from(file);
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      const input = cut % 3 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes;
      if (file === ico) {
        check(() => {
          const picture = decodeIco(input, 1_000_000);
          return picture.kind === 'raw' ? picture.image : { width: 1, height: 1, channels: 3, data: Buffer.alloc(3) };
        });
      } else check(() => decodeBmp(input, 1_000_000));
    }),
    { numRuns: 2000, seed: 42 },
  );
});
