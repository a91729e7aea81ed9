/**
 * archive: previous state + parsed feed → merged state, and the state on
 * disk under --cache. In: `FeedState`s, `FeedDoc`s. Out: `FeedState`s with
 * new/updated/unchanged counts. Never fetches, never renders.
 */
export { mergeFeed, newestFirst, sourceHashOf, type MergeCounts, type MergeResult, type PreparedItem } from './merge.ts';
export { loadArchive, saveArchive, stateDir, type LoadedArchive } from './store.ts';
