/**
 * One build per cache folder at a time: `<cache>/build.lock`, holding the
 * owner's pid, host, start time and a random token.
 *
 * - The lock file appears with its content already in it (written to a temp
 *   file, then hard-linked into place, which fails if the name exists), so a
 *   second build can never read it half-written and mistake it for stale.
 * - A lock whose process is gone (a build killed with SIGKILL) is taken over.
 *   Taking over is serialized by a second O_EXCL file, and the stale lock is
 *   re-read under it, so two builds that find the same stale lock cannot both
 *   win (without it, one could delete the lock the other just took).
 * - A live holder is a `LockedError` saying who holds it since when; the CLI
 *   prints it and exits 1.
 * - `release()` removes the lock only while it is still this build's.
 */
import { link, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export class LockedError extends Error {
  override name = 'LockedError';
}

interface Holder {
  pid?: number;
  host?: string;
  since?: string;
  token?: string;
}

export interface Lock {
  file: string;
  release(): Promise<void>;
}

/** A takeover file older than this belongs to a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000;

/** Tokens of the locks this process holds: a lock with our pid but another token is a previous process's (pids are reused in containers). */
const held = new Set<string>();

export async function acquireLock(cacheDir: string): Promise<Lock> {
  await mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, 'build.lock');
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), token } satisfies Holder);
  const release = async () => {
    held.delete(token);
    const holder = await readHolder(file);
    if (holder?.token === token) await rm(file, { force: true });
  };

  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createWithContent(file, content)) {
      held.add(token);
      return { file, release };
    }
    const holder = await readHolder(file);
    if (holder === null) continue; // released between our attempt and the read: try again
    if (holderAlive(holder)) throw lockedError(cacheDir, file, holder);
    // Stale: its owner died. Take it over, one process at a time.
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
      }
    } finally {
      await rm(takeover, { force: true });
    }
  }
  throw new LockedError(`could not lock ${cacheDir}: ${file} keeps changing; is another build starting over and over?`);
}

/** Creates `file` holding `content` in one step; false when it already exists. */
async function createWithContent(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    // A filesystem without hard links: O_EXCL create, then write (a reader may see it empty for an instant).
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(content);
      await handle.close();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The lock's content; `{}` when unreadable or empty (left by an older version or a crash); null when absent. */
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

function holderAlive(holder: Holder): boolean {
  // Another machine's pid cannot be checked from here (a cache on a shared disk): assume it is alive.
  if (holder.host && holder.host !== os.hostname()) return true;
  if (!holder.pid || !Number.isInteger(holder.pid)) return false;
  if (holder.pid === process.pid) return holder.token !== undefined && held.has(holder.token);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(cacheDir: string, file: string, holder: Holder): LockedError {
  const who = `pid ${holder.pid ?? '?'}${holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : ''}, since ${holder.since ?? '?'}`;
  return new LockedError(
    `${cacheDir} is in use by another build (${who}); wait for it to finish, or delete ${file} if that process is gone`,
  );
}
