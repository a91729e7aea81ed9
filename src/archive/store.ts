/**
 * The archive on disk, under --cache:
 *   state/feeds/<feedId>.json   one feed's metadata and articles (rewritten only when they change)
 *   state/status.json           every feed's HTTP validators and health (small, rewritten each build)
 *
 * Every write is atomic (io/atomic-file.ts), so a killed build leaves the
 * previous file or the new one. Reading trusts nothing: a state file may be
 * hand-edited, half-written by a crash on a filesystem that does not rename
 * atomically, written by another version, or partly damaged. Whatever can be
 * read is kept (good articles survive next to bad ones; the articles of a
 * truncated file are salvaged one by one), the original bytes are copied
 * aside (`<file>.corrupt-<time>` or, for another version's file,
 * `<file>.foreign-<time>`) before anything overwrites them, and every such
 * step is a warning in the build report. A feed is never silently started
 * over: a missing file that held articles at the last build is reported.
 * A file written by an older feed-digest is brought up to this version's
 * format (migrate.ts) and written back in it at the next save.
 */
import { copyFile, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FeedHealth, FeedMeta, FeedState, HttpValidators, Article, FullTextRecord } from '../model/archive.ts';
import type { Attachment } from '../model/feed.ts';
import { emptyFeedState } from '../model/archive.ts';
import { removeStaleTempFiles, tempPathFor, writeJsonAtomic } from '../io/atomic-file.ts';
import { newestFirst } from './merge.ts';
import { migrateState, STATE_VERSION } from './migrate.ts';

export { STATE_VERSION };

interface FeedFile {
  version: number;
  id: string;
  url: string;
  meta: FeedMeta;
  articles: Article[];
}

interface StatusEntry {
  url: string;
  http: HttpValidators;
  health: FeedHealth;
  /** Articles in the feed's state file when this was written: a missing file that held some is reported. */
  articles?: number;
}

interface StatusFile {
  version: number;
  feeds: Record<string, StatusEntry>;
}

export interface LoadedArchive {
  feeds: Map<string, FeedState>;
  /** The serialized articles as loaded, to skip rewriting unchanged files (absent: rewrite). */
  fingerprints: Map<string, string>;
  warnings: string[];
  /**
   * Feeds the state holds that were not asked for (no longer in the config):
   * their files stay in the cache, but the next save no longer lists them.
   */
  unlisted: { id: string; articles: number }[];
}

export function stateDir(cacheDir: string): string {
  return path.join(cacheDir, 'state');
}

export async function loadArchive(cacheDir: string, feeds: { id: string; url: string }[]): Promise<LoadedArchive> {
  const dir = stateDir(cacheDir);
  const warnings: string[] = [];
  // Temp files of a build killed mid-write: the targets are intact, the temps are litter.
  await removeStaleTempFiles(dir);
  await removeStaleTempFiles(path.join(dir, 'feeds'));
  // Files written in an older state format, by the version they were written in.
  const migrated = new Map<number, number>();
  const countMigrated = (from: number | null) => from !== null && migrated.set(from, (migrated.get(from) ?? 0) + 1);
  const status = await readStatus(path.join(dir, 'status.json'), warnings);
  countMigrated(status?.migratedFrom ?? null);
  const states = new Map<string, FeedState>();
  const fingerprints = new Map<string, string>();
  await Promise.all(
    feeds.map(async ({ id, url }) => {
      const file = path.join(dir, 'feeds', `${id}.json`);
      const loaded = await readFeedFile(file, id, warnings);
      countMigrated(loaded?.migratedFrom ?? null);
      const state = emptyFeedState(id, url);
      const s = status?.entries[id];
      if (loaded) {
        state.meta = loaded.meta;
        state.articles = loaded.articles;
        // A recovered file is rewritten clean; an intact one only when it changes.
        if (loaded.intact) fingerprints.set(id, fingerprint(state));
      } else if (s?.articles) {
        warnings.push(
          `state: ${file} is missing, but it held ${s.articles} articles at the last build; feed "${id}" starts with an empty archive ` +
            `(restore the cache folder to get them back)`,
        );
      }
      // Validators belong to a URL: a feed whose URL changed must be fetched in full.
      if (s && s.url === url) state.http = { ...state.http, ...s.http };
      if (s) state.health = { ...state.health, ...s.health };
      states.set(id, state);
    }),
  );
  for (const [from, files] of migrated) {
    warnings.push(`state: ${files} file${files === 1 ? '' : 's'} of ${dir} written in state format ${from} were read into format ${STATE_VERSION}; they are written in it when this state is next saved`);
  }
  const unlisted = Object.entries(status?.entries ?? {})
    .filter(([id]) => !states.has(id))
    .map(([id, entry]) => ({ id, articles: entry.articles ?? 0 }));
  return { feeds: states, fingerprints, warnings, unlisted };
}

