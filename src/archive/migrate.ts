/**
 * The state format's version, and the steps that bring a state file written
 * by an older feed-digest up to it. Pure: a parsed document in, the document
 * at the current version out (store.ts reads the files and writes them back
 * in the new format at the next save).
 *
 * Each file under <cache>/state/ (feeds/<id>.json and status.json) carries
 * `version`. Adding an optional field keeps the version: readers fill what is
 * missing with a default and keep fields they do not know (so a file goes
 * through an older feed-digest and back without loss). Renaming, retyping,
 * moving or removing a field bumps STATE_VERSION and adds a step here, from
 * the old version to the new one; steps chain, so any older state reaches the
 * current version. A step never drops an article. Released versions' state
 * folders are kept in test/fixtures/state/ and read by the tests.
 *
 * Versions: 1 since feed-digest 0.1.0 (no step yet).
 */

/** The state format this feed-digest reads and writes. */
export const STATE_VERSION = 1;

export type StateDocument = Record<string, unknown>;

export interface StateMigration {
  /** The version this step reads; it returns the document at `from + 1` (its `version` set). */
  from: number;
  /** What changed, for the CHANGELOG and the build's warning. */
  description: string;
  feedFile(doc: StateDocument): StateDocument;
  statusFile(doc: StateDocument): StateDocument;
}

/** Every step, oldest first. */
export const MIGRATIONS: readonly StateMigration[] = [];

export type Migrated =
  | { ok: true; doc: StateDocument; /** The version it was written in. */ from: number }
  | { ok: false; why: 'newer' | 'unknown'; version: unknown };

/**
 * `doc` at `current`, through every step from its version. A version newer
 * than `current` (written by a later feed-digest) or not a version at all is
 * not migrated: the caller reads what it can and keeps the original aside.
 */
export function migrateState(
  kind: 'feed' | 'status',
  doc: StateDocument,
  migrations: readonly StateMigration[] = MIGRATIONS,
  current: number = STATE_VERSION,
): Migrated {
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { ok: false, why: 'unknown', version };
  if (version > current) return { ok: false, why: 'newer', version };
  let out = doc;
  for (let v = version; v < current; v++) {
    const step = migrations.find((m) => m.from === v);
    // A bug, not bad input: every version below the current one has its step (a test checks the chain).
    if (!step) throw new Error(`state: no migration from state version ${v} to ${v + 1}`);
    out = kind === 'feed' ? step.feedFile(out) : step.statusFile(out);
    if (out.version !== v + 1) throw new Error(`state: the migration from version ${v} returned version ${String(out.version)}, not ${v + 1}`);
  }
  return { ok: true, doc: out, from: version };
}
