/**
 * `feed-digest check`: every problem with a config at once. Errors are what
 * `loadConfig` refuses (schema, URLs, ids); warnings are what it accepts but
 * is probably a mistake (the same feed twice, a templates folder that is not
 * there, a file: feed that does not exist, a site language no catalog speaks).
 * Warnings are computed from the raw JSON, so they are listed even when there
 * are errors too.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../model/errors.ts';
import type { Config } from '../model/config.ts';
import { CATALOGS, isLanguageTag, matchCatalog, STRING_KEYS } from '../i18n/index.ts';
import { parseJson, resolveConfig, resolveFeedUrl } from './index.ts';

export interface ConfigProblem {
  /** JSON path, e.g. "feeds[3].url"; "" for the file itself. */
  path: string;
  message: string;
}

export interface ConfigCheck {
  file: string;
  /** The validated config when there are no errors. */
  config: Config | null;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

export async function checkConfig(file: string): Promise<ConfigCheck> {
  const abs = path.resolve(file);
  const result: ConfigCheck = { file: abs, config: null, errors: [], warnings: [] };
  let json: unknown;
  try {
    json = parseJson(await readFile(abs, 'utf8'), abs);
  } catch (err) {
    if (err instanceof ConfigError) result.errors.push(...err.problems);
    else {
      const code = (err as NodeJS.ErrnoException).code;
      result.errors.push({ path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}` });
    }
    return result;
  }
  try {
    result.config = resolveConfig(json, abs);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    result.errors.push(...err.problems);
  }
  result.warnings.push(...(await lint(json, path.dirname(abs))));
  return result;
}

type Raw = Record<string, unknown>;

const obj = (v: unknown): Raw | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : null);

async function lint(json: unknown, dir: string): Promise<ConfigProblem[]> {
  const warnings: ConfigProblem[] = [];
  const root = obj(json);
  if (!root) return warnings;

  const schemaRef = root.$schema;
  if (typeof schemaRef === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(schemaRef)) {
    if (!(await isFile(path.resolve(dir, schemaRef)))) {
      const fix = /(^|\/)node_modules\//.test(schemaRef) ? 'run "npm install" beside feeds.json' : 'run "npm run schema" in feed-digest';
      warnings.push({ path: '$schema', message: `${schemaRef} not found: editors will not offer completion (${fix}, or fix the path)` });
    }
  }

  const templates = obj(root.site)?.templates;
  if (typeof templates === 'string' && templates) {
    const folder = path.resolve(dir, templates);
    const info = await stat(folder).catch((err: NodeJS.ErrnoException) => err);
    if (info instanceof Error) {
      warnings.push({ path: 'site.templates', message: `${folder} cannot be read (${info.code ?? info.message}): the built-in templates will be used` });
    } else if (!info.isDirectory()) {
      warnings.push({ path: 'site.templates', message: `${folder} is not a folder: the built-in templates will be used` });
    }
  }

  const site = obj(root.site);
  const language = site?.language;
  if (typeof language === 'string' && isLanguageTag(language.trim()) && !matchCatalog(language.trim()).matched) {
    const given = Object.keys(obj(site?.strings) ?? {}).filter((k) => (STRING_KEYS as string[]).includes(k)).length;
    if (given < STRING_KEYS.length) {
      warnings.push({
        path: 'site.language',
        message: `no built-in catalog speaks "${language}" (there are ${Object.keys(CATALOGS).join(', ')}): the words the site writes itself will be English, except the ${given} of ${STRING_KEYS.length} that site.strings gives`,
      });
    }
  }

  const fetch = obj(root.fetch);
  const timeout = Number(fetch?.timeoutSeconds ?? 30);
  const deadline = Number(fetch?.feedDeadlineSeconds ?? 60);
  if (timeout > deadline) {
    warnings.push({ path: 'fetch.timeoutSeconds', message: `${timeout} s is longer than fetch.feedDeadlineSeconds (${deadline} s), which cuts every request short first` });
  }

  const feeds = Array.isArray(root.feeds) ? root.feeds : null;
  if (feeds && feeds.length === 0) warnings.push({ path: 'feeds', message: 'no feeds: the site will be empty' });
  const byKey = new Map<string, number>();
  for (const [i, f] of (feeds ?? []).entries()) {
    const raw = obj(f)?.url;
    if (typeof raw !== 'string' || !raw.trim()) continue;
    const url = resolveFeedUrl(raw.trim(), dir);
    if (!url) continue;
    const key = sameFeedKey(url);
    const earlier = byKey.get(key);
    if (earlier !== undefined) {
      warnings.push({ path: `feeds[${i}].url`, message: `the same feed as feeds[${earlier}] (${raw.trim()}): it would be fetched twice` });
    } else byKey.set(key, i);
    if (url.startsWith('file:') && !(await isFile(fileURLToPath(url)))) {
      warnings.push({ path: `feeds[${i}].url`, message: `${fileURLToPath(url)} does not exist` });
    }
  }
  return warnings;
}

/**
 * Two URLs for one feed: the scheme, "www.", a default port, a trailing
 * slash and the fragment do not make a different feed.
 */
export function sameFeedKey(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'file:') return u.href;
    return `${u.hostname.replace(/^www\./, '')}${u.port ? `:${u.port}` : ''}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return url;
  }
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() ?? false;
}
