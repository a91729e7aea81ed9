/**
 * The shipped GitHub Actions workflows and the Action (action.yml): they
 * parse as YAML and have the parts a scheduled Pages deploy needs (the
 * archive cache restored, saved always under a new key, the site deployed
 * only after a successful build, one run at a time, timeouts in the right
 * order); every feed-digest command they run is one the CLI knows; and the
 * shard-pushing script, run for real against a local bare repository,
 * pushes each new shard once as an orphan tag. The Action's scripts run for
 * real in test/package/package.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const WORKFLOWS = path.join(REPO_ROOT, '.github', 'workflows');

interface Step {
  name?: string;
  id?: string;
  shell?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'timeout-minutes'?: number;
}
interface Job {
  needs?: string | string[];
  'runs-on': string;
  'timeout-minutes'?: number;
  strategy?: { matrix: Record<string, unknown[]> };
  environment?: { name: string; url?: string };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: { schedule: { cron: string }[]; workflow_dispatch: unknown };
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

async function workflow(name: string): Promise<Workflow> {
  return parse(await readFile(path.join(WORKFLOWS, name), 'utf8')) as Workflow;
}

async function action(): Promise<Action> {
  return parse(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
}

const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));
const runs = (job: Job, text: string | RegExp) => job.steps.filter((s) => s.run && (typeof text === 'string' ? s.run.includes(text) : text.test(s.run)));
const needs = (job: Job) => [job.needs ?? []].flat();

function checkTrigger(wf: Workflow) {
  assert.equal(wf.on.schedule.length, 1);
  assert.match(wf.on.schedule[0]!.cron, /^\d{1,2} \* \* \* \*$/, 'hourly');
  assert.ok('workflow_dispatch' in wf.on, 'can be run by hand');
  assert.equal(wf.permissions.pages, 'write');
  assert.equal(wf.permissions['id-token'], 'write');
  assert.ok(wf.concurrency.group, 'a concurrency group');
  assert.equal(wf.concurrency['cancel-in-progress'], false, 'a running build is never cancelled half-way');
}

/** The job's timeout leaves the Action's own build timeout room to stop the build and save the cache first. */
function checkTimeouts(job: Job, a: Action) {
  const jobMinutes = job['timeout-minutes'];
  const buildMinutes = Number(a.inputs['build-timeout-minutes']!.default);
  assert.ok(Number.isInteger(jobMinutes) && Number.isInteger(buildMinutes), 'both are set');
  assert.ok(jobMinutes! >= buildMinutes + 5, `job ${jobMinutes} min > build ${buildMinutes} min + set-up and save`);
}

function checkSetup(job: Job) {
  const [checkout] = uses(job, 'actions/checkout');
  const [node] = uses(job, 'actions/setup-node');
  assert.ok(checkout && node);
  assert.equal(String(node.with?.['node-version']), '20');
  assert.equal(runs(job, /^npm ci\s*$/).length, 1, 'npm ci');
}

/**
 * actions/cache restore + save of the same paths, a new key each run and
 * attempt, restored by prefix; the save runs even when the build failed.
 */
function checkCache(job: Pick<Job, 'steps'>, dirs: string[], build: Step) {
  const [restore] = uses(job as Job, 'actions/cache/restore');
  const [save] = uses(job as Job, 'actions/cache/save');
  assert.ok(restore && save, 'the cache is restored and saved');
  const lines = (v: unknown) => String(v).split('\n').map((l) => l.trim()).filter(Boolean);
  assert.deepEqual(lines(restore.with?.path), dirs);
  assert.deepEqual(lines(save.with?.path), dirs);
  const key = String(save.with?.key);
  assert.match(key, /\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/, 'each run and each attempt saves a new cache (keys are immutable)');
  assert.ok(key.startsWith(String(restore.with?.['restore-keys'])), 'the newest cache is found by its prefix');
  assert.match(save.if ?? '', /always\(\)/, 'saved even when the build failed, so its progress is kept');
  const order = (s: Step) => job.steps.indexOf(s);
  assert.ok(order(restore) < order(build) && order(build) < order(save), 'restore, build, save');
}

