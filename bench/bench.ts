/**
 * npm run bench: the benchmark (issues "Fast at every scale" and "The hourly
 * build costs what changed"). Generates a synthetic corpus, serves it from a
 * loopback server with ETags, and prints in one run: a cold build, a warm
 * rebuild (every feed answers 304), hourly builds (every feed has 2 new
 * items, a few of them with a new image), the baselines (a) sharp converting
 * each source once to one WebP at maxWidth, (a′) sharp making the build's
 * variants with each source decoded once, (b) Eleventy alone, and the
 * target ratios. docs/performance.md explains every figure.
 *
 *   npm run bench                      200 feeds × 50 items, 2,000 images
 *   npm run bench -- --quick           40 feeds × 50 items, 300 images (for iterating)
 *   npm run bench -- --scale           adds 1,000 feeds × 100 items (100,000 articles)
 *   npm run bench -- --scale-only      only that 100,000-article part
 *   npm run bench -- --feeds 20 --items 10 --images 100   another corpus
 *   npm run bench -- --profile prof    CPU profiles of each phase in prof/
 *   npm run bench -- --effort 2        images.effort for the build and baselines (a), (a′)
 */
import { execFile } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
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
    feeds: { type: 'string' },
    items: { type: 'string' },
    images: { type: 'string' },
    quick: { type: 'boolean', default: false },
    // Hourly builds after the warm one (each adds 2 items to every feed).
    hours: { type: 'string', default: '2' },
    // images.effort for the build and baseline (a) alike; 4 is feeds.json's default.
    effort: { type: 'string', default: '4' },
    scale: { type: 'boolean', default: false },
    // Only the 100,000-article part of --scale (its targets without the default part's ~20 min).
    'scale-only': { type: 'boolean', default: false },
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
  /** CPU seconds of the phase's process and the children it waited for (null off Linux). */
  cpuS: number | null;
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

/**
 * Serves the generated feeds (with ETags: a warm build gets 304s) and the
 * image pool; `clock.hour` is how many hours have passed since the cold
 * build (each adds 2 items to every feed).
 */
async function serveCorpus(corpus: CorpusOptions, counter: { feeds: number; images: number; notModified: number }, clock: { hour: number }) {
  const end = Date.UTC(2026, 10, 1);
  const cache = new Map<string, { body: string; etag: string }>();
  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '/';
    const feed = /^\/feeds\/(\d+)\.xml$/.exec(url);
    if (feed) {
      const f = Number(feed[1]);
      const key = `${f} ${clock.hour}`;
      let entry = cache.get(key);
      if (!entry) {
        const body = feedXml(f, { ...corpus, origin, end, hour: clock.hour, newImages: newImagesPerHour(corpus) });
        entry = { body, etag: `"${createHash('md5').update(body).digest('hex')}"` };
        cache.set(key, entry);
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

/** Images no earlier item used, per hourly build: ~0.5% of the pool (10 at 2,000), at least 3. */
function newImagesPerHour(corpus: CorpusOptions): number {
  return Math.max(3, Math.round(corpus.images / 200));
}

/** What a deploy uploads: every file of the site with its inode, time and size. */
function siteFiles(dir: string): Map<string, { stamp: string; size: number }> {
  const files = new Map<string, { stamp: string; size: number }>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        const st = lstatSync(file);
        files.set(file, { stamp: `${st.ino} ${st.mtimeMs} ${st.size}`, size: st.size });
      }
    }
  };
  walk(dir);
  return files;
}

/** Files new or rewritten between two listings, their bytes, and files removed. */
function siteChanges(before: ReturnType<typeof siteFiles>, after: ReturnType<typeof siteFiles>) {
  let files = 0;
  let bytes = 0;
  for (const [file, now] of after) {
    if (before.get(file)?.stamp === now.stamp) continue;
    files++;
    bytes += now.size;
  }
  return { files, bytes, removed: [...before.keys()].filter((f) => !after.has(f)).length };
}

interface Hourly extends PhaseResult {
  hour: number;
  site: ReturnType<typeof siteChanges>;
}

