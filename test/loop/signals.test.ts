/**
 * SIGINT and SIGTERM, as GitHub Actions sends them when a run is cancelled
 * or times out: during the fetch, the images and the render, the build
 * stops taking work, saves what it archived, releases the lock, leaves no
 * temp file and exits 130 or 143 before a SIGTERM would follow (7.5 s);
 * a second signal exits at once. The next build completes with nothing lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { listFiles, runCli } from '../hostile/corpus.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';
import { articleIds, md5, startPublisher, type Publisher } from './world.ts';

interface Setup {
  dir: string;
  publisher: Publisher;
  config: string;
  out: string;
  cache: string;
}

async function setup(t: { after(fn: () => unknown): void }, extra: { fullText?: boolean } = {}): Promise<Setup> {
  const dir = await tempDir(t);
  const publisher = await startPublisher(3);
  t.after(() => publisher.close());
  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'Signals', url: 'http://localhost:8080/' },
      // Every feed at once: the tests catch the build with all of them in flight.
      fetch: { allowPrivateNetworks: true, timeoutSeconds: 20, perHost: 8, pageDelaySeconds: 5 },
      feeds: publisher.feedIds.map((id) => ({ id, url: `${publisher.origin}/${id}.xml`, ...(extra.fullText && id === 'f0' ? { fullText: true } : {}) })),
    }),
  );
  return { dir, publisher, config, out: path.join(dir, '_site'), cache: path.join(dir, '.cache') };
}

function build(s: Setup) {
  return runCli(['build', '--config', s.config, '--out', s.out, '--cache', s.cache, '--quiet'], { ...process.env, CI: '1' });
}

/** Signals as GitHub sends them: this one, then SIGTERM 7.5 s later if the process is still there. */
async function cancel(run: ReturnType<typeof build>, signal: 'SIGINT' | 'SIGTERM') {
  const sent = Date.now();
  run.child.kill(signal);
  const escalate = setTimeout(() => run.child.kill('SIGTERM'), 7_500);
  const result = await run.done;
  clearTimeout(escalate);
  return { ...result, stopMs: Date.now() - sent };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 12_000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting: ${what}`);
}

/** What a stopped build must not leave: its lock, temp files, the encoder's sources. */
async function leftovers(s: Setup): Promise<string[]> {
  const files = [...(await listFiles(s.cache)), ...(existsSync(s.out) ? await listFiles(s.out) : [])];
  return files.filter((f) => f.endsWith('.tmp') || f.includes('build.lock') || f.includes(`${path.sep}incoming${path.sep}`) || f.endsWith(`${path.sep}incoming`));
}

async function archivedLinks(s: Setup, feed: string): Promise<string[]> {
  const state = JSON.parse(await readFile(path.join(s.cache, 'state', 'feeds', `${feed}.json`), 'utf8')) as { articles: { link: string }[] };
  return state.articles.map((a) => a.link);
}

/** The next build, with nothing held: it completes and the site has every article published. */
async function nextBuildCompletes(s: Setup): Promise<void> {
  s.publisher.hold = null;
  const next = await build(s).done;
  assert.equal(next.code, 0, next.stderr);
  const ids = await articleIds(s.out);
  for (const link of s.publisher.published()) assert.ok(ids.has(md5(link)), `${link} is on the site`);
}

test('SIGINT while fetching: exit 130 at once, the archive as it was, lock released, no temp files', async (t) => {
  const s = await setup(t);
  s.publisher.hour = 2;
  assert.equal((await build(s).done).code, 0);
  const before = await archivedLinks(s, 'f0');

  s.publisher.hour = 5;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t.after(() => open());
  s.publisher.hold = (p) => (p.endsWith('.xml') ? gate : null);
  const seen = s.publisher.requests.length;
  const run = build(s);
  await until(() => s.publisher.requests.slice(seen).filter((p) => p.endsWith('.xml')).length === 3, 'every feed is being fetched');
  const stopped = await cancel(run, 'SIGINT');
  open();
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /stopped by SIGINT while fetching feeds and converting images: 0 of 3 feeds done/);
  assert.equal(stopped.stderr.trim().split('\n').length, 1, `one line: ${stopped.stderr}`);
  assert.deepEqual(await leftovers(s), []);
  assert.deepEqual(await archivedLinks(s, 'f0'), before, 'nothing half-done was saved');
  const status = JSON.parse(await readFile(path.join(s.cache, 'state', 'status.json'), 'utf8'));
  assert.equal(status.feeds.f1.health.consecutiveFailures, 0, 'a stopped fetch is not a failure of the feed');
  await nextBuildCompletes(s);
  t.diagnostic(`reliability: SIGINT while fetching: exit ${stopped.code} after ${stopped.stopMs} ms`);
});

test('SIGTERM while images download: exit 143, the merged articles are kept, the images are not held against their sources', async (t) => {
  const s = await setup(t);
  s.publisher.hour = 3;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t.after(() => open());
  s.publisher.hold = (p) => (p.startsWith('/img/') ? gate : null);
  const run = build(s);
  await until(() => s.publisher.requests.some((p) => p.startsWith('/img/')), 'an image is being downloaded');
  // Every feed has answered by now or soon: wait until all three were requested.
  await until(() => s.publisher.requests.filter((p) => p.endsWith('.xml')).length === 3, 'every feed was requested');
  await new Promise((r) => setTimeout(r, 300));
  const stopped = await cancel(run, 'SIGTERM');
  open();
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.match(stopped.stderr, /stopped by SIGTERM while fetching feeds and converting images: 3 of 3 feeds done, \d+ new articles and 0 converted images saved/);
  assert.deepEqual(await leftovers(s), []);
  // Articles merged before the signal are in the saved state.
  assert.deepEqual((await archivedLinks(s, 'f0')).sort(), s.publisher.published().filter((l) => l.includes('/f0/')).sort());
  const index = JSON.parse(await readFile(path.join(s.cache, 'images', 'index.json'), 'utf8')) as { sources: Record<string, { status: string }> };
  const held = Object.entries(index.sources).filter(([url]) => url.includes('/img/'));
  assert.deepEqual(held.filter(([, x]) => x.status === 'failed'), [], 'no image cut short is recorded as failed (no back-off)');

  const imagesBefore = s.publisher.requests.filter((p) => p.startsWith('/img/')).length;
  await nextBuildCompletes(s);
  assert.ok(s.publisher.requests.filter((p) => p.startsWith('/img/')).length > imagesBefore, 'the next build downloads the images');
  const html = await readFile(path.join(s.out, 'articles', md5(`${s.publisher.origin}/f0/0.html`), 'index.html'), 'utf8');
  assert.match(html, /<img[^>]+\.webp/, 'the article links its converted image');
  t.diagnostic(`reliability: SIGTERM while downloading images: exit ${stopped.code} after ${stopped.stopMs} ms`);
});

test('SIGINT while full-text pages are fetched: pages waiting for their turn do not hold the stop; the next build fetches them', async (t) => {
  const s = await setup(t, { fullText: true });
  s.publisher.hour = 5;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t.after(() => open());
  // Article pages hang; the next one to that host may start only 5 s after the last.
  s.publisher.hold = (p) => (p.endsWith('.html') ? gate : null);
  const run = build(s);
  await until(() => s.publisher.requests.some((p) => p.endsWith('.html')), 'a page is being fetched');
  const stopped = await cancel(run, 'SIGINT');
  open();
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.doesNotMatch(stopped.stderr, /still stopping/);
  assert.match(stopped.stderr, /stopped by SIGINT while fetching feeds and converting images/);
  assert.deepEqual(await leftovers(s), []);
  assert.deepEqual((await archivedLinks(s, 'f0')).sort(), s.publisher.published().filter((l) => l.includes('/f0/')).sort(), 'the merged articles are kept');
  const pagesBefore = s.publisher.requests.filter((p) => p.endsWith('.html')).length;
  await nextBuildCompletes(s);
  const pages = s.publisher.requests.filter((p) => p.endsWith('.html')).length - pagesBefore;
  assert.ok(pages >= 6, `the next build fetches every page the stop cut short (${pages})`);
  t.diagnostic(`reliability: SIGINT while fetching full-text pages: exit ${stopped.code} after ${stopped.stopMs} ms`);
});

test('SIGINT while the site is written: exit 130, lock released, the next build writes the whole site', async (t) => {
  const s = await setup(t);
  s.publisher.hour = 4;
  const run = build(s);
  await until(() => existsSync(s.out), 'the render starts');
  const stopped = await cancel(run, 'SIGINT');
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /stopped by SIGINT while writing the site: the archive is saved/);
  assert.deepEqual(await leftovers(s), []);
  assert.deepEqual((await archivedLinks(s, 'f1')).sort(), s.publisher.published().filter((l) => l.includes('/f1/')).sort(), 'the archive was saved before the render');
  await nextBuildCompletes(s);
  t.diagnostic(`reliability: SIGINT while writing the site: exit ${stopped.code} after ${stopped.stopMs} ms`);
});

/**
 * A command whose stop hangs (it never finishes on its own): a second
 * signal, or the grace period running out, ends it at once, and the cache
 * lock it holds is removed on the way out.
 */
function hangingCommand(cache: string, graceMs: number) {
  const script = `
    const { acquireLock } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src', 'io', 'lock.ts'))});
    const { watchStopSignals } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src', 'io', 'signals.ts'))});
    await acquireLock(${JSON.stringify(cache)});
    const stops = watchStopSignals({ graceMs: ${graceMs}, write: (line) => process.stderr.write(line + '\\n') });
    stops.signal.addEventListener('abort', () => process.stdout.write('stopping\\n'));
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr: err })));
  return { child, done, output: () => out };
}