function checkPages(wf: Workflow, producer: string, site = '_site') {
  const job = wf.jobs[producer]!;
  const [upload] = uses(job, 'actions/upload-pages-artifact');
  assert.equal(upload?.with?.path, site);
  const deployJob = Object.values(wf.jobs).find((j) => uses(j, 'actions/deploy-pages').length > 0)!;
  assert.ok(deployJob, 'deploy-pages');
  assert.deepEqual(needs(deployJob), [producer]);
  assert.equal(deployJob.environment?.name, 'github-pages');
  // No branch pushes: nothing runs git push to a branch.
  for (const j of Object.values(wf.jobs)) for (const s of j.steps) assert.doesNotMatch(s.run ?? '', /push\s+(-f|--force)|gh-pages/);
}

test('action.yml: a composite Action with the documented inputs and outputs; Node, install, archive cache around the build', async () => {
  const a = await action();
  assert.equal(a.runs.using, 'composite');
  assert.ok(a.name && a.description);
  assert.deepEqual(Object.keys(a.inputs), ['config', 'out', 'cache-key-prefix', 'strict', 'node-version', 'feed-digest-version', 'build-timeout-minutes']);
  for (const [name, input] of Object.entries(a.inputs)) assert.ok(input.description, `input ${name} is described`);
  assert.equal(a.inputs.config!.default, 'feeds.json');
  assert.equal(a.inputs.out!.default, '_site');
  assert.equal(a.inputs['node-version']!.default, '20');
  assert.deepEqual(Object.keys(a.outputs), ['site-dir', 'articles-new', 'articles-total', 'feeds-failed']);
  const build = a.runs.steps.find((s) => s.id === 'build')!;
  assert.ok(build?.run, 'the build step');
  for (const [name, output] of Object.entries(a.outputs)) {
    assert.ok(output.description, `output ${name} is described`);
    assert.equal(output.value, `\${{ steps.build.outputs.${name} }}`, `output ${name} comes from the build step, which the CLI writes`);
  }
  for (const s of a.runs.steps) if (s.run) assert.equal(s.shell, 'bash', `${s.name}: a composite run step names its shell`);
  for (const s of a.runs.steps) assert.doesNotMatch(s.run ?? '', /\$\{\{/, `${s.name}: inputs reach scripts through env, never pasted into the script`);
  const [node] = uses({ steps: a.runs.steps } as Job, 'actions/setup-node');
  assert.equal(node?.with?.['node-version'], '${{ inputs.node-version }}');
  checkCache({ steps: a.runs.steps }, ['.cache', '${{ inputs.out }}'], build);
  const [restore] = uses({ steps: a.runs.steps } as Job, 'actions/cache/restore');
  assert.equal(restore!.with!['restore-keys'], '${{ inputs.cache-key-prefix }}');
  const install = a.runs.steps.find((s) => s.id === 'install')!;
  assert.ok(a.runs.steps.indexOf(install) < a.runs.steps.indexOf(build));
  assert.equal(build.env?.FEED_DIGEST, '${{ steps.install.outputs.bin }}');
});

/**
 * After the Action's step: the archive of a cancelled run is saved (GitHub
 * skips the Action's own save then), under the Action's key; every other
 * step runs only when the build succeeded, so a failed build is not deployed.
 */
function checkAfterBuild(job: Job, digest: Step) {
  const after = job.steps.slice(job.steps.indexOf(digest) + 1);
  const cancelSave = after.find((s) => s.if === 'cancelled()');
  assert.ok(cancelSave?.uses?.startsWith('actions/cache/save@'), 'a cancelled run saves its archive');
  if (!cancelSave) return;
  assert.equal(String(cancelSave.with?.key), 'feed-digest-${{ github.run_id }}-${{ github.run_attempt }}', "the Action's key (its default prefix)");
  assert.deepEqual(String(cancelSave.with?.path).trim().split('\n'), ['.cache', '_site']);
  for (const s of after.filter((x) => x !== cancelSave)) assert.doesNotMatch(s.if ?? '', /always\(\)|failure\(\)|cancelled\(\)/, `${s.name}`);
}

test('digest.yml: hourly; this repository\'s Action builds; the site is uploaded and deployed only after it, one run at a time', async () => {
  const wf = await workflow('digest.yml');
  checkTrigger(wf);
  const job = wf.jobs.build!;
  const [checkout] = uses(job, 'actions/checkout');
  const digest = job.steps.find((s) => s.uses === './')!;
  assert.ok(checkout && digest, 'checks out, then uses the Action in this repository');
  assert.ok(job.steps.indexOf(checkout) < job.steps.indexOf(digest));
  assert.equal(digest.with?.config, 'feeds.json');
  assert.equal(digest.if, undefined);
  const [upload] = uses(job, 'actions/upload-pages-artifact');
  assert.equal(upload?.with?.path, `\${{ steps.${digest.id}.outputs.site-dir }}`);
  checkAfterBuild(job, digest);
  assert.equal(runs(job, 'npx feed-digest assets').length, 1, 'lays out jsDelivr shards');
  checkPages(wf, 'build', upload!.with!.path as string);
  checkTimeouts(job, await action());
});

test('digest-matrix.yml: n fetch jobs with --shard, one merge-and-render job through artifacts', async () => {
  const wf = await workflow('digest-matrix.yml');
  checkTrigger(wf);
  const fetch = wf.jobs.fetch!;
  checkSetup(fetch);
  checkCache(fetch, ['state'], runs(fetch, 'exec node bin/feed-digest.js build')[0]!);
  const shards = fetch.strategy!.matrix.shard!;
  assert.ok(shards.length >= 2);
  assert.deepEqual(shards, shards.map((_, i) => i + 1), 'shards are numbered 1..n');
  assert.match(runs(fetch, 'exec node bin/feed-digest.js build')[0]!.run!, /--shard \$\{\{ matrix\.shard \}\}\/\$\{\{ strategy\.job-total \}\}/);
  assert.match(String(fetch.steps.find((s) => s.uses?.startsWith('actions/cache/restore@'))!.with!.key), /matrix\.shard/, 'one cache per shard');
  const [upload] = uses(fetch, 'actions/upload-artifact');
  assert.match(String(upload?.with?.name), /matrix\.shard/);

  const render = wf.jobs.render!;
  assert.deepEqual(needs(render), ['fetch']);
  checkSetup(render);
  const [download] = uses(render, 'actions/download-artifact');
  assert.ok(download);
  const dir = String(download.with?.path);
  const [merge] = runs(render, 'exec node bin/feed-digest.js merge');
  assert.match(merge!.run!, new RegExp(`merge ${dir}/\\*`));
  const [rendering] = runs(render, 'exec node bin/feed-digest.js render');
  checkCache(render, ['.cache', '_site'], rendering!);
  assert.ok(render.steps.indexOf(download) < render.steps.indexOf(merge!) && render.steps.indexOf(merge!) < render.steps.indexOf(rendering!));
  checkPages(wf, 'render');
  // GitHub signals only the step's own process on cancel or timeout: that must be feed-digest, and its step stops before the job does.
  for (const step of [runs(fetch, 'bin/feed-digest.js')[0]!, merge!, rendering!]) {
    assert.match(step.run!, /^exec node bin\/feed-digest\.js /, `${step.name}: the signal reaches feed-digest`);
    assert.ok(Number(step['timeout-minutes']) > 0, `${step.name}: a step timeout`);
  }
  assert.ok(Number(fetch['timeout-minutes']) >= Number(runs(fetch, 'bin/feed-digest.js')[0]!['timeout-minutes']) + 5);
});

test('every feed-digest command in the workflows is one the CLI documents', async () => {
  // The help text, as `feed-digest help` prints it (in-process: a child process costs seconds).
  const { main } = await import('../../src/cli.ts');
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    assert.equal(await main(['help']), 0);
  } finally {
    process.stdout.write = write;
  }
  const help = chunks.join('');
  for (const name of ['digest.yml', 'digest-matrix.yml']) {
    const wf = await workflow(name);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) {
        for (const [, command, args] of (step.run ?? '').matchAll(/(?:npx feed-digest|bin\/feed-digest\.js) (\w+)([^\n]*)/g)) {
          assert.match(help, new RegExp(`feed-digest ${command}\\b`), `${name}: "${command}" is a command`);
          for (const [option] of args!.matchAll(/--[a-z-]+/g)) assert.ok(help.includes(option), `${name}: ${command} ${option} is documented`);
        }
      }
    }
  }
  // The Action builds its command line in a bash array: args=(build --config …) and args+=(--strict).
  const build = (await action()).runs.steps.find((s) => s.id === 'build')!.run!;
  const args = [...build.matchAll(/args\+?=\(([^)]*)\)/g)].map((m) => m[1]!).join(' ');
  assert.match(args, /^build /, 'action.yml runs feed-digest build');
  const options = [...args.matchAll(/--[a-z-]+/g)].map((m) => m[0]);
  assert.deepEqual(options, ['--config', '--out', '--cache', '--strict']);
  for (const option of options) assert.ok(help.includes(option), `action.yml: build ${option} is documented`);
});

