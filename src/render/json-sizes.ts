/**
 * The JSON archive's item sizes from the last render, under the render's
 * work folder: the newest documents are sealed by size (jsonfeed.ts), so
 * their items are measured every render, and measuring an item means making
 * its HTML. A pure memo, keyed by a hash of everything an item is made from:
 * lost or damaged, the sizes are measured again and nothing else changes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.ts';

const FILE = 'json-sizes.json';

export async function readSizes(workDir: string): Promise<Map<string, number>> {
  try {
    const data = JSON.parse(await readFile(path.join(workDir, FILE), 'utf8')) as unknown;
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      return new Map(Object.entries(data).filter((e): e is [string, number] => Number.isInteger(e[1])));
    }
  } catch {
    // Missing or damaged: measure again.
  }
  return new Map();
}

export async function writeSizes(workDir: string, sizes: Map<string, number>): Promise<void> {
  await writeFileAtomic(path.join(workDir, FILE), JSON.stringify(Object.fromEntries(sizes)));
}
