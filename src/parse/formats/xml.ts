/**
 * RSS 0.9x / 1.0 (RDF) / 2.0 and Atom 0.3 / 1.0, through rss-parser's
 * `parseString` (never `parseURL`: fetch decodes charsets itself).
 *
 * rss-parser converts Atom dates with an unguarded `toISOString()`, so one
 * bad date would throw away the whole feed; and it drops xml:base, Atom
 * categories and Media RSS. We therefore hook its per-item builders to keep
 * the raw xml2js node of each item and read those fields ourselves, with
 * Atom's published/updated taken out of rss-parser's reach.
 */
import Parser from 'rss-parser';
import type { Attachment, FeedDoc, FeedFormat } from '../../model/feed.ts';
import { parseDate, type DateHints } from '../dates.ts';
import { absoluteUrl, normalizeLink } from '../links.ts';
import { plainText, textOf } from '../text.ts';
import { keepFirstItems, repairXml, truncateToLastItem } from '../xml-repair.ts';
import type { RawItem, ParseInput } from '../raw-item.ts';
import { MAX_ITEMS } from '../raw-item.ts';

/** An xml2js node: attributes under `$`, text under `_`, children as arrays. */
type XmlNode = { $?: Record<string, string>; _?: string } & { [key: string]: unknown };
type ParsedRss = Parser.Output<Record<string, unknown>> & { language?: string; description?: string; icon?: string; logo?: string };

/** The private hooks of rss-parser 3.13 we wrap (stable: the package is no longer released). */
interface ParserInternals {
  parseItemAtom(entry: XmlNode): Record<string, unknown>;
  parseItemRss(item: XmlNode, fields: unknown): Record<string, unknown>;
  buildAtomFeed(xml: { feed: XmlNode }): Record<string, unknown>;
}

const RAW = Symbol('raw');

function makeParser(): Parser {
  const parser = new Parser({ customFields: { feed: ['language', 'icon', 'logo', 'subtitle', 'tagline'] as never[] } });
  const internals = parser as unknown as ParserInternals;
  const atomItem = internals.parseItemAtom.bind(parser);
  internals.parseItemAtom = (entry) => {
    // Keep the dates away from rss-parser's unguarded Date conversion.
    const { published: _p, updated: _u, issued: _i, modified: _m, ...rest } = entry;
    const item = atomItem(rest as XmlNode);
    return Object.assign(item, { [RAW]: entry });
  };
  const rssItem = internals.parseItemRss.bind(parser);
  internals.parseItemRss = (xmlItem, fields) => {
    const item = rssItem(xmlItem, fields);
    return Object.assign(item, { [RAW]: xmlItem });
  };
  const atomFeed = internals.buildAtomFeed.bind(parser);
  internals.buildAtomFeed = (xml) => Object.assign(atomFeed(xml), { [RAW]: xml.feed });
  return parser;
}

