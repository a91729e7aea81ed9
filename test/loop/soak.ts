/**
 * A soak of the hourly loop, as `.github/workflows/digest.yml` runs it on
 * GitHub Actions: every hour a fresh runner (a new work folder and a new
 * machine identity), the newest saved cache restored, `feed-digest build`,
 * the cache saved whatever happened (`if: always()`), and the site deployed
 * only when the build exited 0. The deployed site is served on loopback as
 * site.url, so a build whose cache was evicted restores from it.
 *
 * Faults, at seeded random moments: cancelled runs (SIGINT, SIGTERM 7.5 s
 * later, SIGKILL 2.5 s after that, as GitHub does), SIGKILL (a timeout or
 * the OOM killer), cache eviction, a dispatched run overlapping a scheduled
 * one on another runner, a feed down for hours, the publisher's server down
 * for a run, the deployed site answering 500 during a restore (briefly, and
 * for a whole run).
 *
 * What must hold: every run that was not itself killed deploys (but the one
 * whose restore source is down: it must refuse, not publish less); nothing
 * ever deployed disappears from a later deployed site; the final site holds
 * every article ever published; no run after a fault is stuck.
 */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { rng } from '../../bench/corpus.ts';
import { REPO_ROOT } from '../support/tmp.ts';
import { articleIds, EPOCH, HOUR, md5, startDeployedSite, startPublisher } from './world.ts';

export type Fault =
  /** Cancelled while it runs (holding the cache), at a random moment of its work. */
  | 'cancel'
  /** Killed while it runs (holding the cache), at a random moment of its work. */
  | 'sigkill'
  /** Cancelled at a random moment from its start, perhaps before it took the cache. */
  | 'early-cancel'
  /** Killed at a random moment from its start. */
  | 'early-sigkill'
  | 'evict'
  | 'overlap'
  | 'feed-down'
  | 'publisher-down'
  | 'site-500-briefly'
  | 'site-down-during-restore';

export interface RunRecord {
  n: number;
  hour: number;
  runner: string;
  /** Faults acting on this run. */
  faults: Fault[];
  code: number | null;
  signal: string | null;
  /** A signal was sent before the build exited on its own. */
  killed: boolean;
  deployed: boolean;
  /** Not deploying is right for this run (killed, or its restore source was down). */
  excused: boolean;
  /** The cache it saved holds its lock (it was killed holding it). */
  leftLock: boolean;
  articles: number;
  ms: number;
  stderr: string;
  summary: string;
}

export interface SoakResult {
  runs: RunRecord[];
  figures: { runs: number; deployed: number; killed: number; refused: number; lost: number; stuck: number; published: number; final: number };
  problems: string[];
}

/**
 * The faults of each hour. The first 24 hours hold every kind at least
 * once, in an order that also combines them (a kill followed by an
 * eviction, an eviction with a flaky host); later hours draw at random.
 */
function plan(hours: number, rand: () => number): Map<number, Fault[]> {
  const fixed: [number, Fault[]][] = [
    [2, ['cancel']],
    [4, ['sigkill']],
    [6, ['evict']],
    [7, ['overlap']],
    [8, ['feed-down']],
    [10, ['publisher-down']],
    [13, ['evict', 'site-500-briefly']],
    [15, ['early-cancel']],
    [16, ['sigkill']],
    [18, ['evict']],
    [19, ['evict', 'site-down-during-restore']],
    [21, ['cancel', 'overlap']],
    [22, ['early-sigkill']],
  ];
  const faults = new Map<number, Fault[]>(fixed);
  const kinds: Fault[] = ['cancel', 'sigkill', 'early-cancel', 'early-sigkill', 'evict', 'overlap', 'publisher-down', 'site-500-briefly'];
  for (let h = 25; h < hours; h++) if (rand() < 0.4) faults.set(h, [kinds[Math.floor(rand() * kinds.length)]!]);
  return faults;
}

