/**
 * One measured phase of the benchmark, run in its own process so its peak
 * RSS is its own. Prints one JSON line on stdout.
 *   build    {config, out, cache}           feed-digest's build()
 *   sharp    {images, count, out, widths, ...}  baselines (a) and (a′): sharp alone, same quality, effort and concurrency;
 *                                          widths [maxWidth]: each source once to one WebP (a); the build's widths: the
 *                                          same variants as the build, each source decoded once (a′)
 *   eleventy {pages, out, work}             baseline (b): Eleventy alone, trivial template, in-memory data
 *
 * bench.ts bundles this file with esbuild and runs the bundle with plain
 * node, as the CLI runs: a TypeScript loader in the measured process would
 * add its start-up and module hooks to every figure.
 */
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [phase, json] = process.argv.slice(2);
const args = JSON.parse(json ?? '{}') as Record<string, unknown>;
const started = performance.now();
let extra: Record<string, unknown> = {};

if (phase === 'build') {
  // What the CLI runs: the built JavaScript when current (bin/load.js), found from
  // the package root since the bundle of this file lives elsewhere.
  const { load } = (await import(pathToFileURL(path.join(String(args.root), 'bin', 'load.js')).href)) as typeof import('../bin/load.js');
  const { build } = await load('build');
  const { report } = await build({ config: String(args.config), out: String(args.out), cache: String(args.cache), quiet: true });
  extra = { steps: report.steps, totals: report.totals, failedFeeds: report.feeds.filter((f) => f.error).map((f) => f.error!.message).slice(0, 3) };
} else if (phase === 'sharp') {
  const sharp = (await import('sharp')).default;
  const pLimit = (await import('p-limit')).default;
  const { imageName } = await import('./corpus.ts');
  sharp.concurrency(1);
  sharp.cache(false);
  const quality = Number(args.quality);
  const effort = Number(args.effort);
  const maxWidth = Number(args.maxWidth);
  const widths = args.widths as number[];
  const out = String(args.out);
  await mkdir(out, { recursive: true });
  const limit = pLimit(os.availableParallelism());
  let bytes = 0;
  await Promise.all(
    Array.from({ length: Number(args.count) }, (_, k) =>
      limit(async () => {
        const file = path.join(String(args.images), imageName(k));
        const meta = await sharp(file).metadata();
        const full = Math.min(meta.width ?? maxWidth, maxWidth);
        const targets = [...widths.filter((x) => x < full), full];
        const source = sharp(file).autoOrient().resize({ width: full });
        const encode = async (pixels: import('sharp').Sharp, w: number) => {
          const webp = await pixels.webp({ quality, effort }).toBuffer();
          await writeFile(path.join(out, `${k}-${w}.webp`), webp);
          bytes += webp.length;
        };
        // One width: straight from the source, as a simpler tool converts.
        if (targets.length === 1) return encode(source, full);
        // Decoded once: the largest width's pixels, the smaller widths resized from them.
        const { data, info } = await source.raw().toBuffer({ resolveWithObject: true });
        const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
        for (const w of targets) await encode(w === full ? sharp(data, raw) : sharp(data, raw).resize({ width: w }), w);
      }),
    ),
  );
  extra = { bytes };
} else if (phase === 'eleventy') {
  const { Eleventy } = await import('@11ty/eleventy');
  const work = String(args.work);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await writeFile(
    path.join(work, 'page.njk'),
    '---\npagination:\n  data: items\n  size: 1\n  alias: item\npermalink: "p/{{ item.id }}/index.html"\n---\n<!doctype html><title>{{ item.title }}</title><h1>{{ item.title }}</h1>{{ item.body | safe }}\n',
  );
  const items = Array.from({ length: Number(args.pages) }, (_, i) => ({ id: i, title: `Page ${i}`, body: `<p>${'Lorem ipsum dolor sit amet. '.repeat(40)}</p>` }));
  const elev = new Eleventy(work, String(args.out), {
    quietMode: true,
    configPath: false,
    config(cfg: never) {
      const c = cfg as { addGlobalData(n: string, v: unknown): void; setUseGitIgnore(v: boolean): void };
      c.setUseGitIgnore(false);
      c.addGlobalData('items', items);
    },
  });
  elev.logger.overrideLogger(false);
  await elev.write();
} else {
  throw new Error(`unknown phase ${phase}`);
}

/**
 * CPU seconds of this process and of the children it waited for (the image
 * encoder, Pagefind), from /proc/self/stat (utime, stime, cutime, cstime, in
 * clock ticks of 1/100 s): unlike wall time, little changed by other load on
 * the machine. Null off Linux.
 */
function cpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
  } catch {
    return null;
  }
}

process.stdout.write(
  `${JSON.stringify({ phase, ms: Math.round(performance.now() - started), cpuS: cpuSeconds(), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...extra })}\n`,
);