export async function saveArchive(cacheDir: string, archive: Pick<LoadedArchive, 'feeds' | 'fingerprints'>): Promise<{ written: number }> {
  const dir = stateDir(cacheDir);
  let written = 0;
  for (const [id, state] of archive.feeds) {
    const fp = fingerprint(state);
    if (archive.fingerprints.get(id) === fp) continue;
    const file: FeedFile = { version: STATE_VERSION, id, url: state.url, meta: state.meta, articles: state.articles };
    await writeJsonAtomic(path.join(dir, 'feeds', `${id}.json`), file);
    archive.fingerprints.set(id, fp);
    written++;
  }
  const status: StatusFile = { version: STATE_VERSION, feeds: {} };
  for (const [id, state] of archive.feeds) {
    status.feeds[id] = { url: state.url, http: state.http, health: state.health, articles: state.articles.length };
  }
  await writeJsonAtomic(path.join(dir, 'status.json'), status);
  return { written };
}

/** Cheap change detection: article ids, source hashes, full-text tries and metadata. */
function fingerprint(state: FeedState): string {
  const fullText = (a: Article) => (a.fullText ? `${a.fullText.fetchedAt ?? ''}:${a.fullText.failures}` : '');
  return JSON.stringify([state.url, state.meta, state.articles.map((a) => `${a.id}:${a.sourceHash}:${a.cover ?? ''}:${fullText(a)}`)]);
}

// ---------------------------------------------------------------------------
// Reading, defensively

interface LoadedFeedFile {
  meta: FeedMeta;
  articles: Article[];
  /** False when anything had to be repaired, dropped, salvaged or migrated: the file is rewritten. */
  intact: boolean;
  /** The older state format it was written in, or null. */
  migratedFrom: number | null;
}

async function readText(file: string, warnings: string[]): Promise<{ text: string; mtime: Date } | null> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, mtime: info.mtime };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`state: ${file} cannot be read (${(err as Error).message})`);
    return null;
  }
}

