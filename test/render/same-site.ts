/**
 * What an updated site folder is checked against: a render of the same
 * input into an empty folder, compared file by file, byte for byte.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { renderSite, type RenderInput } from '../../src/render/index.ts';

/** Every file below `dir`, by its relative path. */
export async function files(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, file), await readFile(file));
  }
  return out;
}

/** Renders `input` into a new site folder with a new work folder, under `dir`; returns the site folder. */
export async function renderFresh(input: RenderInput, dir: string): Promise<string> {
  const outDir = path.join(dir, 'fresh-site');
  const workDir = path.join(dir, 'fresh-work');
  await rm(outDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
  await renderSite({ ...input, outDir, workDir });
  return outDir;
}

export async function assertSameFiles(actualDir: string, expected: Map<string, Buffer>, label: string) {
  const actual = await files(actualDir);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${label}: the same files`);
  const differ = [...expected].filter(([file, body]) => !actual.get(file)!.equals(body)).map(([file]) => file);
  assert.deepEqual(differ, [], `${label}: every file byte for byte`);
}