/** actions/cache: immutable entries, the newest restored first. */
class CacheStore {
  private saved: string[] = [];
  constructor(private readonly dir: string) {}
  async save(runner: string, key: string): Promise<void> {
    const entry = path.join(this.dir, key);
    await mkdir(entry, { recursive: true });
    for (const name of ['.cache', '_site']) {
      await cp(path.join(runner, name), path.join(entry, name), { recursive: true, preserveTimestamps: true }).catch(() => {});
    }
    this.saved.push(entry);
  }
  async restore(runner: string): Promise<boolean> {
    const newest = this.saved.at(-1);
    if (!newest) return false;
    for (const name of ['.cache', '_site']) {
      await cp(path.join(newest, name), path.join(runner, name), { recursive: true, preserveTimestamps: true }).catch(() => {});
    }
    return true;
  }
  async evict(): Promise<void> {
    for (const entry of this.saved) await rm(entry, { recursive: true, force: true });
    this.saved = [];
  }
}

export async function soak(options: { root: string; hours: number; seed: number; feeds?: number; log?: (line: string) => void }): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const rand = rng(options.seed);
  const faults = plan(options.hours, rand);
  const publisher = await startPublisher(options.feeds ?? 4);
  const deployedDir = path.join(options.root, 'deployed');
  await mkdir(deployedDir, { recursive: true });
  const site = await startDeployedSite(deployedDir);
  const caches = new CacheStore(path.join(options.root, 'caches'));
  const runs: RunRecord[] = [];
  const problems: string[] = [];
  const everDeployed = new Set<string>();
  let lost = 0;
  let n = 0;

  /** One workflow run on a fresh runner. */
  async function run(hour: number, runFaults: Fault[], startAt: number): Promise<RunRecord> {
    const id = n++;
    const runner = `runner-${id}`;
    const work = path.join(options.root, 'runs', runner);
    await mkdir(work, { recursive: true });
    if (runFaults.includes('evict')) await caches.evict();
    await caches.restore(work);
    const config = path.join(work, 'feeds.json');
    await writeFile(
      config,
      JSON.stringify({
        site: { title: 'Soak', url: site.url },
        fetch: { allowPrivateNetworks: true, timeoutSeconds: 10, feedDeadlineSeconds: 20 },
        feeds: publisher.feedIds.map((f) => ({ id: f, url: `${publisher.origin}/${f}.xml` })),
      }),
    );
    const summaryFile = path.join(work, 'summary.md');
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'feed-digest.js'), 'build', '--config', config, '--out', path.join(work, '_site'), '--cache', path.join(work, '.cache'), '--restore-from', site.url],
      {
        cwd: work,
        env: {
          ...process.env,
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_STEP_SUMMARY: summaryFile,
          FEED_DIGEST_TEST_MACHINE: runner,
          FEED_DIGEST_TEST_NOW: new Date(startAt).toISOString(),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let exited = false;
    const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('close', (code, signal) => {
        exited = true;
        resolve({ code, signal });
      }),
    );
    let killed = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
    const send = (signal: NodeJS.Signals) => {
      if (exited) return;
      killed = true;
      child.kill(signal);
    };
    // GitHub's cancel: SIGINT, SIGTERM 7.5 s later, then the process tree is killed.
    const cancel = () => {
      send('SIGINT');
      later(7_500, () => send('SIGTERM'));
      later(10_000, () => send('SIGKILL'));
    };
    const kill = () => send('SIGKILL');
    const early = 200 + rand() * 3800;
    const whileRunning = rand() * 1500;
    if (runFaults.includes('early-cancel')) later(early, cancel);
    if (runFaults.includes('early-sigkill')) later(early, kill);
    const fault = runFaults.includes('cancel') ? cancel : runFaults.includes('sigkill') ? kill : null;
    if (fault) {
      // While the build holds the cache: a random moment after it asks for its first feed
      // (fetching, converting images, sometimes writing the site).
      const seen = publisher.requests.length;
      const poll = setInterval(() => {
        if (exited) clearInterval(poll);
        else if (publisher.requests.slice(seen).some((p) => p.endsWith('.xml'))) {
          clearInterval(poll);
          later(whileRunning, fault);
        }
      }, 5);
      timers.push(poll);
    }
    const result = await done;
    for (const t of timers) clearTimeout(t);
    const ms = Date.now() - started;
    const leftLock = existsSync(path.join(work, '.cache', 'build.lock'));
    // if: always(): the cache is saved whatever the build did.
    await caches.save(work, `digest-${id}`);
    const deployed = result.code === 0;
    const record: RunRecord = {
      n: id,
      hour,
      runner,
      faults: runFaults,
      code: result.code,
      signal: result.signal,
      killed,
      deployed,
      excused: killed || runFaults.includes('site-down-during-restore'),
      leftLock,
      articles: 0,
      ms,
      stderr: stderr.slice(-2000),
      summary: await readFile(summaryFile, 'utf8').catch(() => ''),
    };
    if (deployed) {
      await site.deploy(path.join(work, '_site'));
      const ids = await articleIds(deployedDir);
      const gone = [...everDeployed].filter((x) => !ids.has(x));
      if (gone.length > 0) {
        lost += gone.length;
        problems.push(`run ${id} (hour ${hour}) deployed a site without ${gone.length} articles deployed before`);
      }
      for (const x of ids) everDeployed.add(x);
      record.articles = ids.size;
    }
    // Runs are kept only while they can be looked at; the caches hold what matters.
    await rm(work, { recursive: true, force: true });
    log(
      `hour ${String(hour).padStart(2)} ${runner.padEnd(10)} ${(runFaults.join('+') || '-').padEnd(28)} exit ${result.code ?? result.signal} ${killed ? 'killed ' : ''}${leftLock ? 'left its lock ' : ''}${deployed ? `deployed ${record.articles}` : 'not deployed'} (${(ms / 1000).toFixed(1)} s)`,
    );
    return record;
  }

  let feedDownUntil = -1;
  try {
    for (let hour = 0; hour <= options.hours; hour++) {
      const f = hour === options.hours ? [] : (faults.get(hour) ?? []);
      publisher.hour = hour;
      // A feed down for five hours.
      if (f.includes('feed-down')) feedDownUntil = hour + 5;
      publisher.down = new Set(hour < feedDownUntil ? [publisher.feedIds[1]!] : []);
      publisher.offline = f.includes('publisher-down');
      site.failing = f.includes('site-down-during-restore');
      site.failNext = f.includes('site-500-briefly') ? 3 : 0;
      const at = EPOCH + hour * HOUR;
      if (f.includes('overlap')) {
        // A dispatched run starts on another runner while the scheduled one is running.
        const scheduled = run(hour, f.filter((x) => x !== 'overlap'), at);
        await new Promise((r) => setTimeout(r, 300 + rand() * 2000));
        const dispatched = run(hour, ['overlap'], at + HOUR / 2);
        runs.push(...(await Promise.all([scheduled, dispatched])));
      } else {
        runs.push(await run(hour, f, at));
      }
      site.failing = false;
      site.failNext = 0;
      publisher.offline = false;
    }
  } finally {
    await publisher.close();
    await site.close();
  }

  const final = await articleIds(deployedDir);
  const published = publisher.published().map(md5);
  const missing = published.filter((x) => !final.has(x));
  if (missing.length > 0) problems.push(`the final site lacks ${missing.length} of ${published.length} articles published`);
  const stuck = runs.filter((r) => !r.deployed && !r.excused);
  for (const r of stuck) problems.push(`run ${r.n} (hour ${r.hour}, ${r.faults.join('+') || 'no fault'}) did not deploy: exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').at(-1)}`);
  const refused = runs.filter((r) => !r.killed && r.faults.includes('site-down-during-restore'));
  for (const r of refused) {
    if (r.deployed || r.code !== 1) problems.push(`run ${r.n} deployed or failed wrongly while the site it restores from was down (exit ${r.code})`);
  }
  return {
    runs,
    problems,
    figures: {
      runs: runs.length,
      deployed: runs.filter((r) => r.deployed).length,
      killed: runs.filter((r) => r.killed).length,
      refused: refused.length,
      lost,
      stuck: stuck.length,
      published: published.length,
      final: final.size,
    },
  };
}
