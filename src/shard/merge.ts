/**
 * `feed-digest merge`: partial states (one per fetch job) → one state.
 * Pure: build.ts reads the parts with the archive and image stores and
 * writes the result the same way.
 *
 * Each part says which feeds it fetched (its shard file); a feed's state is
 * taken from the part that fetched it, or, when parts overlap (the shard
 * count changed between runs), from the one that fetched it last. Image
 * records are content-addressed, so merging them is a union; for a source
 * URL known to several parts, a success beats a placeholder beats a failure,
 * then the latest try wins.
 */
import type { FeedState } from '../model/archive.ts';
import type { ImageIndex, ImageSource } from '../model/image.ts';
import type { ShardSpec } from './select.ts';

/** What a shard build leaves beside its state (<cache>/shard.json). */
export interface ShardFile<Report> {
  version: 1;
  shard: ShardSpec;
  /** Ids of the feeds this part fetched. */
  feeds: string[];
  /** The ingest report of this part (feeds, images, warnings). */
  report: Report;
}

export interface StatePart {
  /** Where the part came from, for messages. */
  name: string;
  feeds: Map<string, FeedState>;
  /** Feed ids this part is authoritative for. */
  owns: Set<string>;
  images: ImageIndex;
}

export interface MergedState {
  feeds: Map<string, FeedState>;
  images: ImageIndex;
  /** Feed id → the part its state came from (files are copied from there). */
  sourceOf: Map<string, string>;
  /** Asset hash → a part that has its files. */
  assetFrom: Map<string, string>;
  warnings: string[];
}

export function mergeStates(feedIds: string[], parts: StatePart[]): MergedState {
  const feeds = new Map<string, FeedState>();
  const sourceOf = new Map<string, string>();
  const warnings: string[] = [];
  for (const id of feedIds) {
    const owners = parts.filter((p) => p.owns.has(id) && p.feeds.has(id));
    if (owners.length === 0) {
      warnings.push(`merge: no state has feed "${id}" (no shard fetched it): it is published empty`);
      continue;
    }
    if (owners.length > 1) warnings.push(`merge: feed "${id}" is in ${owners.map((p) => p.name).join(', ')}; the latest fetch is kept`);
    const best = owners.reduce((a, b) => (lastFetch(b.feeds.get(id)!) > lastFetch(a.feeds.get(id)!) ? b : a));
    feeds.set(id, best.feeds.get(id)!);
    sourceOf.set(id, best.name);
  }

  const images: ImageIndex = { sources: {}, assets: {} };
  const assetFrom = new Map<string, string>();
  for (const part of parts) {
    for (const [key, source] of Object.entries(part.images.sources)) {
      const current = images.sources[key];
      if (!current || better(source, current)) images.sources[key] = source;
    }
    for (const [hash, asset] of Object.entries(part.images.assets)) {
      if (!images.assets[hash]) {
        images.assets[hash] = asset;
        assetFrom.set(hash, part.name);
      }
    }
  }
  return { feeds, images, sourceOf, assetFrom, warnings };
}

function lastFetch(state: FeedState): string {
  return state.health.lastFetchAt ?? '';
}

const RANK: Record<ImageSource['status'], number> = { ok: 2, placeholder: 1, failed: 0 };

function better(a: ImageSource, b: ImageSource): boolean {
  if (RANK[a.status] !== RANK[b.status]) return RANK[a.status] > RANK[b.status];
  return a.lastTried > b.lastTried;
}