async function readFeedFile(file: string, feedId: string, warnings: string[]): Promise<LoadedFeedFile | null> {
  const read = await readText(file, warnings);
  if (!read) return null;
  const parsed = parseJson(read.text);
  const problems: string[] = [];
  let kind: 'corrupt' | 'foreign' = 'corrupt';
  let metaRaw: unknown;
  let articlesRaw: unknown[];
  let migratedFrom: number | null = null;

  if (parsed.ok && isObject(parsed.value)) {
    const migrated = migrateState('feed', parsed.value);
    const data = migrated.ok ? migrated.doc : parsed.value;
    if (parsed.lenient) problems.push('it is not strict JSON (comments or trailing commas: hand-edited?)');
    if (!migrated.ok) {
      kind = 'foreign';
      problems.push(
        migrated.why === 'newer'
          ? `it was written by a newer feed-digest (state version ${String(migrated.version)}; this one reads ${STATE_VERSION}): upgrade to keep everything`
          : `it has an unknown state version (${JSON.stringify(migrated.version) ?? 'none'})`,
      );
    } else if (migrated.from !== STATE_VERSION) migratedFrom = migrated.from;
    if (typeof data.id === 'string' && data.id !== feedId) problems.push(`it belongs to feed "${data.id}"`);
    metaRaw = data.meta;
    if (Array.isArray(data.articles)) articlesRaw = data.articles;
    else {
      articlesRaw = [];
      if (data.articles !== undefined) problems.push('its "articles" is not a list');
    }
  } else {
    // Not JSON at all (truncated, binary junk) or not an object: salvage what can be found.
    const reason = parsed.ok ? `it holds ${Array.isArray(parsed.value) ? 'a list' : JSON.stringify(parsed.value)?.slice(0, 20)}, not a state object` : `not valid JSON: ${parsed.error}`;
    problems.push(reason);
    const salvaged = salvage(read.text);
    metaRaw = salvaged.meta;
    articlesRaw = salvaged.articles;
  }

  const meta = readMeta(metaRaw);
  if (!meta.ok) problems.push('its feed metadata is damaged');
  const articles: Article[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  let repaired = 0;
  for (const raw of articlesRaw) {
    const a = readArticle(raw, read.mtime);
    if (!a) {
      dropped++;
      continue;
    }
    if (seen.has(a.article.id)) {
      repaired++;
      continue;
    }
    seen.add(a.article.id);
    if (a.repaired) repaired++;
    articles.push(a.article);
  }
  // Newest first, as every reader expects (a hand edit may have reordered them).
  articles.sort(newestFirst);
  if (dropped) problems.push(`${dropped} of its ${articlesRaw.length} articles were unreadable and left out`);
  if (repaired) problems.push(`${repaired} articles had missing or wrong fields (filled with defaults) or duplicate ids`);

  if (problems.length === 0) return { meta: meta.value, articles, intact: migratedFrom === null, migratedFrom };
  const aside = await setAside(file, read.text, kind);
  warnings.push(
    `state: ${file}: ${problems.join('; ')}. Kept ${articles.length} articles` +
      (aside ? `; the original is saved as ${path.basename(aside)}` : '; the original could not be copied aside') +
      ' and the file is rewritten clean when this state is next saved',
  );
  return { meta: meta.value, articles, intact: false, migratedFrom };
}

async function readStatus(file: string, warnings: string[]): Promise<{ entries: Record<string, StatusEntry>; migratedFrom: number | null } | null> {
  const read = await readText(file, warnings);
  if (!read) return null;
  const parsed = parseJson(read.text);
  const raw = parsed.ok && isObject(parsed.value) ? parsed.value : null;
  const migrated = raw ? migrateState('status', raw) : null;
  const data = migrated?.ok ? migrated.doc : raw;
  const feeds = data && isObject(data.feeds) ? data.feeds : null;
  const out: Record<string, StatusEntry> = {};
  let bad = 0;
  for (const [id, entry] of Object.entries(feeds ?? {})) {
    const e = readStatusEntry(entry);
    if (e) out[id] = e;
    else bad++;
  }
  const intact = parsed.ok && !parsed.lenient && migrated?.ok === true && feeds !== null && bad === 0;
  if (!intact) {
    const why = !parsed.ok
      ? `not valid JSON: ${parsed.error}`
      : !migrated?.ok
        ? migrated?.why === 'newer'
          ? `written by a newer feed-digest (state version ${String(migrated.version)}; this one reads ${STATE_VERSION})`
          : `unknown state version (${JSON.stringify(raw?.version) ?? 'none'})`
        : feeds === null
          ? 'no "feeds" object'
          : bad
            ? `${bad} damaged entries`
            : 'not strict JSON';
    const aside = await setAside(file, read.text, parsed.ok && raw !== null && !migrated?.ok ? 'foreign' : 'corrupt');
    warnings.push(
      `state: ${file}: ${why}. Kept the validators and health of ${Object.keys(out).length} feeds (the others are fetched in full)` +
        (aside ? `; the original is saved as ${path.basename(aside)}` : ''),
    );
  }
  return { entries: out, migratedFrom: migrated?.ok && migrated.from !== STATE_VERSION ? migrated.from : null };
}

/**
 * Copies the original bytes aside (atomically); the file itself stays until
 * the clean rewrite replaces it. The copy's name ends with a hash of the
 * bytes, so loading the same damaged file again (a `render`, which never
 * saves) adds no second copy.
 */
async function setAside(file: string, text: string, kind: 'corrupt' | 'foreign'): Promise<string | null> {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  const existing = (await readdir(path.dirname(file)).catch(() => [] as string[])).find(
    (n) => n.startsWith(`${path.basename(file)}.${kind}-`) && n.endsWith(`-${hash}`),
  );
  if (existing) return path.join(path.dirname(file), existing);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const aside = `${file}.${kind}-${stamp}-${hash}`;
  // A temp file's name, so a copy cut short by a kill is cleaned up.
  const tmp = tempPathFor(aside);
  try {
    await copyFile(file, tmp);
    await rename(tmp, aside);
    return aside;
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
    return null;
  }
}

type Parsed = { ok: true; value: unknown; lenient: boolean } | { ok: false; error: string };

/** Strict JSON, else JSON with comments and trailing commas (what a hand edit leaves). */
function parseJson(text: string): Parsed {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return { ok: true, value: JSON.parse(body), lenient: false };
  } catch (err) {
    try {
      return { ok: true, value: JSON.parse(relaxJson(body)), lenient: true };
    } catch {
      return { ok: false, error: (err as Error).message };
    }
  }
}

