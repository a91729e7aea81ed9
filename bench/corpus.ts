/**
 * The benchmark's synthetic corpus: K distinct photos (JPEG and PNG, 800–2400
 * px wide, photo-like so they compress like real ones) cached on disk between
 * runs, and N feeds × M items generated in memory, each item pointing at one
 * or two images of the pool (so images are shared between articles).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import sharp from 'sharp';
import pLimit from 'p-limit';

export interface CorpusOptions {
  feeds: number;
  items: number;
  images: number;
}

/** Deterministic pseudo-random numbers, so every run benchmarks the same corpus. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function imageName(k: number): string {
  return k % 5 === 4 ? `${k}.png` : `${k}.jpg`;
}

/** Writes the missing images of the pool into `dir`; returns how many were made. */
export async function ensureImages(dir: string, count: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  const have = new Set(await readdir(dir));
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !have.has(imageName(k)));
  if (missing.length === 0) return 0;
  sharp.concurrency(1);
  // A few textured bases; every image is a different crop, size and tint of one.
  const bases = await Promise.all(
    Array.from({ length: 8 }, async (_, b) => {
      const w = 2400;
      const h = 1600;
      const noise = await sharp({ create: { width: w / 4, height: h / 4, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
        .resize(w, h, { kernel: 'cubic' })
        .blur(1.2)
        .raw()
        .toBuffer();
      const gradient = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${b * 45},70%,55%)"/><stop offset="1" stop-color="hsl(${b * 45 + 120},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${600 + b * 150}" cy="700" r="${300 + b * 20}" fill="hsla(${b * 30},80%,70%,0.6)"/></svg>`,
      );
      return sharp(gradient)
        .composite([{ input: noise, raw: { width: w, height: h, channels: 3 }, blend: 'overlay' }])
        .jpeg({ quality: 92 })
        .toBuffer();
    }),
  );
  const limit = pLimit(os.availableParallelism());
  await Promise.all(
    missing.map((k) =>
      limit(async () => {
        const r = rng(k + 1);
        const width = 800 + Math.floor(r() * 1601);
        const height = Math.round(width * (0.5 + r() * 0.25));
        const left = Math.floor(r() * (2400 - Math.min(width, 2400)));
        const top = Math.floor(r() * Math.max(1, 1600 - Math.min(height, 1600)));
        let img = sharp(bases[k % bases.length]!)
          .extract({ left, top, width: Math.min(width, 2400 - left), height: Math.min(height, 1600 - top) })
          .resize(width, height, { fit: 'cover' })
          .modulate({ hue: Math.floor(r() * 360), saturation: 0.8 + r() * 0.4 });
        img = imageName(k).endsWith('.png') ? img.png({ compressionLevel: 6 }) : img.jpeg({ quality: 82, mozjpeg: false });
        await writeFile(path.join(dir, imageName(k)), await img.toBuffer());
      }),
    ),
  );
  return missing.length;
}

const WORDS = 'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their can has been if more when will would who so no'.split(' ');

function sentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(r() * WORDS.length)]!);
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Feed `f`'s site icon (`/blog/<f>/favicon.ico`, PNG bytes as many sites
 * serve): every feed's home page is on the loopback server, so the build's
 * favicon guesses are answered as a live site answers them (a corpus whose
 * sites do not resolve made the cold build wait ~25 s on name lookups).
 */
export function favicon(f: number): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 4, background: { r: (f * 37) % 256, g: (f * 91) % 256, b: (f * 53) % 256, alpha: 1 } } })
    .png()
    .toBuffer();
}

/**
 * RSS 2.0 for feed `f` as it reads `hour` hours after the cold build: its
 * `items` first items plus 2 new ones an hour, newest first, the newest
 * dated `end` + `hour` h. An item is the same in every hour (its text and
 * images come from its own seed), so later hours add items and change none.
 * The hourly items point at pool images, except that each hour the first
 * `newImages` feeds' newest item points at an image no earlier item used
 * (images `images` and up, made by ensureImages).
 */
export function feedXml(f: number, options: CorpusOptions & { origin: string; end: number; hour?: number; newImages?: number }): string {
  const hour = options.hour ?? 0;
  const count = options.items + 2 * hour;
  const items: string[] = [];
  // Serial k counts from the feed's oldest item; the first `items` are the cold build's.
  for (let k = count - 1; k >= 0; k--) {
    const r = rng(1_000_000 * (f + 1) + k);
    const date = new Date(options.end + ((k - (options.items - 1)) * 3600 - f * 7) * 1000).toUTCString();
    const img1 = k >= options.items && k === count - 1 && f < (options.newImages ?? 0) ? options.images + (hour - 1) * (options.newImages ?? 0) + f : Math.floor(r() * options.images);
    const img2 = Math.floor(r() * options.images);
    const paragraphs = Array.from({ length: 4 }, () => `<p>${sentence(r, 40)}.</p>`);
    const images = [`<img src="${options.origin}/img/${imageName(img1)}" alt="Figure">`];
    if (k % 3 === 0) images.push(`<img data-src="${options.origin}/img/${imageName(img2)}" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==" alt="">`);
    const html = [paragraphs[0], images[0], ...paragraphs.slice(1, 3), images[1] ?? '', paragraphs[3]].join('\n');
    items.push(`<item>
<title>${sentence(r, 8)} (${f}-${k})</title>
<link>https://blog${f}.example.com/posts/${k}?utm_source=rss</link>
<guid>https://blog${f}.example.com/posts/${k}</guid>
<pubDate>${date}</pubDate>
<dc:creator>Author ${f % 17}</dc:creator>
<category>topic-${k % 5}</category>
<content:encoded><![CDATA[${html}]]></content:encoded>
</item>`);
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Bench feed ${f}</title><link>${options.origin}/blog/${f}/</link><description>Synthetic feed ${f}</description>
${items.join('\n')}
</channel></rss>`;
}