test('a second signal exits at once, and a stop that hangs ends after the grace period; the lock is released either way', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  const lock = path.join(cache, 'build.lock');

  const twice = hangingCommand(cache, 60_000);
  await until(() => twice.output().includes('ready'), 'the command holds the lock');
  assert.ok(existsSync(lock));
  twice.child.kill('SIGINT');
  await until(() => twice.output().includes('stopping'), 'the first signal is stopping it');
  twice.child.kill('SIGTERM');
  const second = await twice.done;
  assert.equal(second.code, 143, second.stderr);
  assert.match(second.stderr, /SIGTERM again; exiting now \(exit code 143\)/);
  assert.ok(!existsSync(lock), 'the lock is released');

  const hangs = hangingCommand(cache, 500);
  await until(() => hangs.output().includes('ready'), 'the command holds the lock');
  const sent = Date.now();
  hangs.child.kill('SIGINT');
  const graced = await hangs.done;
  assert.equal(graced.code, 130, graced.stderr);
  assert.match(graced.stderr, /still stopping after 0\.5 s; exiting now \(exit code 130\)/);
  assert.ok(Date.now() - sent < 7_500, 'out before GitHub would send SIGTERM');
  assert.ok(!existsSync(lock), 'the lock is released');
});

test("the Action's build step passes GitHub's cancel on to the build (GitHub signals only the step's shell)", async (t) => {
  const s = await setup(t);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t.after(() => open());
  s.publisher.hold = (p) => (p.endsWith('.xml') ? gate : null);
  const action = parse(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { runs: { steps: { id?: string; run?: string }[] } };
  const script = action.runs.steps.find((step) => step.id === 'build')!.run!;
  // As the runner starts a step: bash with the script, signals not ignored.
  const child = spawn('bash', ['-c', script], {
    cwd: s.dir,
    env: { ...process.env, CI: '1', FEED_DIGEST: path.join(REPO_ROOT, 'bin', 'feed-digest.js'), CONFIG: s.config, OUT: s.out, STRICT: 'false', BUILD_TIMEOUT_MINUTES: '40' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await until(() => s.publisher.requests.filter((p) => p.endsWith('.xml')).length === 3, 'the build is fetching');
  child.kill('SIGINT');
  const code = await done;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopped by SIGINT while fetching feeds/);
  assert.ok(!existsSync(path.join(s.dir, '.cache', 'build.lock')), 'the lock is released');
});