/** Drops // and /* comments and trailing commas outside strings. */
function relaxJson(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === ',' && /^\s*[\]}]/.test(text.slice(i + 1, i + 200))) {
      // a trailing comma
    } else out += c;
  }
  return out;
}

/** Index just past the string literal starting at `start` (a '"'), or the text's end. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** Index just past the object or array starting at `start`, or -1 when it never closes. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = stringEnd(text, i) - 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * From a damaged document: the "meta" object and every complete article
 * object of the "articles" list, each parsed on its own (a truncated file
 * loses only the article it was cut in).
 */
function salvage(text: string): { meta: unknown; articles: unknown[] } {
  let meta: unknown;
  const metaAt = /"meta"\s*:\s*\{/.exec(text);
  if (metaAt) {
    const start = metaAt.index + metaAt[0].length - 1;
    const end = valueEnd(text, start);
    const parsed = end > 0 ? parseJson(text.slice(start, end)) : null;
    if (parsed?.ok) meta = parsed.value;
  }
  const articles: unknown[] = [];
  const listAt = /"articles"\s*:\s*\[/.exec(text);
  if (!listAt) return { meta, articles };
  let i = listAt.index + listAt[0].length;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ']') break;
    if (c !== '{') {
      i++;
      continue;
    }
    const end = valueEnd(text, i);
    if (end < 0) break; // cut off inside this article
    const one = parseJson(text.slice(i, end));
    if (one.ok) articles.push(one.value);
    i = end;
  }
  return { meta, articles };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const isDate = (x: unknown): x is string => typeof x === 'string' && !Number.isNaN(Date.parse(x));

function readMeta(raw: unknown): { ok: boolean; value: FeedMeta } {
  const m = isObject(raw) ? raw : {};
  // Fields this version does not know are kept as they are (a newer version may have added them).
  const value: FeedMeta = {
    ...(m as Partial<FeedMeta>),
    title: str(m.title),
    homeUrl: str(m.homeUrl),
    description: str(m.description),
    iconUrl: str(m.iconUrl),
    language: str(m.language),
  };
  const ok = raw === undefined || (isObject(raw) && Object.entries(value).every(([k, v]) => v !== null || m[k] === null || m[k] === undefined));
  return { ok, value };
}

/**
 * An archived article, with every field checked. It needs a link (its
 * identity); anything else missing or of the wrong type is filled with a
 * default, and the article is kept (flagged as repaired).
 */
function readArticle(raw: unknown, fileTime: Date): { article: Article; repaired: boolean } | null {
  if (!isObject(raw)) return null;
  const link = str(raw.link)?.trim();
  if (!link || !/^(https?:|urn:)/i.test(link)) return null;
  let repaired = false;
  const fix = <T>(value: T | null | undefined, fallback: T): T => {
    if (value === null || value === undefined) {
      repaired = true;
      return fallback;
    }
    return value;
  };
  const optional = (key: string): string | null => {
    const v = raw[key];
    if (v === null || v === undefined) return null;
    if (typeof v === 'string') return v;
    repaired = true;
    return null;
  };
  const strings = (key: string): string[] => {
    const v = raw[key];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    repaired = true;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  };
  const id = typeof raw.id === 'string' && /^[0-9a-f]{32}$/.test(raw.id) ? raw.id : fix<string>(null, createHash('md5').update(link).digest('hex'));
  const firstSeen = isDate(raw.firstSeen) ? raw.firstSeen : fix<string>(null, isDate(raw.published) ? raw.published : fileTime.toISOString());
  const published = isDate(raw.published) ? raw.published : fix<string>(null, firstSeen);
  const attachments = Array.isArray(raw.attachments) ? raw.attachments.filter(isAttachment) : [];
  if (!Array.isArray(raw.attachments) || attachments.length !== raw.attachments.length) repaired = true;
  const article: Article = {
    ...(raw as Partial<Article>),
    id,
    link,
    title: fix(str(raw.title), '(untitled)'),
    author: optional('author'),
    published,
    modified: isDate(raw.modified) ? raw.modified : null,
    firstSeen,
    contentHtml: fix(str(raw.contentHtml), ''),
    // No hash: if the feed still lists the item, it is processed again and the article restored in full.
    sourceHash: fix(str(raw.sourceHash), ''),
    excerpt: fix(str(raw.excerpt), ''),
    categories: strings('categories'),
    images: strings('images'),
    cover: optional('cover'),
    attachments,
  };
  if (raw.modified !== null && raw.modified !== undefined && !isDate(raw.modified)) repaired = true;
  if (raw.fullText !== undefined) {
    const fullText = readFullText(raw.fullText);
    // A damaged record is dropped: the content stays whichever it was, and no page is fetched again.
    if (fullText) article.fullText = fullText;
    else {
      delete article.fullText;
      repaired = true;
    }
  }
  return { article, repaired };
}

/** An article's full-text record (feeds[].fullText), or null when it is damaged. */
function readFullText(raw: unknown): FullTextRecord | null {
  if (!isObject(raw) || typeof raw.sourceUrl !== 'string') return null;
  const { fetchedAt, error, failures, retryAfter } = raw;
  if (fetchedAt !== null && !isDate(fetchedAt)) return null;
  if (retryAfter !== null && !isDate(retryAfter)) return null;
  if (typeof failures !== 'number' || !Number.isInteger(failures) || failures < 0) return null;
  if (error !== null && !(isObject(error) && typeof error.code === 'string' && typeof error.message === 'string')) return null;
  return { ...(raw as Partial<FullTextRecord>), sourceUrl: raw.sourceUrl, fetchedAt, error: error as FullTextRecord['error'], failures, retryAfter };
}

function isAttachment(x: unknown): x is Attachment {
  return isObject(x) && typeof x.url === 'string' && typeof x.mimeType === 'string' && (x.sizeBytes === null || typeof x.sizeBytes === 'number') && (x.title === null || typeof x.title === 'string');
}

function readStatusEntry(raw: unknown): StatusEntry | null {
  if (!isObject(raw) || typeof raw.url !== 'string') return null;
  const http = isObject(raw.http) ? raw.http : {};
  const health = isObject(raw.health) ? raw.health : {};
  const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const base = emptyFeedState('', '').health;
  return {
    url: raw.url,
    http: { ...(http as Partial<HttpValidators>), etag: str(http.etag), lastModified: str(http.lastModified), bodyHash: str(http.bodyHash) },
    health: {
      ...base,
      ...(health as Partial<FeedHealth>),
      lastFetchAt: isDate(health.lastFetchAt) ? health.lastFetchAt : null,
      lastSuccessAt: isDate(health.lastSuccessAt) ? health.lastSuccessAt : null,
      lastStatus: num(health.lastStatus),
      lastError: isObject(health.lastError) && typeof health.lastError.message === 'string' ? (health.lastError as unknown as FeedHealth['lastError']) : null,
      consecutiveFailures: num(health.consecutiveFailures) ?? 0,
      lastMs: num(health.lastMs),
      lastBytes: num(health.lastBytes),
      lastNew: num(health.lastNew) ?? 0,
      movedTo: str(health.movedTo),
    },
    ...(num(raw.articles) !== null ? { articles: num(raw.articles)! } : {}),
  };
}
