/**
 * One build per cache: a second build on the same --cache stops at once
 * with a clear message and exit code 1, before writing anything; a lock
 * left by a killed build is taken over; when several builds find the same
 * stale lock at once, exactly one of them gets it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { build } from '../../src/build.ts';
import { acquireLock, LockedError } from '../../src/io/lock.ts';
import { thisMachine } from '../../src/io/process-identity.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';
import { brokenJsonFiles, closeServer, listFiles, listen, rss, runCli } from './corpus.ts';

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** Feeds that answer only once `open()` is called: a build holds the lock for as long as the test needs. */
async function gatedFeeds(t: { after(fn: () => unknown): void }): Promise<{ origin: string; open(): void }> {
  let origin = '';
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const server = http.createServer((req, res) => {
    const n = Number(/\/(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? 0);
    const items = [1, 2, 3].map((k) => ({ title: `Feed ${n} item ${k}`, link: `http://example.com/${n}/${k}` }));
    void gate.then(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`Feed ${n}`, items, `${origin}/`)));
  });
  origin = await listen(server);
  t.after(() => {
    open();
    return closeServer(server);
  });
  return { origin, open };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 12_000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting: ${what}`);
}

test('a second build on the same cache stops at once with a clear message and exit code 1, having written nothing', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  const feeds = await gatedFeeds(t);
  const config = path.join(dir, 'feeds.json');
  await writeFile(config, JSON.stringify({ site: { url: 'http://localhost:8080/' }, feeds: [0, 1, 2, 3].map((n) => ({ id: `f${n}`, url: `${feeds.origin}/${n}.xml` })) }));

  const first = runCli(['build', '--config', config, '--out', path.join(dir, 'site-1'), '--cache', cache, '--quiet'], { ...process.env, CI: '1' });
  const lockFile = path.join(cache, 'build.lock');
  await until(() => existsSync(lockFile), 'the first build takes the lock');
  const holder = JSON.parse(await readFile(lockFile, 'utf8'));
  assert.equal(holder.pid, first.child.pid, 'the lock names the first build');

  // The first build is waiting for its feeds while the second one starts.
  const secondResult = await runCli(['build', '--config', config, '--out', path.join(dir, 'site-2'), '--cache', cache], { ...process.env, CI: '1' }).done;
  feeds.open();
  const firstResult = await first.done;
  assert.equal(secondResult.code, 1, secondResult.stderr);
  assert.match(secondResult.stderr, new RegExp(`is in use by another build \\(pid ${first.child.pid}, since \\d{4}-`));
  assert.match(secondResult.stderr, /build\.lock/, 'it names the lock file');
  assert.doesNotMatch(secondResult.stderr, /\n\s+at /, 'a message, not a stack trace');
  assert.ok(!existsSync(path.join(dir, 'site-2')) && !existsSync(path.join(dir, 'site-2.partial')), 'the second build wrote no site');

  assert.equal(firstResult.code, 0, firstResult.stderr);
  assert.ok(!existsSync(lockFile), 'the first build released the lock');
  assert.deepEqual(await brokenJsonFiles(cache), []);
  const state = JSON.parse(await readFile(path.join(cache, 'state', 'status.json'), 'utf8'));
  assert.deepEqual(Object.keys(state.feeds).sort(), ['f0', 'f1', 'f2', 'f3']);

  // In one process: a second build() on the same cache is refused too.
  const inProcess = await gatedFeeds(t);
  await writeFile(config, JSON.stringify({ site: { url: 'http://localhost:8080/' }, feeds: [{ id: 'f0', url: `${inProcess.origin}/0.xml` }] }));
  const a = build({ config, out: path.join(dir, 'a'), cache, quiet: true });
  await until(() => existsSync(lockFile), 'the in-process build takes the lock');
  await assert.rejects(build({ config, out: path.join(dir, 'b'), cache, quiet: true }), LockedError);
  inProcess.open();
  await a;
  t.diagnostic('reliability: concurrent builds on one cache tried 2, interleaved writes 0');
});

test('a lock left by a killed build is taken over; several builds finding it at once: exactly one wins', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  await mkdir(cache, { recursive: true });
  const lockFile = path.join(cache, 'build.lock');
  const stale = JSON.stringify({ pid: deadPid(), host: os.hostname(), since: '2024-01-01T00:00:00.000Z', token: 'dead' });

  // Several processes race for the same stale lock: each loads the lock module, says it is ready,
  // waits for "go", then tries. The winner holds the lock until the test says "release", so a
  // latecomer cannot win after it; the others must be told it is locked.
  const contenders = 6;
  const sync = path.join(dir, 'sync');
  const script = `
    const { existsSync, writeFileSync } = await import('node:fs');
    const { acquireLock } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src', 'io', 'lock.ts'))});
    const [sync, me] = process.argv.slice(1);
    writeFileSync(sync + '/ready-' + me, '');
    while (!existsSync(sync + '/go')) await new Promise((r) => setTimeout(r, 1));
    try {
      const lock = await acquireLock(${JSON.stringify(cache)});
      process.stdout.write('won');
      while (!existsSync(sync + '/release')) await new Promise((r) => setTimeout(r, 5));
      await lock.release();
    } catch (err) {
      process.stdout.write(err.name === 'LockedError' ? 'locked' : 'error: ' + err.message);
    }`;
  for (const round of [1, 2, 3]) {
    await rm(sync, { recursive: true, force: true });
    await mkdir(sync);
    await writeFile(lockFile, stale);
    const outputs: string[] = Array(contenders).fill('');
    const runs = Array.from({ length: contenders }, (_, i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, sync, String(i)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => (outputs[i] += c.toString()));
      child.stderr.on('data', (c: Buffer) => (outputs[i] += c.toString()));
      return new Promise<void>((resolve) => child.on('close', () => resolve()));
    });
    await until(() => readdirSync(sync).filter((f) => f.startsWith('ready-')).length === contenders, 'every contender is ready');
    await writeFile(path.join(sync, 'go'), '');
    // Everyone has answered: one holds the lock, the others were refused.
    await until(() => outputs.every((o) => o !== ''), 'every contender has answered');
    await new Promise((r) => setTimeout(r, 100));
    await writeFile(path.join(sync, 'release'), '');
    await Promise.all(runs);
    assert.equal(outputs.filter((r) => r === 'won').length, 1, `round ${round}: exactly one winner: ${JSON.stringify(outputs)}`);
    assert.equal(outputs.filter((r) => r === 'locked').length, contenders - 1, `round ${round}: the others are told it is locked: ${JSON.stringify(outputs)}`);
    assert.ok(!existsSync(lockFile), 'the winner released it');
  }
  assert.deepEqual((await listFiles(cache)).filter((f) => f.includes('build.lock')), [], 'no temp or takeover files left');

  // An in-process acquire after a stale lock from an earlier process with this very pid (pids are reused in containers).
  await writeFile(lockFile, JSON.stringify({ pid: process.pid, host: os.hostname(), since: '2024-01-01T00:00:00.000Z', token: 'previous-life' }));
  const lock = await acquireLock(cache);
  await assert.rejects(acquireLock(cache), /in use by another build/);
  await lock.release();
  assert.ok(!existsSync(lockFile));
  // A lock left empty or unreadable by a crash is stale too.
  await writeFile(lockFile, '');
  await (await acquireLock(cache)).release();
  t.diagnostic(`reliability: stale-lock races tried 3 × ${contenders} processes, double owners 0`);
});

/** A lock as a build on `machine` wrote it, its heartbeat `ageMs` old. */
function lockFrom(fields: Record<string, unknown>, ageMs: number): string {
  const beat = new Date(Date.now() - ageMs).toISOString();
  return JSON.stringify({ version: 2, since: beat, heartbeat: beat, token: 'other', ...fields });
}

test("another machine's lock: taken over once its heartbeat is stale, respected while it is fresh", async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  await mkdir(cache, { recursive: true });
  const lockFile = path.join(cache, 'build.lock');
  // A cancelled CI run's cache, restored an hour later on a new runner.
  await writeFile(lockFile, lockFrom({ pid: 3037, host: 'runner-10', bootId: 'b-10', pidNamespace: 'pid:[1]', startTime: '5' }, 3600_000));
  const lock = await acquireLock(cache);
  assert.match(lock.tookOver ?? '', /took over .*build\.lock from a build that is gone \(pid 3037 on runner-10, since .*\): no heartbeat for 60 min/);
  await lock.release();

  // The same lock a minute old: a build on a shared disk that may be running now.
  await writeFile(lockFile, lockFrom({ pid: 3037, host: 'runner-10', bootId: 'b-10', pidNamespace: 'pid:[1]', startTime: '5' }, 60_000));
  await assert.rejects(acquireLock(cache), /in use by another build \(pid 3037 on runner-10, since .*; its heartbeat is 60 s old \(it is taken over once 3 min old\)\)/);
  // A heartbeat far in the future comes from a broken clock, not a live build.
  await writeFile(lockFile, lockFrom({ pid: 3037, host: 'runner-10' }, -3600_000));
  await (await acquireLock(cache)).release();
  // The same host name after a reboot (another boot id) is another machine too.
  await writeFile(lockFile, lockFrom({ pid: process.pid, host: os.hostname(), bootId: 'an-earlier-boot', startTime: '1' }, 600_000));
  await (await acquireLock(cache)).release();
});

test('a live build keeps its heartbeat fresh, and a build killed on another machine is taken over by the next one with a warning', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  const lockFile = path.join(cache, 'build.lock');
  let now = Date.parse('2026-11-02T10:00:00Z');
  const lock = await acquireLock(cache, { clock: () => now, heartbeatMs: 20 });
  const first = JSON.parse(await readFile(lockFile, 'utf8'));
  now += 60_000;
  await until(() => JSON.parse(readFileSync(lockFile, 'utf8')).heartbeat !== first.heartbeat, 'a heartbeat');
  assert.equal(JSON.parse(await readFile(lockFile, 'utf8')).heartbeat, '2026-11-02T10:01:00.000Z');
  // Its heartbeat never writes over another build's lock (it was judged gone and taken over).
  await writeFile(lockFile, lockFrom({ pid: 1, host: 'elsewhere', token: 'theirs' }, 0));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(JSON.parse(await readFile(lockFile, 'utf8')).token, 'theirs');
  await lock.release();
  assert.ok(existsSync(lockFile), "release leaves another build's lock alone");
  await rm(lockFile);

  // A build process on "runner-1" is SIGKILLed holding the lock; "runner-2" starts an hour later (in its clock).
  const script = `
    const { acquireLock } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src', 'io', 'lock.ts'))});
    await acquireLock(${JSON.stringify(cache)}, { clock: () => Date.parse('2026-11-02T10:00:00Z') });
    process.stdout.write('locked');
    setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, FEED_DIGEST_TEST_MACHINE: 'runner-1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let said = '';
  holder.stdout.on('data', (c: Buffer) => (said += c.toString()));
  await until(() => said === 'locked', 'runner-1 holds the lock');
  holder.kill('SIGKILL');
  await new Promise((r) => holder.on('close', r));
  process.env.FEED_DIGEST_TEST_MACHINE = 'runner-2';
  try {
    await assert.rejects(acquireLock(cache, { clock: () => Date.parse('2026-11-02T10:01:00Z') }), /on runner-1/, 'a minute later it may still be running');
    const next = await acquireLock(cache, { clock: () => Date.parse('2026-11-02T11:00:00Z') });
    assert.match(next.tookOver ?? '', /on runner-1.*no heartbeat for 60 min/);
    await next.release();
  } finally {
    delete process.env.FEED_DIGEST_TEST_MACHINE;
  }
});

