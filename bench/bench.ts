/**
 * npm run bench: the benchmark (issue "Fast at every scale"). Generates a
 * synthetic corpus, serves it from a loopback server with ETags, and prints
 * in one run: a cold build, a warm rebuild (every feed answers 304), the two
 * baselines (a) sharp alone and (b) Eleventy alone, and the target ratios.
 *
 *   npm run bench                      200 feeds × 50 items, 2,000 images
 *   npm run bench -- --scale           adds 1,000 feeds × 100 items (100,000 articles)
 *   npm run bench -- --feeds 20 --items 10 --images 100   a quick run
 *   npm run bench -- --profile prof    CPU profiles of each phase in prof/
 *   npm run bench -- --effort 2        images.effort for the build and baseline (a)
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { ensureImages, favicon, feedXml, type CorpusOptions } from './corpus.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '200' },
    items: { type: 'string', default: '50' },
    images: { type: 'string', default: '2000' },
    // images.effort for the build and baseline (a) alike; 4 is feeds.json's default.
    effort: { type: 'string', default: '4' },
    scale: { type: 'boolean', default: false },
    work: { type: 'string', default: path.join(root, '.cache', 'bench') },
    // Writes a V8 CPU profile of every measured phase into this folder (open in Chrome DevTools).
    profile: { type: 'string' },
  },
});
const work = path.resolve(values.work);
const imagesDir = path.join(work, 'corpus-images');

interface PhaseResult {
  phase: string;
  ms: number;
  /** Peak RSS of the phase's node process alone (getrusage). */
  maxRssMB: number;
  /** Peak of the summed RSS of the phase's process and its children (the image encoder, Pagefind), sampled. */
  treeRssMB: number;
  steps?: Record<string, number>;
  totals?: {
    feeds: { fetched: number; notModified: number; failed: number };
    articles: { new: number; total: number };
    images: { converted: number; cached: number; reused: number; failed: number; sourceBytes: number; bytes: number };
    pages: number;
    pagesWritten: number;
    stateFilesWritten: number;
  };
  failedFeeds?: string[];
  bytes?: number;
}

/**
 * The measured processes run plain JavaScript, as `npx feed-digest` does: dist/
 * is built from the current sources, and phase.ts is bundled (its imports
 * stay in node_modules; the bundle sits below it so they resolve).
 */
