/**
 * `feed-digest import-opml <file>`: merges an OPML export into feeds.json.
 * Existing feeds and every other setting are kept as they are (the file is
 * appended to, not rewritten); a subscription whose URL is already there
 * (give or take the scheme, "www." and a trailing slash) is skipped; new
 * feeds get an explicit id, the OPML title and the folder as category. The
 * result is validated with the same schema as a build before it is written,
 * atomically. The reverse, feeds.opml, is written by every build.
 */
import { readFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import iconv from 'iconv-lite';
import { ConfigError } from '../model/errors.ts';
import { parseJson, resolveConfig } from '../config/index.ts';
import { sameFeedKey } from '../config/check.ts';
import { deriveFeedId } from '../config/feed-id.ts';
import { writeFileAtomic } from '../io/atomic-file.ts';
import { readOpml } from './read.ts';
import { appendFeeds } from './insert.ts';

export interface ImportResult {
  file: string;
  /** True when feeds.json did not exist and was created. */
  created: boolean;
  added: { id: string; url: string; title: string | null; category: string | null }[];
  skipped: { url: string; reason: string }[];
  problems: string[];
  written: boolean;
}

export interface ImportOptions {
  /** Where a new feeds.json points its "$schema" (the package's feeds.schema.json). */
  schemaFile: string;
  dryRun?: boolean;
}

export async function importOpml(opmlFile: string, configFile: string, options: ImportOptions): Promise<ImportResult> {
  const opml = await readOpmlFile(opmlFile);
  const file = path.resolve(configFile);
  const existingText = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const created = existingText === null;
  const text = existingText ?? `${JSON.stringify({ $schema: schemaRef(file, options.schemaFile), feeds: [] }, null, 2)}\n`;
  const plan = addSubscriptions(text, file, opml);
  const result: ImportResult = { ...plan.result, created };
  if (plan.result.added.length === 0 || options.dryRun) return result;
  await writeFileAtomic(file, plan.text);
  return { ...result, written: true };
}

/** An OPML file's subscriptions; a file that cannot be read or is not OPML is a ConfigError naming it. */
export async function readOpmlFile(opmlFile: string): Promise<ReturnType<typeof readOpml>> {
  const opmlPath = path.resolve(opmlFile);
  let bytes: Buffer;
  try {
    bytes = await readFile(opmlPath);
  } catch (err) {
    throw new ConfigError(opmlPath, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  try {
    return readOpml(decode(bytes));
  } catch (err) {
    throw new ConfigError(opmlPath, [{ path: '', message: (err as Error).message }]);
  }
}

/**
 * The feeds.json text `text` (of `file`, for messages) with the OPML's
 * subscriptions that it does not list yet appended. Nothing is written. A
 * config that is already broken is refused (the user fixes it first:
 * feed-digest check), and so is a result a build would refuse.
 */
export function addSubscriptions(text: string, file: string, opml: ReturnType<typeof readOpml>): { text: string; result: Omit<ImportResult, 'created'> } {
  const current = resolveConfig(parseJson(text, file), file);
  const byKey = new Map(current.feeds.map((f, i) => [sameFeedKey(f.url), `feeds[${i}] (${f.id})`]));
  const taken = new Set(current.feeds.map((f) => f.id));
  const result: Omit<ImportResult, 'created'> = { file, added: [], skipped: [], problems: opml.problems, written: false };
  const entries: Record<string, string>[] = [];
  for (const sub of opml.subscriptions) {
    const key = sameFeedKey(sub.url);
    const already = byKey.get(key);
    if (already) {
      result.skipped.push({ url: sub.url, reason: already.startsWith('feeds[') ? `already in ${path.basename(file)} as ${already}` : already });
      continue;
    }
    const id = deriveFeedId(sub.url, taken);
    taken.add(id);
    byKey.set(key, `listed twice in the OPML (also "${sub.where}")`);
    const entry: Record<string, string> = { id, url: sub.url };
    if (sub.title) entry.title = sub.title;
    if (sub.category) entry.category = sub.category;
    entries.push(entry);
    result.added.push({ id, url: sub.url, title: sub.title, category: sub.category });
  }
  if (entries.length === 0) return { text, result };
  const next = appendFeeds(text, entries);
  if (next === null) {
    throw new ConfigError(file, [{ path: 'feeds', message: 'no top-level "feeds" array to add to' }]);
  }
  resolveConfig(parseJson(next, file), file); // never write what a build would refuse
  return { text: next, result };
}

/** OPML is nearly always UTF-8; otherwise its XML declaration says what it is. */
function decode(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const declared = /<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1];
  return iconv.decode(bytes, declared && iconv.encodingExists(declared) ? declared : 'windows-1252');
}

function schemaRef(configFile: string, schemaFile: string): string {
  const rel = path.relative(path.dirname(configFile), schemaFile).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}
