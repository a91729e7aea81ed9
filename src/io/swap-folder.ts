/**
 * Replaces a folder with a freshly written one: the new folder is renamed
 * into place and the old one removed after, so readers (and a build that
 * fails half-way) only ever see a complete folder.
 */
import { rename, rm, stat } from 'node:fs/promises';

export async function swapFolder(fresh: string, target: string): Promise<void> {
  const old = `${target}.old`;
  await rm(old, { recursive: true, force: true });
  const exists = await stat(target).then(() => true, () => false);
  if (exists) await rename(target, old);
  await rename(fresh, target);
  if (exists) await rm(old, { recursive: true, force: true });
}
