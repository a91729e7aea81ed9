/**
 * Creates a file only where none exists, atomically: the data goes to a
 * temp file beside it (synced), which is then hard-linked to the name. The
 * link fails if anything already has that name, so an existing file is never
 * replaced, even by a race, and a crash never leaves a half-written file
 * under the name.
 */
import { link, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** True when the file was created, false when something already had its name. */
export async function createFileExclusive(file: string, data: string): Promise<boolean> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  // Named like io/atomic-file.ts's temp files, so a killed run's leftover is recognisable.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
  }
}
