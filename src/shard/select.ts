/**
 * `--shard i/n`: which feeds one fetch job takes. A feed belongs to shard
 * `hash(id) mod n + 1`: stable across runs and machines, independent of the
 * order of feeds.json, and adding a feed moves no other feed.
 */
import { createHash } from 'node:crypto';

export interface ShardSpec {
  /** 1-based, as a GitHub Actions matrix counts. */
  index: number;
  count: number;
}

/** "2/4" → { index: 2, count: 4 }; a message saying what was expected otherwise. */
export function parseShardSpec(text: string): { ok: true; value: ShardSpec } | { ok: false; message: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) {
    return { ok: false, message: `--shard expects i/n with 1 ≤ i ≤ n ≤ 1000 (e.g. 2/4), got "${text}"` };
  }
  return { ok: true, value: { index, count } };
}

export function shardOf(feedId: string, count: number): number {
  const h = createHash('sha256').update(feedId).digest().readUInt32BE(0);
  return (h % count) + 1;
}

export function inShard(feedId: string, shard: ShardSpec): boolean {
  return shardOf(feedId, shard.count) === shard.index;
}
