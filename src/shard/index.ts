/**
 * shard: growing past one machine. `--shard i/n` picks a stable subset of
 * feeds for one fetch job, which writes a partial state (its --cache, plus
 * shard.json naming the feeds it owns); `merge` combines partial states
 * into one; `render` publishes from it. In: feed ids, partial states.
 * Out: the feed subset, a merged state. Never fetches or renders; build.ts
 * does the reading and writing with the archive and image stores.
 */
export { inShard, parseShardSpec, shardOf, type ShardSpec } from './select.ts';
export { mergeStates, type MergedState, type ShardFile, type StatePart } from './merge.ts';

/** The file a shard build writes at the top of its --cache. */
export const SHARD_FILE = 'shard.json';