async function prepareRunner(): Promise<string> {
  await run('npm', ['run', '-s', 'build:js'], { cwd: root });
  const outfile = path.join(root, 'node_modules', '.cache', 'feed-digest-bench', 'phase.mjs');
  const { build } = await import('esbuild');
  await build({ entryPoints: [path.join(root, 'bench', 'phase.ts')], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}

async function phase(name: string, args: object): Promise<PhaseResult> {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
  let child: ReturnType<typeof execFile> | undefined;
  const done = new Promise<string>((resolve, reject) => {
    child = execFile(
      process.execPath,
      [...profile, runner, name, JSON.stringify({ root, ...args })],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, UV_THREADPOOL_SIZE: String(os.availableParallelism() + 2) } },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
  // Images encode and Pagefind indexes in child processes: what a CI runner must hold is the sum.
  let treePeak = 0;
  const sampler = setInterval(() => (treePeak = Math.max(treePeak, child?.pid ? treeRss(child.pid) : 0)), 200);
  try {
    const stdout = await done;
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Omit<PhaseResult, 'treeRssMB'>;
    return { ...result, treeRssMB: Math.max(result.maxRssMB, Math.round(treePeak / 2 ** 20)) };
  } finally {
    clearInterval(sampler);
  }
}

const PAGE_SIZE = os.platform() === 'linux' ? Number((await run('getconf', ['PAGESIZE'])).stdout) : 0;

/** Resident bytes of a process and all its descendants, from Linux's /proc (0 elsewhere). */
function treeRss(pid: number): number {
  if (!PAGE_SIZE) return 0;
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while listed
    }
    // After "pid (comm) ": state, ppid, … rss is the 24th field of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    rss.set(Number(entry), Number(fields[21]) * PAGE_SIZE);
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(Number(entry));
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** Serves the generated feeds (with ETags: a warm build gets 304s) and the image pool. */
async function serveCorpus(corpus: CorpusOptions, counter: { feeds: number; images: number; notModified: number }) {
  const end = Date.UTC(2026, 10, 1);
  const cache = new Map<number, { body: string; etag: string }>();
  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '/';
    const feed = /^\/feeds\/(\d+)\.xml$/.exec(url);
    if (feed) {
      const f = Number(feed[1]);
      let entry = cache.get(f);
      if (!entry) {
        const body = feedXml(f, { ...corpus, origin, end });
        entry = { body, etag: `"${createHash('md5').update(body).digest('hex')}"` };
        cache.set(f, entry);
      }
      counter.feeds++;
      if (req.headers['if-none-match'] === entry.etag) {
        counter.notModified++;
        return void res.writeHead(304, { etag: entry.etag }).end();
      }
      return void res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: entry.etag }).end(entry.body);
    }
    const icon = /^\/blog\/(\d+)\/favicon\.ico$/.exec(url);
    if (icon) {
      counter.images++;
      return void res.writeHead(200, { 'content-type': 'image/x-icon' }).end(await favicon(Number(icon[1])));
    }
    const img = /^\/img\/(\d+\.(jpg|png))$/.exec(url);
    if (img) {
      counter.images++;
      try {
        const body = await readFile(path.join(imagesDir, img[1]!));
        return void res.writeHead(200, { 'content-type': img[2] === 'png' ? 'image/png' : 'image/jpeg', 'content-length': body.length }).end(body);
      } catch {
        return void res.writeHead(404).end();
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { origin, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const CONVERT = { quality: 75, effort: Number(values.effort), maxWidth: 1600, widths: [480, 960, 1600] };

async function scenario(label: string, corpus: CorpusOptions): Promise<{ cold: PhaseResult; warm: PhaseResult; warms: PhaseResult[]; a: PhaseResult; b: PhaseResult; bs: PhaseResult[] }> {
  const dir = path.join(work, label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const counter = { feeds: 0, images: 0, notModified: 0 };
  const server = await serveCorpus(corpus, counter);
  try {
    const config = path.join(dir, 'feeds.json');
    await writeFile(
      config,
      JSON.stringify({
        site: { title: 'Bench', url: 'https://bench.example/digest/', itemsPerPage: 30 },
        images: CONVERT,
        fetch: { allowPrivateNetworks: true, concurrency: 16, perHost: 16 },
        feeds: Array.from({ length: corpus.feeds }, (_, f) => ({ id: `feed-${f}`, url: `${server.origin}/feeds/${f}.xml` })),
      }),
    );
    const site = { config, out: path.join(dir, 'site'), cache: path.join(dir, 'cache') };
    log(`${label}: cold build (${corpus.feeds} feeds × ${corpus.items} items, ${corpus.images} images)…`);
    const cold = await phase('build', site);
    const imageRequests = counter.images;
    // The short phases run twice and count their faster run (timings of a few
    // seconds vary by a second between runs here); both runs are printed.
    log(`${label}: warm rebuild, twice…`);
    const warms = [await phase('build', site), await phase('build', site)];
    const warm = fastest(warms);
    if (counter.images !== imageRequests) log(`  ! the warm builds downloaded ${counter.images - imageRequests} images`);
    log(`${label}: baseline (a) sharp alone…`);
    const a = await phase('sharp', { images: imagesDir, count: corpus.images, out: path.join(dir, 'sharp-out'), ...CONVERT });
    log(`${label}: baseline (b) Eleventy alone, ${cold.totals?.pages ?? 0} pages, twice…`);
    const eleventyArgs = { pages: cold.totals?.pages ?? 0, out: path.join(dir, 'eleventy-out'), work: path.join(dir, 'eleventy-in') };
    const bs = [await phase('eleventy', eleventyArgs), await phase('eleventy', eleventyArgs)];
    return { cold, warm, warms, a, b: fastest(bs), bs };
  } finally {
    await server.close();
  }
}

const benchStarted = performance.now();
function fastest(runs: PhaseResult[]): PhaseResult {
  return runs.reduce((best, r) => (r.ms < best.ms ? r : best));
}

function log(line: string) {
  process.stderr.write(`[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (n: number, ms: number) => (ms > 0 ? (n / (ms / 1000)).toFixed(1) : '–');

function print(label: string, corpus: CorpusOptions, r: Awaited<ReturnType<typeof scenario>>) {
  const { cold, warm, warms, a, b, bs } = r;
  const rows: string[][] = [['', 'cold build', 'warm rebuild']];
  const stepNames = ['load', 'fetch', 'parse', 'content', 'archive', 'ingest', 'imagesWait', 'save', 'rewrite', 'render', 'render.plan', 'render.viewModel', 'render.stageTemplates', 'render.keys', 'render.eleventy', 'render.json', 'render.assets', 'render.prune', 'render.search', 'render.manifest'];
  for (const name of stepNames) {
    if (cold.steps?.[name] === undefined && warm.steps?.[name] === undefined) continue;
    rows.push([`  ${name}`, s(cold.steps?.[name] ?? 0), s(warm.steps?.[name] ?? 0)]);
  }
  rows.push(['wall time', s(cold.ms), `${s(warm.ms)} (runs: ${warms.map((w) => s(w.ms)).join(', ')})`]);
  rows.push(['feeds/s', rate(corpus.feeds, cold.ms), rate(corpus.feeds, warm.ms)]);
  rows.push(['images converted', String(cold.totals?.images.converted ?? 0), String(warm.totals?.images.converted ?? 0)]);
  rows.push(['images/s (converted / wall)', rate(cold.totals?.images.converted ?? 0, cold.ms), '–']);
  rows.push(['pages', String(cold.totals?.pages ?? 0), String(warm.totals?.pages ?? 0)]);
  rows.push(['pages written', String(cold.totals?.pagesWritten ?? 0), String(warm.totals?.pagesWritten ?? 0)]);
  rows.push(['pages/s (pages / render)', rate(cold.totals?.pages ?? 0, cold.steps?.render ?? 0), rate(warm.totals?.pages ?? 0, warm.steps?.render ?? 0)]);
  rows.push(['feeds parsed (not 304)', String(cold.totals?.feeds.fetched ?? 0), String(warm.totals?.feeds.fetched ?? 0)]);
  rows.push(['state files written', String(cold.totals?.stateFilesWritten ?? 0), String(warm.totals?.stateFilesWritten ?? 0)]);
  rows.push(['peak RSS, the build with its encoder and Pagefind', `${cold.treeRssMB} MB`, `${warm.treeRssMB} MB`]);
  rows.push(['peak RSS, the build process alone', `${cold.maxRssMB} MB`, `${warm.maxRssMB} MB`]);
  const width = Math.max(...rows.map((row) => row[0]!.length));
  console.log(`\n## ${label}: ${corpus.feeds} feeds × ${corpus.items} items = ${corpus.feeds * corpus.items} articles, ${corpus.images} images (${os.availableParallelism()} cores)\n`);
  for (const row of rows) console.log(`${row[0]!.padEnd(width)}  ${row[1]!.padStart(12)}  ${row[2]!.padStart(12)}`);
  console.log(`\nbaseline (a) sharp alone: ${s(a.ms)}, ${rate(corpus.images, a.ms)} images/s, peak RSS ${a.maxRssMB} MB`);
  console.log(`baseline (b) Eleventy alone: ${s(b.ms)} for ${cold.totals?.pages ?? 0} pages (runs: ${bs.map((x) => s(x.ms)).join(', ')}), peak RSS ${b.maxRssMB} MB`);
  const coldRatio = cold.ms / (a.ms + b.ms);
  const warmRatio = warm.ms / b.ms;
  console.log(`cold / (a + b) = ${coldRatio.toFixed(2)}   (target ≤ 1.25)`);
  console.log(`warm / b       = ${warmRatio.toFixed(2)}   (target ≤ 1.3)`);
  console.log(`image bytes: ${((cold.totals?.images.sourceBytes ?? 0) / 1e6).toFixed(1)} MB → ${((cold.totals?.images.bytes ?? 0) / 1e6).toFixed(1)} MB (full-size WebP)`);
  if (cold.failedFeeds?.length) console.log(`! failed feeds: ${cold.failedFeeds.join('; ')}`);
  console.log(`benchmark wall time so far: ${s((performance.now() - benchStarted))}`);
  return { renderPerPage: (cold.steps?.render ?? 0) / Math.max(1, cold.totals?.pages ?? 1), peak: cold.treeRssMB };
}

const corpus: CorpusOptions = { feeds: Number(values.feeds), items: Number(values.items), images: Number(values.images) };
await mkdir(work, { recursive: true });
const runner = await prepareRunner();
const made = await ensureImages(imagesDir, corpus.images);
if (made) log(`generated ${made} corpus images in ${imagesDir} (kept for the next run)`);
const base = print('default', corpus, await scenario('default', corpus));
if (values.scale) {
  const big: CorpusOptions = { feeds: 1000, items: 100, images: corpus.images };
  const large = print('scale', big, await scenario('scale', big));
  console.log(`\nrender time per page: ${base.renderPerPage.toFixed(2)} ms at ${corpus.feeds * corpus.items} articles, ${large.renderPerPage.toFixed(2)} ms at ${big.feeds * big.items} (ratio ${(large.renderPerPage / base.renderPerPage).toFixed(2)}, target ≤ 1.5); peak RSS ${large.peak} MB (target ≤ 1536 MB)`);
}