export async function parseXmlFeed(text: string, input: ParseInput): Promise<{ doc: Omit<FeedDoc, 'items'>; items: RawItem[] }> {
  const warnings: string[] = [];
  // The item cap first: repairing 100,000 items would cost as much as parsing them.
  const max = input.maxItems ?? MAX_ITEMS;
  const cut = keepFirstItems(text, max);
  if (cut) warnings.push(`the document lists ${cut.listed} items; only the first ${max} are read (feeds[].maxItems reads more)`);
  const xml = repairXml(cut ? cut.xml : text);
  let feed: ParsedRss;
  try {
    feed = (await makeParser().parseString(xml)) as ParsedRss;
  } catch (err) {
    // Not damage: rss-parser rebuilds nested markup recursively, and thousands of levels overflow the stack.
    if (err instanceof RangeError) throw new Error('elements are nested too deeply to read (thousands of levels)', { cause: err });
    const truncated = truncateToLastItem(xml);
    if (!truncated) {
      if (/not recognized/i.test(firstLine(err))) throw err;
      throw new Error(`malformed XML with no complete item before the damage (${firstLine(err)}); the download may have been cut off`, { cause: err });
    }
    try {
      feed = (await makeParser().parseString(truncated)) as ParsedRss;
    } catch {
      throw new Error(`malformed XML that could not be recovered (${firstLine(err)})`, { cause: err });
    }
    warnings.push(`the document is malformed or cut off (${firstLine(err)}); kept the ${feed.items.length} items before the damage`);
  }

  const rawFeed = (feed as unknown as Record<symbol, XmlNode | undefined>)[RAW];
  const format: FeedFormat = rawFeed ? 'atom' : /<rdf:RDF[\s>]/.test(xml.slice(0, 2000)) ? 'rdf' : 'rss';
  const feedBase = absoluteUrl(rawFeed?.$?.['xml:base'], input.url) ?? input.url;
  const homeUrl = normalizeLink(feed.link, feedBase);
  const language = plainText(feed.language) || rawFeed?.$?.['xml:lang'] || null;
  const dates: DateHints = { language: input.language ?? language, timezone: input.timezone ?? null };
  // Atom: an entry without an author has the feed's.
  const feedAuthor = rawFeed ? authorOf(rawFeed) : null;

  const items = feed.items.map((item): RawItem => {
    const raw = (item as unknown as Record<symbol, XmlNode>)[RAW] ?? {};
    const base = absoluteUrl(raw.$?.['xml:base'], feedBase) ?? feedBase;
    const parsed = format === 'atom' ? atomItem(item, raw, base, dates, warnings, feedAuthor) : rssItem(item, raw, base, dates, warnings);
    return { ...parsed, baseIsExplicit: Boolean(raw.$?.['xml:base'] || rawFeed?.$?.['xml:base']) };
  });

  return {
    doc: {
      format,
      title: plainText(feed.title) || null,
      homeUrl,
      description: plainText(feed.description ?? (feed as { subtitle?: unknown }).subtitle ?? (feed as { tagline?: unknown }).tagline) || null,
      iconUrl: absoluteUrl(feed.image?.url ?? feed.icon ?? feed.logo, feedBase),
      language,
      warnings,
    },
    items,
  };
}

function rssItem(item: Record<string, unknown>, raw: XmlNode, base: string, dates: DateHints, warnings: string[]): Omit<RawItem, 'baseIsExplicit'> {
  const encoded = textOf(raw['content:encoded']);
  const description = textOf(raw.description);
  const dateRaw = textOf(raw.pubDate) || textOf(raw['dc:date']);
  const published = parseDate(dateRaw, dates);
  if (dateRaw && !published) warnings.push(`unreadable date "${dateRaw}" on "${plainText(item.title)}"`);
  const guidNode = Array.isArray(raw.guid) ? (raw.guid[0] as XmlNode | string) : undefined;
  const guid = textOf(guidNode) || null;
  const guidIsLink = typeof guidNode === 'object' ? guidNode.$?.isPermaLink !== 'false' : true;
  return {
    title: textOf(raw.title) || textOf(raw['dc:title']),
    link: textOf(raw.link) || raw.$?.['rdf:about'] || (guid && guidIsLink ? guid : null),
    guid,
    author: textOf(raw['dc:creator']) || textOf(raw.author) || null,
    published,
    updated: parseDate(textOf(raw['dc:modified']) || textOf(raw['atom:updated']), dates),
    contentHtml: encoded || description,
    categories: [...nodes(raw.category), ...nodes(raw['dc:subject'])].map((c) => plainText(c)).filter(Boolean),
    attachments: enclosures(raw, base),
    thumbnail: mediaThumbnail(raw, base),
    base,
  };
}

function atomItem(
  item: Record<string, unknown>,
  raw: XmlNode,
  base: string,
  dates: DateHints,
  warnings: string[],
  feedAuthor: string | null,
): Omit<RawItem, 'baseIsExplicit'> {
  // Atom 0.3 says issued/created/modified where 1.0 says published/updated.
  const publishedRaw = textOf(raw.published) || textOf(raw.issued) || textOf(raw.created);
  const updatedRaw = textOf(raw.updated) || textOf(raw.modified);
  const published = parseDate(publishedRaw, dates);
  const updated = parseDate(updatedRaw, dates);
  for (const d of [publishedRaw, updatedRaw]) {
    if (d && !parseDate(d, dates)) warnings.push(`unreadable date "${d}" on "${plainText(item.title)}"`);
  }
  const links = nodes(raw.link) as XmlNode[];
  const alternate = links.find((l) => !l.$?.rel || l.$.rel === 'alternate') ?? links[0];
  const attachments: Attachment[] = links
    .filter((l) => l.$?.rel === 'enclosure' && l.$.href)
    .flatMap((l) => attachment(l.$?.href, l.$?.type, l.$?.length, base));
  return {
    title: textOf(raw.title),
    link: alternate?.$?.href ?? null,
    guid: textOf(raw.id) || null,
    author: authorOf(raw) ?? feedAuthor,
    published: published ?? updated,
    updated: published ? updated : null,
    contentHtml: textConstruct(nodes(raw.content)[0]) || textConstruct(nodes(raw.summary)[0]),
    categories: (nodes(raw.category) as XmlNode[]).map((c) => plainText(c.$?.label ?? c.$?.term ?? textOf(c))).filter(Boolean),
    attachments: [...attachments, ...enclosures(raw, base)],
    thumbnail: mediaThumbnail(raw, base),
    base,
  };
}

