/**
 * Copies a folder as hard links (the same bytes, no copy), falling back to a
 * real copy where links are not possible (another filesystem). For the
 * immutable files we publish again on every build: images, the search bundle.
 */
import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

export async function linkFile(src: string, dest: string): Promise<void> {
  try {
    await link(src, dest);
  } catch {
    await copyFile(src, dest);
  }
}

export async function linkTree(src: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory()) await linkTree(from, to);
    else if (entry.isFile()) await linkFile(from, to);
  }
}
