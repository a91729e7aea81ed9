/**
 * One build per cache folder at a time: `<cache>/build.lock` means "a build
 * is running on this disk now". It names its holder (host, boot id, pid
 * namespace, pid and the process's start time) and carries a heartbeat the
 * holder refreshes while it runs.
 *
 * The cache travels: CI saves it even after a cancelled or killed run and
 * restores it on a fresh runner, so a lock can outlive its build and arrive
 * on another machine. A lock is therefore taken over, with a warning naming
 * the old holder, when:
 * - it was written on this machine and its process is gone, is a zombie, or
 *   is another process now (the pid was reused: its start time differs);
 * - it comes from another machine (or another boot of this one) and its
 *   heartbeat is older than `staleMs`. A live build refreshes it every
 *   `heartbeatMs` (15 s); 3 minutes is twelve missed beats, far beyond any
 *   pause of a live build's event loop (seconds at most) or the clock skew
 *   of NTP-synced hosts, and shorter than the time CI needs to save a killed
 *   run's cache and start the next run on a new machine (the hourly
 *   schedule: an hour).
 * Two live builds on one shared disk stay apart: a live holder is a
 * `LockedError` saying who holds it since when; the CLI exits 1.
 *
 * - The lock file appears with its content already in it (createFileExclusive:
 *   a temp file hard-linked into place, which fails if the name exists), so a
 *   second build can never read it half-written and mistake it for stale.
 * - Taking over is serialized by a second O_EXCL file, and the stale lock is
 *   re-read under it, so two builds that find the same stale lock cannot both
 *   win (without it, one could delete the lock the other just took).
 * - `release()` removes the lock only while it is still this build's;
 *   `releaseHeldLocksSync()` does the same from a signal handler that is
 *   about to exit the process.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.ts';
import { createFileExclusive } from './create-file.ts';
import { ownStartTime, probeProcess, sameMachine, thisMachine, type Machine } from './process-identity.ts';

export class LockedError extends Error {
  override name = 'LockedError';
}

/** The lock file's content. Fields are optional: locks of older versions, or damaged ones, lack some. */
interface Holder {
  version?: number;
  pid?: number;
  host?: string;
  bootId?: string | null;
  pidNamespace?: string | null;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTime?: string | null;
  since?: string;
  /** Refreshed while the build runs (ISO time). */
  heartbeat?: string;
  token?: string;
}

export interface LockOptions {
  /** Milliseconds since the epoch, for the heartbeat and for judging others' (tests simulate hours passing). */
  clock?: () => number;
  /** How often the holder refreshes its heartbeat (default 15 s). */
  heartbeatMs?: number;
  /** Another machine's lock whose heartbeat is older than this is taken over (default 3 minutes). */
  staleMs?: number;
}

export interface Lock {
  file: string;
  /** When a stale lock was taken over: who held it and why it was judged gone. */
  tookOver: string | null;
  release(): Promise<void>;
}

const HEARTBEAT_MS = 15_000;
const STALE_MS = 180_000;
/** A takeover file older than this belongs to a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000;

/** The locks this process holds (file → token): a lock with our pid but another token is a previous process's (pids are reused in containers). */
const held = new Map<string, string>();

export async function acquireLock(cacheDir: string, options: LockOptions = {}): Promise<Lock> {
  const clock = options.clock ?? Date.now;
  const staleMs = options.staleMs ?? STALE_MS;
  await mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, 'build.lock');
  const token = randomBytes(8).toString('hex');
  const me = thisMachine();
  const since = new Date(clock()).toISOString();
  const content = (heartbeat: number) =>
    JSON.stringify({
      version: 2,
      pid: process.pid,
      host: me.host,
      bootId: me.bootId,
      pidNamespace: me.pidNamespace,
      startTime: ownStartTime(),
      since,
      heartbeat: new Date(heartbeat).toISOString(),
      token,
    } satisfies Holder);

  let tookOver: string | null = null;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createFileExclusive(file, content(clock()))) {
      held.set(file, token);
      // Heartbeats of a build killed mid-write leave their temp file here.
      await removeStaleTempFiles(cacheDir);
      const heartbeat = startHeartbeat(file, token, () => content(clock()), options.heartbeatMs ?? HEARTBEAT_MS);
      return {
        file,
        tookOver,
        async release() {
          heartbeat.stop();
          await heartbeat.settled();
          held.delete(file);
          const holder = await readHolder(file);
          if (holder?.token === token) await rm(file, { force: true });
        },
      };
    }
    const holder = await readHolder(file);
    if (holder === null) continue; // released between our attempt and the read: try again
    const verdict = judge(holder, me, clock(), staleMs);
    if (verdict.alive) throw lockedError(cacheDir, file, holder, me, verdict.why);
    // Stale: its owner is gone. Take it over, one process at a time.
    const takeover = `${file}.takeover`;
    const handle = await open(takeover, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      return null;
    });
    if (!handle) {
      // Someone else is taking over; a takeover file left by a crash expires.
      const info = await stat(takeover).catch(() => null);
      if (info && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS) await rm(takeover, { force: true });
      await sleep(20 + Math.random() * 30);
      continue;
    }
    try {
      await handle.close();
      const again = await readHolder(file);
      // Still the same stale lock (not one a live build created meanwhile): remove it.
      if (again !== null && again.token === holder.token && again.pid === holder.pid && again.since === holder.since) {
        await rm(file, { force: true });
        tookOver = `took over ${file} from a build that is gone (${describe(holder, me)}): ${verdict.why}`;
      }
    } finally {
      await rm(takeover, { force: true });
    }
  }
  throw new LockedError(`could not lock ${cacheDir}: ${file} keeps changing; is another build starting over and over?`);
}

