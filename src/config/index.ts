/**
 * config: reads feeds.json, validates it once, and returns a frozen, fully
 * defaulted `Config`. Nothing after this stage re-checks user input.
 * Throws `ConfigError` (the CLI exits 2) naming the file, JSON path and reason.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../model/errors.ts';
import type { Config, FeedConfig } from '../model/config.ts';
import { configSchema, type ConfigParsed } from './schema.ts';
import { deriveFeedId } from './feed-id.ts';

export const DEFAULT_USER_AGENT =
  'feed-digest/0.1 (+https://github.com/feed-digest/feed-digest; static feed digest)';

/** Hosts known to refuse images without their own site as Referer. */
const DEFAULT_REFERERS: Record<string, string> = {
  'sinaimg.cn': 'https://weibo.com/',
  'cdnfile.sspai.com': 'https://sspai.com/',
};

export async function loadConfig(file: string): Promise<Config> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(abs, [
      { path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}` },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError(abs, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  return resolveConfig(json, abs);
}

/** Validates already-parsed JSON; `file` is used for messages and relative paths. */
export function resolveConfig(json: unknown, file: string): Config {
  const parsed = configSchema.safeParse(json);
  // Report every problem at once: the schema's, and the URL and id checks it cannot express.
  const rawFeeds = (json as { feeds?: unknown } | null)?.feeds;
  const feedCheck = checkFeeds(Array.isArray(rawFeeds) ? rawFeeds : [], path.dirname(file));
  if (!parsed.success || feedCheck.problems.length > 0) {
    const problems = [
      ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }))),
      ...feedCheck.problems,
    ];
    throw new ConfigError(file, problems);
  }
  return freeze(normalize(parsed.data, file, feedCheck.resolved));
}

/** Resolves each feed's URL and id; duplicate ids and unusable URLs are problems. */
function checkFeeds(feeds: unknown[], dir: string) {
  const problems: { path: string; message: string }[] = [];
  const resolved: { id: string; url: string }[] = [];
  const seen = new Map<string, number>();
  feeds.forEach((f, i) => {
    const raw = f as { id?: unknown; url?: unknown } | null;
    if (typeof raw?.url !== 'string' || raw.url.trim() === '') return; // the schema reports it
    const url = resolveFeedUrl(raw.url.trim(), dir);
    if (url === null) {
      problems.push({ path: `feeds[${i}].url`, message: `expected an http(s) URL, a file: URL or a path, got ${JSON.stringify(raw.url)}` });
    }
    const id = typeof raw.id === 'string' ? raw.id : deriveFeedId(url ?? raw.url, new Set(seen.keys()));
    const earlier = seen.get(id);
    if (earlier !== undefined) problems.push({ path: `feeds[${i}].id`, message: `duplicate id "${id}" (also feeds[${earlier}])` });
    seen.set(id, i);
    resolved[i] = { id, url: url ?? raw.url };
  });
  return { problems, resolved };
}

function normalize(data: ConfigParsed, file: string, resolved: { id: string; url: string }[]): Config {
  const siteUrl = new URL(data.site.url);
  if (!siteUrl.pathname.endsWith('/')) siteUrl.pathname += '/';
  siteUrl.search = '';
  siteUrl.hash = '';
  const dir = path.dirname(file);

  const feeds: FeedConfig[] = data.feeds.map((f, i) => ({
    id: resolved[i]!.id,
    url: resolved[i]!.url,
    title: f.title ?? null,
    category: f.category ?? null,
    enabled: f.enabled,
    language: f.language ?? null,
    userAgent: f.userAgent ?? null,
    headers: f.headers,
    maxItems: f.maxItems ?? null,
  }));

  const maxWidth = data.images.maxWidth;
  const widths = [...new Set(data.images.widths.map((w) => Math.min(w, maxWidth)))].sort((a, b) => a - b);

  return {
    file,
    site: {
      title: data.site.title,
      url: siteUrl.href,
      basePath: siteUrl.pathname,
      description: data.site.description,
      language: data.site.language,
      timezone: data.site.timezone,
      itemsPerPage: data.site.itemsPerPage,
      templates: data.site.templates ? path.resolve(dir, data.site.templates) : null,
      cname: data.site.cname ?? null,
    },
    images: { ...data.images, widths, referers: { ...DEFAULT_REFERERS, ...data.images.referers } },
    fetch: {
      allowPrivateNetworks: data.fetch.allowPrivateNetworks,
      concurrency: data.fetch.concurrency,
      perHost: data.fetch.perHost,
      timeoutMs: Math.round(data.fetch.timeoutSeconds * 1000),
      maxBytes: data.fetch.maxBytes,
      maxRedirects: data.fetch.maxRedirects,
      userAgent: data.fetch.userAgent ?? DEFAULT_USER_AGENT,
    },
    archive: {
      maxItemsPerFeed: data.archive.maxItemsPerFeed ?? null,
      maxAgeDays: data.archive.maxAgeDays ?? null,
    },
    feeds,
  };
}

/** http(s) and file: URLs pass; anything else is a path relative to feeds.json. */
function resolveFeedUrl(raw: string, dir: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) && !/^[a-z]:[\\/]/i.test(raw)) {
    try {
      const u = new URL(raw);
      return ['http:', 'https:', 'file:'].includes(u.protocol) ? u.href : null;
    } catch {
      return null;
    }
  }
  return pathToFileURL(path.resolve(dir, raw)).href;
}

/** ["feeds", 0, "url"] → "feeds[0].url" */
function jsonPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function freeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) freeze(v);
    Object.freeze(value);
  }
  return value;
}