/** The names of an Atom element's authors (Atom allows several). */
function authorOf(node: XmlNode): string | null {
  const names = (nodes(node.author) as XmlNode[]).map((a) => plainText(textOf(a.name) || textOf(a))).filter(Boolean);
  return names.length > 0 ? names.join(', ') : null;
}

/**
 * An Atom text construct as HTML. xml-repair has already turned inline
 * XHTML into escaped HTML, so what is left is text or HTML; text is escaped
 * (`<not a tag>` in a type="text" summary is words, not markup). Content
 * with no type is taken as HTML, as feeds in the wild mean it.
 */
function textConstruct(node: unknown): string {
  const text = textOf(node);
  if (!text) return '';
  const type = typeof node === 'object' && node !== null ? (node as XmlNode).$?.type?.toLowerCase() : undefined;
  return type === 'text' || type === 'text/plain' ? escapeHtml(text).replace(/\n/g, '<br>') : text;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function nodes(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function enclosures(raw: XmlNode, base: string): Attachment[] {
  const out: Attachment[] = [];
  for (const e of nodes(raw.enclosure) as XmlNode[]) out.push(...attachment(e.$?.url, e.$?.type, e.$?.length, base));
  const playable = (m: XmlNode) => {
    const type = m.$?.type ?? (m.$?.medium === 'audio' ? 'audio/*' : m.$?.medium === 'video' ? 'video/*' : undefined);
    return type && !type.startsWith('image/') ? attachment(m.$?.url, type, m.$?.fileSize, base) : [];
  };
  for (const m of nodes(raw['media:content']) as XmlNode[]) out.push(...playable(m));
  // A media:group holds renditions of one thing: keep the default one (or the first).
  for (const group of nodes(raw['media:group']) as XmlNode[]) {
    const renditions = (nodes(group['media:content']) as XmlNode[]).filter((m) => playable(m).length > 0);
    const chosen = renditions.find((m) => m.$?.isDefault === 'true') ?? renditions[0];
    if (chosen) out.push(...playable(chosen));
  }
  const seen = new Set<string>();
  return out.filter((a) => !seen.has(a.url) && seen.add(a.url));
}

function attachment(url: string | undefined, type: string | undefined, length: string | undefined, base: string): Attachment[] {
  const abs = absoluteUrl(url, base);
  if (!abs) return [];
  const size = Number(length);
  return [{ url: abs, mimeType: type?.trim() || 'application/octet-stream', sizeBytes: Number.isFinite(size) && size > 0 ? size : null, title: null }];
}

/**
 * The item's picture: a Media RSS image (the full-size media:content beats
 * its media:thumbnail, since images are resized anyway), else the
 * thumbnail (a video's poster), else an image enclosure, else itunes:image.
 */
function mediaThumbnail(raw: XmlNode, base: string): string | null {
  for (const group of [raw, ...(nodes(raw['media:group']) as XmlNode[])]) {
    const image = (nodes(group['media:content']) as XmlNode[]).find(
      (m) => m.$?.medium === 'image' || m.$?.type?.startsWith('image/'),
    );
    if (image?.$?.url) return absoluteUrl(image.$.url, base);
    const thumb = (nodes(group['media:thumbnail']) as XmlNode[])[0]?.$?.url;
    if (thumb) return absoluteUrl(thumb, base);
  }
  const enclosure = (nodes(raw.enclosure) as XmlNode[]).find((e) => e.$?.type?.startsWith('image/'));
  const itunes = (nodes(raw['itunes:image']) as XmlNode[])[0]?.$?.href;
  return absoluteUrl(enclosure?.$?.url ?? itunes, base);
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
}
