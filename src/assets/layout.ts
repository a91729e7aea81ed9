/**
 * `feed-digest assets`: the sealed shards laid out as folders, one per tag,
 * each holding its files at their site paths, plus the manifest:
 *
 *   <out>/manifest.json
 *   <out>/assets-00001/img/ab/ab12…-960.webp
 *   <out>/assets-00002/…
 *
 * The workflow turns each folder whose tag does not exist yet into an orphan
 * commit and pushes it as that tag. Files are hard links into the image
 * cache (a copy across filesystems), so laying out is cheap. Written to a
 * fresh folder and swapped in, like the site.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { linkFile } from '../io/link-tree.ts';
import { swapFolder } from '../io/swap-folder.ts';
import { writeJsonAtomic } from '../io/atomic-file.ts';
import type { AssetManifest } from './manifest.ts';

export interface LayoutResult {
  shards: { ref: string; files: number; bytes: number }[];
  /** Files the manifest lists but the cache no longer has (pruned since): left out. */
  missing: string[];
}

export async function layoutShards(
  manifest: AssetManifest,
  options: { out: string; source: (filePath: string) => string; refs?: string[] },
): Promise<LayoutResult> {
  const out = path.resolve(options.out);
  await refuseForeignFolder(out);
  const partial = `${out}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });

  const wanted = options.refs ? new Set(options.refs) : null;
  const sealed = manifest.shards.filter((s) => s.sealedAt && (!wanted || wanted.has(s.ref)));
  const byShard = new Map<string, string[]>(sealed.map((s) => [s.ref, []]));
  for (const [p, entry] of Object.entries(manifest.files)) byShard.get(entry.shard)?.push(p);

  const result: LayoutResult = { shards: [], missing: [] };
  for (const shard of sealed) {
    let files = 0;
    let bytes = 0;
    for (const p of byShard.get(shard.ref)!.sort()) {
      const src = options.source(p);
      const info = await stat(src).catch(() => null);
      if (!info?.isFile()) {
        result.missing.push(p);
        continue;
      }
      const dest = path.join(partial, shard.ref, p);
      await mkdir(path.dirname(dest), { recursive: true });
      await linkFile(src, dest);
      files++;
      bytes += info.size;
    }
    result.shards.push({ ref: shard.ref, files, bytes });
  }
  await writeJsonAtomic(path.join(partial, 'manifest.json'), manifest);

  await swapFolder(partial, out);
  return result;
}

/** The folder is replaced whole: never one that holds something else (a typo such as --out .). */
async function refuseForeignFolder(out: string): Promise<void> {
  const names = await readdir(out).catch(() => null);
  if (!names || names.length === 0 || names.includes('manifest.json')) return;
  throw new Error(`${out} exists and is not a shard folder (no manifest.json): choose an empty or new folder for --out`);
}