interface ScenarioResult {
  cold: PhaseResult;
  warm: PhaseResult;
  warms: PhaseResult[];
  hourly: Hourly;
  hours: Hourly[];
  a: PhaseResult;
  a2: PhaseResult;
  b: PhaseResult;
  bs: PhaseResult[];
}

async function scenario(label: string, corpus: CorpusOptions): Promise<ScenarioResult> {
  const dir = path.join(work, label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const counter = { feeds: 0, images: 0, notModified: 0 };
  const clock = { hour: 0 };
  const server = await serveCorpus(corpus, counter, clock);
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
    const hours: Hourly[] = [];
    for (let h = 1; h <= Number(values.hours); h++) {
      log(`${label}: hourly build ${h} (${2 * corpus.feeds} new items, ${newImagesPerHour(corpus)} new images)…`);
      clock.hour = h;
      const before = siteFiles(site.out);
      const result = await phase('build', site);
      hours.push({ ...result, hour: h, site: siteChanges(before, siteFiles(site.out)) });
    }
    log(`${label}: baseline (a) sharp alone, one WebP at maxWidth per source…`);
    const images = { images: imagesDir, count: corpus.images, ...CONVERT };
    const a = await phase('sharp', { ...images, widths: [CONVERT.maxWidth], out: path.join(dir, 'sharp-a') });
    log(`${label}: baseline (a′) sharp alone, the build's variants, each source decoded once…`);
    const a2 = await phase('sharp', { ...images, out: path.join(dir, 'sharp-a2') });
    log(`${label}: baseline (b) Eleventy alone, ${cold.totals?.pages ?? 0} pages, twice…`);
    const eleventyArgs = { pages: cold.totals?.pages ?? 0, out: path.join(dir, 'eleventy-out'), work: path.join(dir, 'eleventy-in') };
    const bs = [await phase('eleventy', eleventyArgs), await phase('eleventy', eleventyArgs)];
    const hourly = hours.length > 0 ? (fastest(hours) as Hourly) : ({ ...warm, hour: 0, site: { files: 0, bytes: 0, removed: 0 } } as Hourly);
    return { cold, warm, warms, hourly, hours, a, a2, b: fastest(bs), bs };
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

const cpu = (c: PhaseResult) => (c.cpuS === null ? '–' : `${c.cpuS.toFixed(1)} s`);
const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const target = (ok: boolean) => (ok ? 'met' : 'NOT MET');

function print(label: string, corpus: CorpusOptions, r: ScenarioResult, scale: boolean) {
  const { cold, warm, warms, hourly, hours, a, a2, b, bs } = r;
  const columns: [string, PhaseResult][] = [['cold build', cold], ['warm rebuild', warm], ['hourly build', hourly]];
  const rows: string[][] = [['', ...columns.map(([name]) => name)]];
  const stepNames = ['load', 'fetch', 'parse', 'content', 'archive', 'ingest', 'imagesWait', 'save', 'rewrite', 'render', 'render.plan', 'render.stageTemplates', 'render.inputs', 'render.viewModel', 'render.keys', 'render.eleventy', 'render.json', 'render.assets', 'render.prune', 'render.search', 'render.manifest'];
  for (const name of stepNames) {
    if (columns.every(([, c]) => c.steps?.[name] === undefined)) continue;
    rows.push([`  ${name}`, ...columns.map(([, c]) => s(c.steps?.[name] ?? 0))]);
  }
  const total = (c: PhaseResult) => c.totals;
  rows.push(['wall time', s(cold.ms), s(warm.ms), s(hourly.ms)]);
  rows.push(['CPU time (with the encoder and Pagefind)', ...columns.map(([, c]) => cpu(c))]);
  rows.push(['  runs', '', warms.map((w) => s(w.ms)).join(', '), hours.map((h) => s(h.ms)).join(', ')]);
  rows.push(['new articles', ...columns.map(([, c]) => String(total(c)?.articles.new ?? 0))]);
  rows.push(['images converted', ...columns.map(([, c]) => String(total(c)?.images.converted ?? 0))]);
  rows.push(['pages in the site', ...columns.map(([, c]) => String(total(c)?.pages ?? 0))]);
  rows.push(['pages written', ...columns.map(([, c]) => String(total(c)?.pagesWritten ?? 0))]);
  rows.push(['site files new or rewritten', '', '', `${hourly.site.files} (${mb(hourly.site.bytes)}), ${hourly.site.removed} removed`]);
  rows.push(['Pagefind', ...columns.map(([, c]) => s(c.steps?.['render.search'] ?? 0))]);
  rows.push(['feeds parsed (not 304)', ...columns.map(([, c]) => String(total(c)?.feeds.fetched ?? 0))]);
  rows.push(['state files written', ...columns.map(([, c]) => String(total(c)?.stateFilesWritten ?? 0))]);
  rows.push(['peak RSS, the build with its encoder and Pagefind', ...columns.map(([, c]) => `${c.treeRssMB} MB`)]);
  rows.push(['peak RSS, the build process alone', ...columns.map(([, c]) => `${c.maxRssMB} MB`)]);
  const width = Math.max(...rows.map((row) => row[0]!.length));
  console.log(`\n## ${label}: ${corpus.feeds} feeds × ${corpus.items} items = ${corpus.feeds * corpus.items} articles, ${corpus.images} images (${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
  for (const row of rows) console.log(`${row[0]!.padEnd(width)}  ${row.slice(1).map((c) => c.padStart(14)).join('  ')}`);
  // Where the hourly build's time goes: the top-level steps, then the render's.
  const share = (names: string[]) => names.filter((n) => hourly.steps?.[n] !== undefined).map((n) => `${n} ${pct(hourly.steps![n]!, hourly.ms)}`).join(', ');
  console.log(`\nhourly build, share of its wall time: ${share(['load', 'ingest', 'imagesWait', 'save', 'rewrite', 'render'])}`);
  console.log(`  within the render: ${share(stepNames.filter((n) => n.startsWith('render.')))}`);

  const converted = (c: PhaseResult) => c.totals?.images.converted ?? 0;
  console.log(`\nbaseline (a) sharp, one WebP at maxWidth per source: ${s(a.ms)} (CPU ${cpu(a)}), ${rate(corpus.images, a.ms)} images/s, ${mb(a.bytes ?? 0)}, peak RSS ${a.maxRssMB} MB`);
  console.log(`baseline (a′) sharp, the build's variants, decoded once: ${s(a2.ms)} (CPU ${cpu(a2)}), ${rate(corpus.images, a2.ms)} images/s, ${mb(a2.bytes ?? 0)}, peak RSS ${a2.maxRssMB} MB`);
  console.log(`baseline (b) Eleventy alone: ${s(b.ms)} (CPU ${cpu(b)}) for ${cold.totals?.pages ?? 0} pages (runs: ${bs.map((x) => s(x.ms)).join(', ')}), peak RSS ${b.maxRssMB} MB`);
  // Wall times depend on what else the machine runs; CPU seconds much less. Both, for a contended run.
  if (cold.cpuS !== null && a.cpuS !== null && a2.cpuS !== null && b.cpuS !== null) {
    console.log(`CPU ratios: cold / ((a) + (b)) = ${(cold.cpuS / (a.cpuS + b.cpuS)).toFixed(2)}, (a′) / (a) = ${(a2.cpuS / a.cpuS).toFixed(2)}, cold / ((a′) + (b)) = ${(cold.cpuS / (a2.cpuS + b.cpuS)).toFixed(2)}`);
  }
  const imagePhase = (cold.steps?.ingest ?? 0) + (cold.steps?.imagesWait ?? 0);
  const perImage = a2.ms / corpus.images;
  const hourlyBound = (scale ? 3 : 2) * warm.ms + perImage * converted(hourly);
  const newArticles = hourly.totals?.articles.new ?? 0;
  const pagesBound = 5 * newArticles + 30;
  const checks: [string, string, boolean][] = [
    [`hourly ≤ ${scale ? 3 : 2} × warm + (a′) for its ${converted(hourly)} new images`, `${s(hourly.ms)} vs ${s(hourlyBound)} (${(hourly.ms / hourlyBound).toFixed(2)})`, hourly.ms <= hourlyBound],
    [`hourly pages written ≤ 5 × ${newArticles} new articles + 30`, `${hourly.totals?.pagesWritten ?? 0} vs ${pagesBound}`, (hourly.totals?.pagesWritten ?? 0) <= pagesBound],
    scale ? ['warm ≤ 5 s', s(warm.ms), warm.ms <= 5000] : ['warm ≤ 0.5 × (b)', `${s(warm.ms)} / ${s(b.ms)} = ${(warm.ms / b.ms).toFixed(2)}`, warm.ms <= 0.5 * b.ms],
    ['cold image phase (ingest + image wait) ≤ 1.05 × (a′)', `${s(imagePhase)} / ${s(a2.ms)} = ${(imagePhase / a2.ms).toFixed(2)}`, imagePhase <= 1.05 * a2.ms],
    ['(a′) ≤ 1.5 × (a)', `${s(a2.ms)} / ${s(a.ms)} = ${(a2.ms / a.ms).toFixed(2)}`, a2.ms <= 1.5 * a.ms],
    ['cold ≤ 1.4 × ((a) + (b))', `${s(cold.ms)} / ${s(a.ms + b.ms)} = ${(cold.ms / (a.ms + b.ms)).toFixed(2)}`, cold.ms <= 1.4 * (a.ms + b.ms)],
  ];
  if (scale) checks.push(['peak RSS ≤ 1.5 GB (every process of the build)', `${Math.max(cold.treeRssMB, warm.treeRssMB, hourly.treeRssMB)} MB`, Math.max(cold.treeRssMB, warm.treeRssMB, hourly.treeRssMB) <= 1536]);
  console.log('');
  const w = Math.max(...checks.map((c) => c[0].length));
  for (const [name, value, ok] of checks) console.log(`${name.padEnd(w)}  ${value.padEnd(30)}  ${target(ok)}`);
  console.log(`image bytes: ${mb(cold.totals?.images.sourceBytes ?? 0)} → ${mb(cold.totals?.images.bytes ?? 0)} (full-size WebP)`);
  for (const c of [cold, ...warms, ...hours]) if (c.failedFeeds?.length) console.log(`! failed feeds: ${c.failedFeeds.join('; ')}`);
  console.log(`benchmark wall time so far: ${s(performance.now() - benchStarted)}`);
  return { renderPerPage: (cold.steps?.render ?? 0) / Math.max(1, cold.totals?.pages ?? 1), peak: cold.treeRssMB };
}

const corpus: CorpusOptions = values.quick
  ? { feeds: Number(values.feeds ?? 40), items: Number(values.items ?? 50), images: Number(values.images ?? 300) }
  : { feeds: Number(values.feeds ?? 200), items: Number(values.items ?? 50), images: Number(values.images ?? 2000) };
await mkdir(work, { recursive: true });
const runner = await prepareRunner();
// The pool, and the images only the hourly builds' new items use.
const made = await ensureImages(imagesDir, corpus.images + Number(values.hours) * newImagesPerHour(corpus));
if (made) log(`generated ${made} corpus images in ${imagesDir} (kept for the next run)`);
const base = values['scale-only'] ? null : print(values.quick ? 'quick' : 'default', corpus, await scenario(values.quick ? 'quick' : 'default', corpus), false);
if (values.scale || values['scale-only']) {
  const big: CorpusOptions = { feeds: 1000, items: 100, images: corpus.images };
  const large = print('scale', big, await scenario('scale', big), true);
  if (base) {
    console.log(`\nrender time per page: ${base.renderPerPage.toFixed(2)} ms at ${corpus.feeds * corpus.items} articles, ${large.renderPerPage.toFixed(2)} ms at ${big.feeds * big.items} (ratio ${(large.renderPerPage / base.renderPerPage).toFixed(2)})`);
  }
}
