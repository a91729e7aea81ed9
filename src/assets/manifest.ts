/**
 * The shard manifest: which shard (a jsDelivr-pinned tag) holds which image
 * file. Append-only: a file, once given a shard, keeps it; a sealed shard
 * never gains or loses a file, so the tag pushed for it is valid forever.
 *
 * jsDelivr serves a file from `/gh/<repo>@<ref>/<path>` only up to 20 MB,
 * and a repo@ref only up to 50 MB, so files are packed into shards below a
 * cap (default 45 MB). New files go into the one open shard; the open shard
 * is sealed when the next file would not fit, or once it is old enough
 * (`sealAfterMs`), so a small site still moves its images to the CDN. Until
 * then its files are served by the site itself.
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../io/atomic-file.ts';
import type { AssetsConfig } from '../model/config.ts';

/** jsDelivr's limit for one file served from GitHub (decimal MB, to stay clear of it). */
export const MAX_FILE_BYTES = 20_000_000;

export interface AssetShard {
  /** The tag: tagPrefix + a five-digit number, in creation order. */
  ref: string;
  bytes: number;
  files: number;
  openedAt: string;
  /** Set once: from then on the shard never changes. */
  sealedAt: string | null;
}

export interface AssetManifest {
  version: 1;
  /** The repository the shards are tagged in: a manifest for another repo is not reused. */
  repo: string;
  shards: AssetShard[];
  /** Variant path ("img/ab/…webp") → its shard and size. */
  files: Record<string, { shard: string; bytes: number }>;
}

export interface AssetFile {
  /** Path below the site root, the same in the shard. */
  path: string;
  bytes: number;
}

export interface ShardPlan {
  manifest: AssetManifest;
  /** Files given a shard in this call. */
  added: number;
  /** Shards sealed in this call: to be pushed and tagged. */
  sealed: string[];
  /** Files above jsDelivr's per-file limit: served by the site. */
  tooLarge: string[];
}

export type ShardOptions = Pick<AssetsConfig, 'shardBytes' | 'tagPrefix' | 'sealAfterMs' | 'repo'> & { now: Date; maxFileBytes?: number };

export function emptyManifest(repo: string): AssetManifest {
  return { version: 1, repo, shards: [], files: {} };
}

/**
 * Gives every live file a shard. `live` is every asset the site references
 * now: files of the open shard that are no longer live are dropped from it
 * before it is sealed (nothing links to them), never from a sealed one.
 * Pure: returns a new manifest.
 */
export function assignShards(previous: AssetManifest, live: AssetFile[], options: ShardOptions): ShardPlan {
  const cap = options.shardBytes;
  const maxFile = Math.min(options.maxFileBytes ?? MAX_FILE_BYTES, cap);
  const nowIso = options.now.toISOString();
  const manifest: AssetManifest = {
    version: 1,
    repo: previous.repo,
    shards: previous.shards.map((s) => ({ ...s })),
    files: { ...previous.files },
  };
  const liveSet = new Set(live.map((f) => f.path));
  let open = manifest.shards.find((s) => s.sealedAt === null) ?? null;
  if (open) {
    const ref = open.ref;
    for (const [p, entry] of Object.entries(manifest.files)) {
      if (entry.shard === ref && !liveSet.has(p)) delete manifest.files[p];
    }
    recount(manifest, open);
  }
  const sealed: string[] = [];
  const seal = (shard: AssetShard) => {
    shard.sealedAt = nowIso;
    sealed.push(shard.ref);
  };

  let added = 0;
  const tooLarge: string[] = [];
  // Sorted, so the same files give the same shards whatever order they came in.
  const fresh = [...new Map(live.filter((f) => !(f.path in manifest.files)).map((f) => [f.path, f])).values()].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  for (const file of fresh) {
    if (file.bytes > maxFile) {
      tooLarge.push(file.path);
      continue;
    }
    if (open && open.bytes + file.bytes > cap) {
      seal(open);
      open = null;
    }
    if (!open) {
      open = { ref: shardRef(options.tagPrefix, manifest.shards.length + 1), bytes: 0, files: 0, openedAt: nowIso, sealedAt: null };
      manifest.shards.push(open);
    }
    manifest.files[file.path] = { shard: open.ref, bytes: file.bytes };
    open.bytes += file.bytes;
    open.files++;
    added++;
  }
  if (open && open.files === 0) {
    // Everything it held went away before it was sealed: it was never published, drop it.
    manifest.shards = manifest.shards.filter((s) => s !== open);
    open = null;
  }
  if (open && options.now.getTime() - Date.parse(open.openedAt) >= options.sealAfterMs) seal(open);
  return { manifest, added, sealed, tooLarge };
}

function recount(manifest: AssetManifest, shard: AssetShard): void {
  let bytes = 0;
  let files = 0;
  for (const entry of Object.values(manifest.files)) {
    if (entry.shard !== shard.ref) continue;
    bytes += entry.bytes;
    files++;
  }
  shard.bytes = bytes;
  shard.files = files;
}

export function shardRef(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(5, '0')}`;
}

/**
 * The URL of a file in a sealed shard, or null when the site serves it (in
 * the open shard, too large, or unknown).
 */
export function shardUrl(manifest: AssetManifest, host: string, filePath: string): string | null {
  const entry = manifest.files[filePath];
  if (!entry) return null;
  const shard = manifest.shards.find((s) => s.ref === entry.shard);
  if (!shard?.sealedAt) return null;
  return `https://${host}/gh/${manifest.repo}@${shard.ref}/${filePath}`;
}

/** A URL lookup that does not search the shard list each time. */
export function shardUrls(manifest: AssetManifest, host: string): (filePath: string) => string | null {
  const sealed = new Set(manifest.shards.filter((s) => s.sealedAt).map((s) => s.ref));
  return (filePath) => {
    const entry = manifest.files[filePath];
    return entry && sealed.has(entry.shard) ? `https://${host}/gh/${manifest.repo}@${entry.shard}/${filePath}` : null;
  };
}

/**
 * Reads a manifest; a missing one is empty. A damaged one or one for
 * another repository is an error: starting over would number new shards
 * like tags that already exist.
 */
export async function loadManifest(file: string, repo: string): Promise<AssetManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyManifest(repo);
    throw err;
  }
  const data = parseManifest(text, file);
  if (data.repo !== repo) {
    throw new Error(
      `${file} lists shards of ${data.repo}, but assets.repo is ${repo}: move the file aside to start numbering shards for ${repo} from 1`,
    );
  }
  return data;
}

export function parseManifest(text: string, where: string): AssetManifest {
  const data = JSON.parse(text) as Partial<AssetManifest>;
  if (data.version !== 1 || typeof data.repo !== 'string' || !Array.isArray(data.shards) || typeof data.files !== 'object' || !data.files) {
    throw new Error(`${where}: not an asset manifest (version 1)`);
  }
  return data as AssetManifest;
}

export async function saveManifest(file: string, manifest: AssetManifest): Promise<void> {
  await writeJsonAtomic(file, manifest);
}
