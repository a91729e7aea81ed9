/**
 * The package as a user gets it: `npm pack` (in a copy of this checkout, as
 * a publisher runs it) → `npm install --omit=dev ./feed-digest-x.y.z.tgz` in
 * an empty folder, run by the Action's own install script (action.yml, given
 * the tarball as its feed-digest-version) → `npx feed-digest init` there →
 * the Action's build script → a site built from feeds on a loopback server.
 * Also: no TypeScript loader or other dev tooling is installed, the
 * programmatic API loads, and its types check for a consumer.
 *
 * npm works offline here (--prefer-offline: `npm ci` of this checkout filled
 * its cache with every dependency).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startFixtureServer, type FixtureServer } from '../../scripts/fixture-server.ts';
import { readGithubOutput } from '../support/github-output.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const exec = promisify(execFile);
const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
/** What the checkout holds that the package never needs (and is slow to copy). */
const NOT_PACKED = new Set(['node_modules', '.git', 'dist', 'types', '.cache', '_site', 'test', 'bench', 'docs', 'demo']);

const work = await tempDir({ after }, 'feed-digest-package-');
const server: FixtureServer = await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds'));
after(() => server.close());
/** The empty folder the package is installed into: the Action installs into $RUNNER_TEMP/feed-digest. */
const site = path.join(work, 'feed-digest');
let tarball: string;
const action = parse(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { runs: { steps: { id?: string; run?: string }[] } };
const script = (id: string) => action.runs.steps.find((s) => s.id === id)!.run!;
const githubEnv = (name: string) => ({ GITHUB_OUTPUT: path.join(work, `${name}.output`), GITHUB_STEP_SUMMARY: path.join(work, `${name}.summary.md`), GITHUB_ACTIONS: 'true' });

/** Runs a command; on failure the error carries its output. */
async function run(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    return await exec(cmd, args, { ...options, maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Time each phase, so the cost of this file stays visible. */
const timings: string[] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

before(async () => {
  // Pack a copy: npm pack runs the build (prepack, prepare), which must not rewrite this checkout's dist/ under other tests.
  const src = path.join(work, 'src');
  await timed('copy', () => cp(REPO_ROOT, src, { recursive: true, filter: (from) => !NOT_PACKED.has(path.relative(REPO_ROOT, from).split(path.sep)[0]!) }));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  const { stdout } = await timed('npm pack', () => run('npm', ['pack', '--json', '--pack-destination', work], { cwd: src }));
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  tarball = path.join(work, packed!.filename);
  timings.push(`package ${(packed!.size / 1024).toFixed(0)} KB packed, ${(packed!.unpackedSize / 1024).toFixed(0)} KB unpacked, ${packed!.files.length} files`);
});

test('the tarball holds what the tool needs and nothing of the checkout', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball], { cwd: work });
  const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const f of ['package.json', 'bin/feed-digest.js', 'bin/load.js', 'bin/encoder.js', 'bin/download-thread.js', 'dist/cli.js', 'dist/index.js', 'types/index.d.ts', 'feeds.schema.json', 'scaffold/digest.yml', 'templates/index.njk', 'CHANGELOG.md']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  for (const f of files) assert.doesNotMatch(f, /^(src|test|bench|demo|docs|scripts|\.github)\/|\.ts$(?<!\.d\.ts$)|^action\.yml$/, `${f} is not needed by the installed tool`);
  assert.equal(path.basename(tarball), `feed-digest-${pkg.version}.tgz`);
});

test('the Action\'s install script runs npm install --omit=dev of the tarball in an empty folder: no dev tooling, --version prints the version', async () => {
  await mkdir(site);
  const env = githubEnv('install');
  const installed = await timed('npm install --omit=dev (Action install script)', () =>
    run('bash', ['-c', script('install')], { cwd: work, env: { ...process.env, ...env, RUNNER_TEMP: work, GITHUB_ACTION_PATH: REPO_ROOT, FEED_DIGEST_VERSION: tarball } }),
  );
  const { bin } = readGithubOutput(await readFile(env.GITHUB_OUTPUT, 'utf8'));
  assert.equal(bin, path.join(site, 'node_modules', '.bin', 'feed-digest'));
  assert.match(installed.stdout, new RegExp(`^feed-digest ${pkg.version.replaceAll('.', '\\.')} `, 'm'));
  const modules = await readdir(path.join(site, 'node_modules'));
  for (const dev of ['tsx', 'esbuild', 'typescript', 'dts-bundle-generator', '@types']) assert.ok(!modules.includes(dev), `${dev} is not installed`);
  assert.ok(modules.includes('sharp') && modules.includes('@11ty'));
  const { stdout } = await run('npx', ['--', 'feed-digest', '--version'], { cwd: site });
  assert.equal(stdout.trim(), pkg.version);
});

test('npx feed-digest init scaffolds the site beside it, keeping the package.json npm wrote', async () => {
  const opml = path.join(work, 'subscriptions.opml');
  await writeFile(
    opml,
    `<?xml version="1.0"?><opml version="2.0"><body><outline text="Science" xmlUrl="${server.origin}/science-rdf.xml"/><outline text="中文" xmlUrl="${server.origin}/zh-news-gbk.xml"/></body></opml>`,
  );
  const { stdout } = await run('npx', ['feed-digest', 'init', '--opml', opml, '--site-url', `${server.origin}/news/`, '--language', 'en'], { cwd: site });
  assert.match(stdout, /= package\.json: exists, left as it is/);
  assert.match(stdout, /\+ feeds\.json \(2 feeds from/);
  const config = JSON.parse(await readFile(path.join(site, 'feeds.json'), 'utf8'));
  assert.equal(config.feeds.length, 2);
  await stat(path.join(site, config.$schema)); // the installed package's schema, found where $schema says
  // What a user edits next: here, images on the loopback server may be fetched.
  config.fetch = { allowPrivateNetworks: true };
  await writeFile(path.join(site, 'feeds.json'), JSON.stringify(config, null, 2));
  const workflow = parse(await readFile(path.join(site, '.github', 'workflows', 'digest.yml'), 'utf8'));
  assert.equal(workflow.jobs.build.steps.find((s: { id?: string }) => s.id === 'digest').uses, `feed-digest/feed-digest@v${pkg.version}`);
});

test('the Action\'s build script builds the site from the loopback feeds, with outputs and a step summary', async () => {
  const bin = path.join(site, 'node_modules', '.bin', 'feed-digest');
  // Build, as the Action runs it (its timeout and the options from its inputs).
  const env = githubEnv('build');
  const built = await timed('Action build', () =>
    run('bash', ['-c', script('build')], {
      cwd: site,
      env: { ...process.env, ...env, FEED_DIGEST: bin, CONFIG: 'feeds.json', OUT: '_site', STRICT: 'true', BUILD_TIMEOUT_MINUTES: '5' },
    }),
  );
  assert.match(built.stderr, /Site written to/);
  const outputs = readGithubOutput(await readFile(env.GITHUB_OUTPUT, 'utf8'));
  assert.equal(outputs['site-dir'], path.join(site, '_site'));
  assert.equal(outputs['feeds-failed'], '0');
  assert.ok(Number(outputs['articles-new']) > 0);
  assert.equal(outputs['articles-total'], outputs['articles-new'], 'a first build: every article is new');
  assert.match(await readFile(env.GITHUB_STEP_SUMMARY, 'utf8'), /## Feed digest/);

  // The site: every article, its page, the GBK feed decoded, images as WebP.
  const out = outputs['site-dir']!;
  const all = JSON.parse(await readFile(path.join(out, 'api', 'all.json'), 'utf8')) as { items: { id: string; title: string }[] };
  assert.equal(all.items.length, Number(outputs['articles-total']));
  for (const item of all.items) await stat(path.join(out, 'articles', item.id, 'index.html'));
  assert.ok(all.items.some((i) => /[\u4e00-\u9fff]/.test(i.title)), 'the GBK feed\'s Chinese titles');
  const webp = (await readdir(path.join(out, 'img'), { recursive: true })).filter((f) => f.endsWith('.webp'));
  assert.ok(webp.length > 0, 'images converted by sharp as installed');
  const home = await readFile(path.join(out, 'index.html'), 'utf8');
  assert.match(home, /href="\/news\/articles\//, 'links under the site.url path');
});

test('the programmatic API loads from the installed package, and its types check for a consumer', async (t) => {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', "import { loadConfig, version, build } from 'feed-digest'; const c = await loadConfig('feeds.json'); console.log(version, c.feeds.length, typeof build);"],
    { cwd: site },
  );
  assert.equal(stdout.trim(), `${pkg.version} 2 function`);

  await writeFile(
    path.join(site, 'consumer.mts'),
    `import { build, loadConfig, ConfigError, version, type BuildOptions, type BuildReport, type Config, type FeedConfig } from 'feed-digest';
const config: Config = await loadConfig('feeds.json');
const feeds: FeedConfig[] = config.feeds;
const options: BuildOptions = { config: 'feeds.json', out: '_site', cache: '.cache', restoreFrom: false };
const report: BuildReport = (await build(options)).report;
const failed: number = report.totals.feeds.failed + feeds.length;
const v: string = version;
let where: string | null = null;
try { await loadConfig('missing.json'); } catch (err) { if (err instanceof ConfigError) where = err.file; }
export const seen = [where, failed, v];
// @ts-expect-error test hooks are not part of the public options
const hooked: BuildOptions = { ...options, http: { retryBaseMs: 1 } };
void hooked;
`,
  );
  await writeFile(path.join(site, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, types: [] }, files: ['consumer.mts'] }));
  await timed('tsc (consumer)', () => run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: site }));
  // The figures for the README and for keeping this file lean.
  t.diagnostic(`package: ${timings.join(', ')}`);
});
