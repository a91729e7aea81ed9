/**
 * After images: <img> pointed at WebP variants with srcset/sizes and
 * width/height, lazy except the first, placeholders found after download
 * removed, failures left remote with no Referer; and the cover choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'cheerio';
import { rewriteImages, chooseCover, COVER_MIN_WIDTH, DEFAULT_SIZES } from '../../src/content/index.ts';
import type { ImageAsset } from '../../src/model/image.ts';

/** What the processor makes of a source this size: widths capped at the source and at 1600. */
function asset(hash: string, sourceWidth: number, sourceHeight: number, widths = [480, 960, 1600]): ImageAsset {
  const full = Math.min(sourceWidth, 1600);
  const sizes = [...new Set([...widths.filter((w) => w < full), full])];
  const variants = sizes.map((w) => ({ width: w, height: Math.round((sourceHeight * w) / sourceWidth), path: `img/${hash.slice(0, 2)}/${hash}-${w}.webp`, bytes: w * 10 }));
  const last = variants.at(-1)!;
  return { hash, width: last.width, height: last.height, sourceFormat: 'jpeg', animated: false, sourceBytes: 99_999, variants, convertMs: 5 };
}

const ASSETS: Record<string, ImageAsset> = {
  'https://e.example/big.jpg': asset('aa11', 1200, 800),
  'https://e.example/small.png': asset('bb22', 120, 90),
  'https://e.example/second.jpg': asset('cc33', 2400, 1000),
};
const lookup = (src: string) => ASSETS[src] ?? null;

test('optimized images get WebP src/srcset/sizes, width/height, and lazy loading except the first', () => {
  const html = '<p><img src="https://e.example/big.jpg" alt="Big"></p><p><img src="https://e.example/second.jpg"></p><img src="https://e.example/small.png">';
  const $ = load(rewriteImages(html, lookup, { assetBase: '/repo/', eagerFirst: true }), null, false);
  const [first, second, small] = $('img').toArray().map((el) => ({ ...el.attribs }));
  assert.deepEqual(first, {
    src: '/repo/img/aa/aa11-1200.webp',
    alt: 'Big',
    srcset: '/repo/img/aa/aa11-480.webp 480w, /repo/img/aa/aa11-960.webp 960w, /repo/img/aa/aa11-1200.webp 1200w',
    sizes: DEFAULT_SIZES,
    width: '1200',
    height: '800',
    decoding: 'auto',
  });
  assert.equal(second!.loading, 'lazy');
  assert.equal(second!.decoding, 'async');
  assert.equal(second!.src, '/repo/img/cc/cc33-1600.webp');
  assert.deepEqual([second!.width, second!.height], ['1600', '667']);
  assert.equal(second!.alt, '', 'alt always present');
  assert.equal(small!.srcset, undefined, 'a single variant needs no srcset');
  assert.deepEqual([small!.width, small!.height, small!.loading], ['120', '90', 'lazy']);

  // On a page where something else comes first (a list), every image is lazy.
  const lazy = load(rewriteImages(html, lookup, { assetBase: '/', eagerFirst: false }), null, false);
  assert.deepEqual(lazy('img').toArray().map((el) => el.attribs.loading), ['lazy', 'lazy', 'lazy']);
});

test('an image that could not be fetched stays remote, asked for with no Referer, keeping the publisher size', () => {
  const $ = load(
    rewriteImages('<img src="https://other.example/x.jpg" srcset="https://other.example/x2.jpg 2x" width="300" height="200">', lookup, { assetBase: '/', eagerFirst: true }),
    null,
    false,
  );
  const img = $('img');
  assert.equal(img.attr('src'), 'https://other.example/x.jpg');
  assert.equal(img.attr('referrerpolicy'), 'no-referrer');
  assert.equal(img.attr('srcset'), undefined);
  assert.deepEqual([img.attr('width'), img.attr('height')], ['300', '200']);
});

test('placeholders discovered after download are removed, with a link or figure left empty', () => {
  const pixel = 'https://e.example/normal-looking.gif';
  const html = `<p>a<img src="${pixel}">b</p><a href="https://x.example/"><img src="${pixel}"></a><figure><img src="${pixel}"></figure><img src="https://e.example/big.jpg">`;
  const out = rewriteImages(html, lookup, { assetBase: '/', eagerFirst: true, isPlaceholder: (s) => s === pixel });
  assert.doesNotMatch(out, /normal-looking|x\.example|<figure/);
  assert.match(out, /<p>ab<\/p>/);
  const $ = load(out, null, false);
  assert.equal($('img').length, 1);
  assert.equal($('img').attr('loading'), undefined, 'the first remaining image is the eager one');
});

test('cover: the feed thumbnail when optimized, else the first content image at least 200 px wide', () => {
  assert.equal(COVER_MIN_WIDTH, 200);
  const thumb = 'https://e.example/second.jpg';
  assert.equal(chooseCover(thumb, ['https://e.example/big.jpg'], lookup)?.url, thumb);
  // The thumbnail failed: fall back to content, skipping narrow images and failures.
  assert.equal(chooseCover('https://gone.example/t.jpg', ['https://gone.example/a.jpg', 'https://e.example/small.png', 'https://e.example/big.jpg'], lookup)?.url, 'https://e.example/big.jpg');
  assert.equal(chooseCover(null, ['https://e.example/small.png'], lookup), null);
  const exactly = { 'https://e.example/200.jpg': asset('dd44', 200, 100) };
  assert.equal(chooseCover(null, ['https://e.example/200.jpg'], (s) => exactly[s as keyof typeof exactly] ?? null)?.asset.width, 200);
});