test('on this machine: a zombie holder and a reused pid are gone, a live holder is respected', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, '.cache');
  await mkdir(cache, { recursive: true });
  const lockFile = path.join(cache, 'build.lock');
  const me = thisMachine();
  const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8');
  const startTime = (pid: number) => stat(pid).slice(stat(pid).lastIndexOf(')') + 2).split(' ')[19];

  // A zombie: the background sleep exits, and its parent (exec'd into another sleep) never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => parent.kill('SIGKILL'));
  const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (c: Buffer) => resolve(c.toString()))));
  await until(() => stat(zombie).slice(stat(zombie).lastIndexOf(')') + 2).startsWith('Z'), 'the child is a zombie');
  assert.doesNotThrow(() => process.kill(zombie, 0), 'kill(pid, 0) says a zombie is alive');
  await writeFile(lockFile, lockFrom({ ...me, pid: zombie, startTime: startTime(zombie) }, 0));
  const lock = await acquireLock(cache);
  assert.match(lock.tookOver ?? '', new RegExp(`process ${zombie} is a zombie`));
  await lock.release();

  // A live process with the holder's pid but another start time: the pid was reused.
  const live = spawn('sleep', ['30']);
  t.after(() => live.kill('SIGKILL'));
  await until(() => existsSync(`/proc/${live.pid}/stat`), 'the process runs');
  await writeFile(lockFile, lockFrom({ ...me, pid: live.pid, startTime: '1' }, 0));
  const reused = await acquireLock(cache);
  assert.match(reused.tookOver ?? '', new RegExp(`pid ${live.pid} now belongs to another process`));
  await reused.release();

  // The same process with its own start time: alive, even with a heartbeat an hour old (it may be stuck, not gone).
  await writeFile(lockFile, lockFrom({ ...me, pid: live.pid, startTime: startTime(live.pid!) }, 3600_000));
  await assert.rejects(acquireLock(cache), new RegExp(`in use by another build \\(pid ${live.pid}, since .*; process ${live.pid} is running\\)`));
  await rm(lockFile);
});
