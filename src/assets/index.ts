/**
 * assets: images served from jsDelivr instead of the site.
 * In: the `assets` config, the manifest from the last build (under --cache,
 * assets/manifest.json), the variant files the site references now.
 * Out: the updated manifest, a `variant path → URL` function for `render`
 * (`https://<host>/gh/<owner>/<name>@<shard ref>/<path>` for files in a
 * sealed shard, null for files the site still serves), and on request the
 * sealed shards laid out as folders for the workflow to push and tag.
 * Never downloads, converts or renders; reads image files only to lay them out.
 */
export {
  assignShards,
  emptyManifest,
  loadManifest,
  parseManifest,
  saveManifest,
  shardRef,
  shardUrl,
  shardUrls,
  MAX_FILE_BYTES,
  type AssetFile,
  type AssetManifest,
  type AssetShard,
  type ShardPlan,
} from './manifest.ts';
export { layoutShards, type LayoutResult } from './layout.ts';

import path from 'node:path';

/** Where the manifest lives under --cache. */
export function manifestFile(cacheDir: string): string {
  return path.join(cacheDir, 'assets', 'manifest.json');
}

/** Where a copy is published on the site, so a lost cache can get it back (restore). */
export const SITE_MANIFEST_PATH = 'api/assets.json';
