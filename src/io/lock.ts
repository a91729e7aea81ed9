/**
 * One build per cache folder at a time. The lock is a file created with
 * O_EXCL holding the owner's pid; a lock whose process is gone (a build
 * killed with SIGKILL) is taken over, a live one is an error that says who
 * holds it.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export class LockedError extends Error {
  override name = 'LockedError';
}

export async function acquireLock(cacheDir: string): Promise<{ release(): Promise<void> }> {
  await mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, 'build.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { pid?: number; since?: string }, () => ({}) as { pid?: number; since?: string });
      if (holder.pid && isAlive(holder.pid)) {
        throw new LockedError(
          `${cacheDir} is in use by another build (pid ${holder.pid}, since ${holder.since ?? '?'}); wait for it to finish, or delete ${file} if that process is gone`,
        );
      }
      await rm(file, { force: true }); // stale: its owner died
    }
  }
  throw new LockedError(`could not lock ${cacheDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
