/**
 * config: reads feeds.json, validates it once, and returns a frozen, fully
 * defaulted `Config`. Nothing after this stage re-checks user input.
 * Throws `ConfigError` (the CLI exits 2) naming the file, JSON path and reason.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../model/errors.ts';
import type { Config, FeedConfig, FilterConfig, FilterRule } from '../model/config.ts';
import { configSchema, FILTER_FIELDS, type ConfigParsed, type FilterRuleInput } from './schema.ts';
import { deriveFeedId } from './feed-id.ts';
import { overrideProblems, STRING_KEYS, type Message, type StringKey } from '../i18n/index.ts';

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
  return resolveConfig(parseJson(text, abs), abs);
}

/** JSON.parse, with the line and column of a syntax error (V8's message does not always say where). */
export function parseJson(text: string, file: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    // V8 appends an offset or an excerpt of the text; the line and column say it better.
    const reason = ((err as Error).message.split('\n')[0] ?? '').replace(/( in JSON)? at position \d+.*$|, (\.\.\.)?".*$/, '');
    const offset = syntaxErrorOffset(body);
    const before = body.slice(0, offset).split('\n');
    const where = `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
    throw new ConfigError(file, [{ path: '', message: `not valid JSON (${where}): ${reason}` }]);
  }
}

/** Where the first JSON syntax error is: a small recursive-descent reader that stops there. */
function syntaxErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const expect = (c: string) => (text[i] === c ? i++ : fail());
  const string = () => {
    expect('"');
    while (i < text.length && text[i] !== '"') {
      if (text[i]! < ' ') fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    expect('"');
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(':');
        value();
        ws();
        if (text[i] === ',') i++;
        else return void expect('}');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else return void expect(']');
      }
    } else if (c === '"') string();
    else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}

/** Validates already-parsed JSON; `file` is used for messages and relative paths. */
export function resolveConfig(json: unknown, file: string): Config {
  const parsed = configSchema.safeParse(json);
  // Report every problem at once: the schema's, and the URL and id checks it cannot express.
  const rawFeeds = (json as { feeds?: unknown } | null)?.feeds;
  const feedCheck = checkFeeds(Array.isArray(rawFeeds) ? rawFeeds : [], path.dirname(file));
  const stringProblems = checkStrings((json as { site?: { strings?: unknown } } | null)?.site?.strings);
  if (!parsed.success || feedCheck.problems.length > 0 || stringProblems.length > 0) {
    const problems = [
      ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issueMessage(issue) }))),
      ...feedCheck.problems,
      ...stringProblems,
    ];
    throw new ConfigError(file, problems);
  }
  return freeze(normalize(parsed.data, file, feedCheck.resolved));
}

/**
 * The placeholders and plural forms of each `site.strings` entry the schema can
 * read (a known key, a text or forms): what zod cannot say, as it cannot see the key.
 */
function checkStrings(strings: unknown): { path: string; message: string }[] {
  if (!strings || typeof strings !== 'object' || Array.isArray(strings)) return [];
  return Object.entries(strings).flatMap(([key, value]) => {
    const forms = typeof value === 'string' || (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { other?: unknown }).other === 'string');
    if (!forms || !STRING_KEYS.includes(key as StringKey)) return [];
    return overrideProblems(key as StringKey, value as Message).map((message) => ({ path: jsonPath(['site', 'strings', key]), message }));
  });
}

/** Resolves each feed's URL and id; duplicate ids and unusable URLs are problems. */
function checkFeeds(feeds: unknown[], dir: string) {
  const problems: { path: string; message: string }[] = [];
  const resolved: { id: string; url: string }[] = [];
  const seen = new Map<string, number>();
  // A derived id must not take an id that a later feed states explicitly.
  const explicit = new Set(feeds.flatMap((f) => (typeof (f as { id?: unknown } | null)?.id === 'string' ? [(f as { id: string }).id] : [])));
  feeds.forEach((f, i) => {
    const raw = f as { id?: unknown; url?: unknown } | null;
    if (typeof raw?.url !== 'string' || raw.url.trim() === '') return; // the schema reports it
    const url = resolveFeedUrl(raw.url.trim(), dir);
    if (url === null) {
      problems.push({ path: `feeds[${i}].url`, message: `expected an http(s) URL, a file: URL or a path, got ${JSON.stringify(raw.url)}` });
    }
    const id = typeof raw.id === 'string' ? raw.id : deriveFeedId(url ?? raw.url, new Set([...explicit, ...seen.keys()]));
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
    // user:password in a feed URL is a secret: it becomes an Authorization header (never
    // published) and the URL, which the site, the OPML and the report show, goes without it.
    ...withoutUserinfo(resolved[i]!.url, f.headers),
    title: f.title ?? null,
    category: f.category ?? null,
    enabled: f.enabled,
    language: f.language ?? null,
    userAgent: f.userAgent ?? null,
    maxItems: f.maxItems ?? null,
    proxy: f.proxy ?? null,
    filters: filterConfig(f.filters),
    fullText: f.fullText,
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
      strings: data.site.strings,
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
      feedDeadlineMs: Math.round(data.fetch.feedDeadlineSeconds * 1000),
      retries: data.fetch.retries,
      maxBytes: data.fetch.maxBytes,
      maxRedirects: data.fetch.maxRedirects,
      userAgent: data.fetch.userAgent ?? DEFAULT_USER_AGENT,
      pageDelayMs: Math.round(data.fetch.pageDelaySeconds * 1000),
    },
    archive: {
      maxItemsPerFeed: data.archive.maxItemsPerFeed ?? null,
      maxAgeDays: data.archive.maxAgeDays ?? null,
    },
    assets: data.assets
      ? {
          cdn: data.assets.cdn,
          repo: data.assets.repo,
          host: data.assets.host,
          shardBytes: Math.floor(data.assets.shardMB * 1_000_000),
          tagPrefix: data.assets.tagPrefix,
          sealAfterMs: Math.round(data.assets.sealAfterHours * 3_600_000),
        }
      : null,
    filters: filterConfig(data.filters),
    feeds,
  };
}

/** A bare string matches every field, ignoring case. */
function filterConfig(input: { include: FilterRuleInput[]; exclude: FilterRuleInput[] }): FilterConfig {
  const rule = (r: FilterRuleInput): FilterRule =>
    typeof r === 'string'
      ? { pattern: r, flags: 'i', fields: [...FILTER_FIELDS] }
      : { pattern: r.pattern, flags: r.caseSensitive ? '' : 'i', fields: [...new Set(r.fields)] };
  return { include: input.include.map(rule), exclude: input.exclude.map(rule) };
}

/** zod's message, plus the nearest known key for a typo ("tittle" → "title"). */
function issueMessage(issue: { code: string; message: string; path: readonly PropertyKey[]; keys?: string[] }): string {
  if (issue.code !== 'unrecognized_keys' || !issue.keys) return issue.message;
  const known = knownKeys(issue.path);
  const hints = issue.keys.map((k) => {
    const near = closest(k, known);
    return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
  });
  // A long list (the catalog's keys under site.strings) is documented rather than printed.
  const allowed = known.length > 0 && known.length <= 30 ? `; allowed here: ${known.join(', ')}` : '';
  return `unknown key${issue.keys.length > 1 ? 's' : ''} ${hints.join(', ')}${allowed}`;
}

/** The keys the schema allows at a JSON path, found by walking the zod schema itself. */
export function knownKeys(at: readonly PropertyKey[]): string[] {
  let node: SchemaNode | undefined = configSchema as unknown as SchemaNode;
  for (const part of at) {
    node = unwrap(node);
    if (typeof part === 'number') node = node?._zod.def.type === 'array' ? node._zod.def.element : undefined;
    else node = objectIn(node)?._zod.def.shape?.[String(part)];
  }
  node = unwrap(node);
  // site.strings: a record whose keys are an enum (the catalog's keys).
  if (node?._zod.def.type === 'record') return Object.keys(unwrap(node._zod.def.keyType)?._zod.def.entries ?? {});
  return Object.keys(objectIn(node)?._zod.def.shape ?? {});
}

/** Strips defaults, prefaults and optionals. */
function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  while (node && node._zod.def.innerType) node = node._zod.def.innerType;
  return node;
}

/** The object schema itself, or the object branch of a union (a filter rule is a string or an object). */
function objectIn(node: SchemaNode | undefined): SchemaNode | undefined {
  if (node?._zod.def.type === 'union') return node._zod.def.options?.map(unwrap).find((o) => o?._zod.def.type === 'object');
  return node?._zod.def.type === 'object' ? node : undefined;
}

/** The structural view of zod 4's schema internals that knownKeys needs. */
interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaNode>;
  innerType?: SchemaNode;
  element?: SchemaNode;
  options?: SchemaNode[];
  keyType?: SchemaNode;
  entries?: Record<string, string>;
}
interface SchemaNode {
  _zod: { def: SchemaDef };
}

function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** http(s) and file: URLs pass; anything else is a path relative to feeds.json. */
/** A feed URL without its user:password, which move into an Authorization header (unless one is given). */
function withoutUserinfo(url: string, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, headers };
  }
  if (!u.username && !u.password) return { url, headers };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  return { url: u.href, headers: hasAuth ? headers : { ...headers, Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

export function resolveFeedUrl(raw: string, dir: string): string | null {
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

/** ["feeds", 0, "url"] → "feeds[0].url"; a key that is not a name is quoted: site.strings["nav.latest"]. */
function jsonPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : !/^[A-Za-z_$][\w$]*$/.test(String(p)) ? `[${JSON.stringify(String(p))}]` : i === 0 ? String(p) : `.${String(p)}`,
    )
    .join('');
}

function freeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) freeze(v);
    Object.freeze(value);
  }
  return value;
}
