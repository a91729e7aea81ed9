/**
 * The lists' seals between builds (pagination.ts), kept under --cache. Read
 * before a render and written after it, atomically: a render killed half-way
 * leaves the last render's seals, so the next one numbers the pages as the
 * deployed site does. A missing or damaged file costs nothing but stability:
 * the pages are cut again from the oldest article.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../io/atomic-file.ts';
import type { Seal } from './pagination.ts';

const FILE = 'pages.json';
const VERSION = 1;

export async function readSeals(workDir: string): Promise<Record<string, Seal[]>> {
  try {
    const data = JSON.parse(await readFile(path.join(workDir, FILE), 'utf8')) as { version?: unknown; lists?: unknown };
    // Each list's seals are checked where they are used (stablePages); here only the shape.
    if (data.version === VERSION && typeof data.lists === 'object' && data.lists !== null && !Array.isArray(data.lists)) {
      return Object.fromEntries(Object.entries(data.lists as Record<string, unknown>).filter((e): e is [string, Seal[]] => Array.isArray(e[1])));
    }
  } catch {
    // Missing or unreadable: start from nothing.
  }
  return {};
}

export async function writeSeals(workDir: string, lists: Record<string, Seal[]>): Promise<void> {
  await writeJsonAtomic(path.join(workDir, FILE), { version: VERSION, lists });
}