/**
 * Removes every lock this process holds, synchronously: for a signal
 * handler about to exit the process, when awaiting is no longer possible.
 */
export function releaseHeldLocksSync(): void {
  for (const [file, token] of held) {
    try {
      const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
      if (holder.token === token) rmSync(file, { force: true });
    } catch {
      // Gone or unreadable: nothing of ours to remove.
    }
  }
  held.clear();
}

/** Rewrites the lock with a new heartbeat every `everyMs` while it is still ours; never keeps the process alive. */
function startHeartbeat(file: string, token: string, content: () => string, everyMs: number): { stop(): void; settled(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      const holder = await readHolder(file).catch(() => null);
      // Taken over (this build was judged gone) or released: stop beating, never write another's lock.
      if (holder?.token !== token) {
        stopped = true;
        clearInterval(timer);
        return;
      }
      await writeFileAtomic(file, content()).catch(() => {});
    });
  }, everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    settled: () => running,
  };
}

type Verdict = { alive: boolean; why: string };

/** Whether the build that wrote `holder` may still be running, and why (the warning or the error says it). */
function judge(holder: Holder, me: Machine, now: number, staleMs: number): Verdict {
  if (!holder.pid || !Number.isInteger(holder.pid)) return { alive: false, why: 'the lock file is empty or unreadable' };
  const written: Machine = { host: holder.host ?? '', bootId: holder.bootId ?? null, pidNamespace: holder.pidNamespace ?? null };
  const here = sameMachine(written, me) || (holder.version === undefined && holder.host === me.host);
  if (here) {
    if (holder.pid === process.pid) {
      return holder.token !== undefined && [...held.values()].includes(holder.token)
        ? { alive: true, why: 'this process holds it' }
        : { alive: false, why: `it was written by an earlier process with this pid (${holder.pid})` };
    }
    const probe = probeProcess(holder.pid);
    if (probe.kind === 'gone') return { alive: false, why: `process ${holder.pid} is gone` };
    if (probe.kind === 'zombie') return { alive: false, why: `process ${holder.pid} is a zombie (it was killed and never reaped)` };
    if (probe.kind === 'running' && holder.startTime && probe.startTime && probe.startTime !== holder.startTime) {
      return { alive: false, why: `pid ${holder.pid} now belongs to another process (it started at another time)` };
    }
    // Without /proc a reused pid looks alive, but only a live build refreshes its heartbeat.
    if (probe.kind === 'exists' && holder.heartbeat) {
      const silent = heartbeatSilence(holder, now, staleMs);
      if (silent) return { alive: false, why: `pid ${holder.pid} exists but ${silent}` };
    }
    return { alive: true, why: `process ${holder.pid} is running` };
  }
  // Another machine, or another boot of this one: only the heartbeat can tell.
  const silent = heartbeatSilence(holder, now, staleMs);
  if (silent) return { alive: false, why: silent };
  return { alive: true, why: `its heartbeat is ${duration(heartbeatAge(holder, now))} old (it is taken over once ${duration(staleMs)} old)` };
}

/** Why the holder's heartbeat says it is gone, or null while it is fresh. */
function heartbeatSilence(holder: Holder, now: number, staleMs: number): string | null {
  const age = heartbeatAge(holder, now);
  if (!Number.isFinite(age)) return 'its heartbeat is unreadable';
  return age >= staleMs ? `no heartbeat for ${duration(age)} (a running build refreshes it every ${HEARTBEAT_MS / 1000} s)` : null;
}

/** Milliseconds since the last heartbeat (older locks have only their start); a heartbeat far in the future comes from a wrong clock, not a live build. */
function heartbeatAge(holder: Holder, now: number): number {
  return Math.abs(now - Date.parse(holder.heartbeat ?? holder.since ?? ''));
}

function describe(holder: Holder, me: Machine): string {
  const where = holder.host && holder.host !== me.host ? ` on ${holder.host}` : '';
  return `pid ${holder.pid ?? '?'}${where}, since ${holder.since ?? '?'}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

/** The lock's content; `{}` when unreadable or empty (a crash); null when absent. */
async function readHolder(file: string): Promise<Holder | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const data = JSON.parse(text) as unknown;
    return data && typeof data === 'object' ? (data as Holder) : {};
  } catch {
    return {};
  }
}

function lockedError(cacheDir: string, file: string, holder: Holder, me: Machine, why: string): LockedError {
  return new LockedError(
    `${cacheDir} is in use by another build (${describe(holder, me)}; ${why}); wait for it to finish, or delete ${file} if that build is gone`,
  );
}
