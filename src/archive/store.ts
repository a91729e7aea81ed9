/**
 * The archive on disk, under --cache:
 *   state/feeds/<feedId>.json   one feed's metadata and articles (rewritten only when they change)
 *   state/status.json           every feed's HTTP validators and health (small, rewritten each build)
 * Every write is atomic. A file that cannot be read is set aside (renamed
 * *.corrupt-<time>) and reported, never silently overwritten.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { FeedHealth, FeedMeta, FeedState, HttpValidators, Article } from '../model/archive.ts';
import { emptyFeedState } from '../model/archive.ts';
import { writeJsonAtomic } from '../io/atomic-file.ts';

const VERSION = 1;

interface FeedFile {
  version: number;
  id: string;
  url: string;
  meta: FeedMeta;
  articles: Article[];
}

interface StatusFile {
  version: number;
  feeds: Record<string, { url: string; http: HttpValidators; health: FeedHealth }>;
}

export interface LoadedArchive {
  feeds: Map<string, FeedState>;
  /** The serialized articles as loaded, to skip rewriting unchanged files. */
  fingerprints: Map<string, string>;
  warnings: string[];
}

export function stateDir(cacheDir: string): string {
  return path.join(cacheDir, 'state');
}

export async function loadArchive(cacheDir: string, feeds: { id: string; url: string }[]): Promise<LoadedArchive> {
  const dir = stateDir(cacheDir);
  const warnings: string[] = [];
  const status = await readJson<StatusFile>(path.join(dir, 'status.json'), warnings);
  const states = new Map<string, FeedState>();
  const fingerprints = new Map<string, string>();
  await Promise.all(
    feeds.map(async ({ id, url }) => {
      const file = path.join(dir, 'feeds', `${id}.json`);
      const data = await readJson<FeedFile>(file, warnings);
      const state = emptyFeedState(id, url);
      if (data) {
        const articles = Array.isArray(data.articles) ? data.articles.filter(isArticle) : [];
        if (Array.isArray(data.articles) && articles.length < data.articles.length) {
          warnings.push(`${file}: ${data.articles.length - articles.length} damaged articles skipped`);
        }
        state.meta = { ...state.meta, ...(data.meta ?? {}) };
        state.articles = articles;
        fingerprints.set(id, fingerprint(state));
      }
      const s = status?.feeds?.[id];
      // Validators belong to a URL: a feed whose URL changed must be fetched in full.
      if (s && s.url === url) state.http = { ...state.http, ...s.http };
      if (s) state.health = { ...state.health, ...s.health };
      states.set(id, state);
    }),
  );
  return { feeds: states, fingerprints, warnings };
}

export async function saveArchive(cacheDir: string, archive: LoadedArchive): Promise<{ written: number }> {
  const dir = stateDir(cacheDir);
  let written = 0;
  for (const [id, state] of archive.feeds) {
    const fp = fingerprint(state);
    if (archive.fingerprints.get(id) === fp) continue;
    const file: FeedFile = { version: VERSION, id, url: state.url, meta: state.meta, articles: state.articles };
    await writeJsonAtomic(path.join(dir, 'feeds', `${id}.json`), file);
    archive.fingerprints.set(id, fp);
    written++;
  }
  const status: StatusFile = { version: VERSION, feeds: {} };
  for (const [id, state] of archive.feeds) status.feeds[id] = { url: state.url, http: state.http, health: state.health };
  await writeJsonAtomic(path.join(dir, 'status.json'), status);
  return { written };
}

/** Cheap change detection: article ids, source hashes and metadata. */
function fingerprint(state: FeedState): string {
  return JSON.stringify([state.url, state.meta, state.articles.map((a) => `${a.id}:${a.sourceHash}:${a.cover ?? ''}`)]);
}

async function readJson<T extends { version: number }>(file: string, warnings: string[]): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`${file}: cannot read (${(err as Error).message})`);
    return null;
  }
  try {
    const data = JSON.parse(text) as T;
    if (!data || typeof data !== 'object' || data.version !== VERSION) throw new Error(`unknown state version ${String((data as { version?: unknown })?.version)}`);
    return data;
  } catch (err) {
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside).catch(() => undefined);
    warnings.push(`${file} is damaged (${(err as Error).message}); moved aside to ${path.basename(aside)}`);
    return null;
  }
}

function isArticle(a: unknown): a is Article {
  const x = a as Partial<Article> | null;
  return Boolean(
    x && typeof x.id === 'string' && /^[0-9a-f]{32}$/.test(x.id) && typeof x.link === 'string' && typeof x.title === 'string' &&
      typeof x.published === 'string' && typeof x.contentHtml === 'string',
  );
}
