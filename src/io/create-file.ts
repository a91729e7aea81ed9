/**
 * Creates a file only where none exists, atomically: the data goes to a
 * temp file beside it (synced), which is then hard-linked to the name. The
 * link fails if anything already has that name, so an existing file is never
 * replaced, even by a race, and a crash never leaves a half-written file
 * under the name.
 */
import { link, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { tempPathFor } from './atomic-file.ts';

/** True when the file was created, false when something already had its name. */
export async function createFileExclusive(file: string, data: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await link(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code)) throw err;
    // A filesystem without hard links: O_EXCL create, then write (a reader may see it empty for an instant).
    return createThenWrite(file, data);
  } finally {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
  }
}

async function createThenWrite(file: string, data: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}