test('the workflow init writes: hourly, one run at a time, the Action\'s site deployed, timeouts in order', async () => {
  const wf = parse(await readFile(path.join(REPO_ROOT, 'scaffold', 'digest.yml'), 'utf8')) as Workflow;
  checkTrigger(wf);
  assert.equal(wf.permissions.contents, 'read', 'a site repository pushes nothing');
  const job = wf.jobs.build!;
  const digest = job.steps.find((s) => s.id === 'digest')!;
  assert.equal(digest.uses, '__ACTION__', 'init fills in the Action');
  checkAfterBuild(job, digest);
  checkPages(wf, 'build', '${{ steps.digest.outputs.site-dir }}');
  checkTimeouts(job, await action());
});

test('the shard push step pushes each new shard once, as an orphan tag holding only that shard', async (t) => {
  const dir = await tempDir(t);
  const remote = path.join(dir, 'assets.git');
  await run('git', ['init', '-q', '--bare', remote]);
  const wf = await workflow('digest.yml');
  const script = wf.jobs.build!.steps.find((s) => s.name === 'Push new image shards')!.run!;
  const work = path.join(dir, 'work');
  const shard = async (ref: string, files: Record<string, string>) => {
    for (const [p, body] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(work, '_assets', ref, p)), { recursive: true });
      await writeFile(path.join(work, '_assets', ref, p), body);
    }
  };
  await mkdir(path.join(work, '_assets'), { recursive: true });
  await writeFile(path.join(work, '_assets', 'manifest.json'), JSON.stringify({ version: 1, repo: 'me/digest-assets', shards: [], files: {} }));
  await shard('assets-00001', { 'img/aa/aa1-480.webp': 'one', 'img/ab/ab2-480.webp': 'two' });
  const env = { ...process.env, ASSETS_REMOTE: remote, ASSETS_TOKEN: 'unused' };
  const first = await run('bash', ['-c', script], { cwd: work, env });
  assert.match(first.stdout, /pushed assets-00001/);

  // Next run: the layout is written afresh with one more shard; only the new one is pushed.
  await run('rm', ['-rf', path.join(work, '_assets', 'assets-00001', '.git')]);
  await shard('assets-00002', { 'img/cc/cc3-960.webp': 'three' });
  const second = await run('bash', ['-c', script], { cwd: work, env });
  assert.doesNotMatch(second.stdout, /assets-00001/, 'an existing tag is never pushed again');
  assert.match(second.stdout, /pushed assets-00002/);

  const git = (...args: string[]) => run('git', ['--git-dir', remote, ...args]).then((r) => r.stdout.trim());
  assert.deepEqual((await git('tag', '--list')).split('\n'), ['assets-00001', 'assets-00002']);
  assert.deepEqual((await git('ls-tree', '-r', '--name-only', 'assets-00001')).split('\n'), ['img/aa/aa1-480.webp', 'img/ab/ab2-480.webp']);
  assert.deepEqual((await git('ls-tree', '-r', '--name-only', 'assets-00002')).split('\n'), ['img/cc/cc3-960.webp'], 'a tag holds only its shard');
  assert.equal(await git('rev-list', '--count', 'assets-00002'), '1', 'an orphan commit: no history to grow');
  assert.equal(await git('show', 'assets-00001:img/aa/aa1-480.webp'), 'one');
  assert.equal(await git('branch', '--list'), '', 'no branch is pushed');
});

test('the README documents the Action as action.yml declares it, at this version', async () => {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const a = await action();
  const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.match(readme, new RegExp(`uses: feed-digest/feed-digest@v${version.replaceAll('.', '\\.')}\\n`), 'the snippet names this version');
  const table = (header: string) => {
    const start = readme.indexOf(header);
    assert.ok(start >= 0, header);
    const rows = readme.slice(start).split('\n').slice(2);
    return rows.slice(0, rows.findIndex((l) => !l.startsWith('|'))).map((l) => l.split('|').map((c) => c.trim()));
  };
  const inputs = table('| input | default | meaning |').map(([, name, def]) => [name!.replaceAll('`', ''), def!.replaceAll('`', '')]);
  assert.deepEqual(inputs, Object.entries(a.inputs).map(([name, input]) => [name, input.default === '' ? 'empty' : input.default]));
  const outputs = table('| output | meaning |').flatMap(([, names]) => names!.split(',').map((n) => n.trim().replaceAll('`', '')));
  assert.deepEqual(outputs, Object.keys(a.outputs));
});
