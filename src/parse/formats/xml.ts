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
import { parseDate } from '../dates.ts';
import { absoluteUrl } from '../links.ts';
import { plainText, textOf } from '../text.ts';
import { repairXml, truncateToLastItem } from '../xml-repair.ts';
import type { RawItem, ParseInput } from '../raw-item.ts';

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
  const parser = new Parser({ customFields: { feed: ['language', 'icon', 'logo', 'subtitle'] as never[] } });
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
  const xml = repairXml(text);
  let feed: ParsedRss;
  try {
    feed = (await makeParser().parseString(xml)) as ParsedRss;
  } catch (err) {
    const truncated = truncateToLastItem(xml);
    if (!truncated) throw err;
    feed = (await makeParser().parseString(truncated)) as ParsedRss;
    warnings.push(`the document is malformed (${firstLine(err)}); kept the ${feed.items.length} items before the damage`);
  }

  const rawFeed = (feed as unknown as Record<symbol, XmlNode | undefined>)[RAW];
  const format: FeedFormat = rawFeed ? 'atom' : /<rdf:RDF[\s>]/.test(xml.slice(0, 2000)) ? 'rdf' : 'rss';
  const feedBase = absoluteUrl(rawFeed?.$?.['xml:base'], input.url) ?? input.url;
  const homeUrl = absoluteUrl(feed.link, feedBase);
  const language = plainText(feed.language) || rawFeed?.$?.['xml:lang'] || null;

  const items = feed.items.map((item): RawItem => {
    const raw = (item as unknown as Record<symbol, XmlNode>)[RAW] ?? {};
    const base = absoluteUrl(raw.$?.['xml:base'], feedBase) ?? feedBase;
    const parsed = format === 'atom' ? atomItem(item, raw, base, language, warnings) : rssItem(item, raw, base, language, warnings);
    return { ...parsed, baseIsExplicit: Boolean(raw.$?.['xml:base'] || rawFeed?.$?.['xml:base']) };
  });

  return {
    doc: {
      format,
      title: plainText(feed.title) || null,
      homeUrl,
      description: plainText(feed.description ?? (feed as { subtitle?: unknown }).subtitle) || null,
      iconUrl: absoluteUrl(feed.image?.url ?? feed.icon ?? feed.logo, feedBase),
      language,
      warnings,
    },
    items,
  };
}

function rssItem(item: Record<string, unknown>, raw: XmlNode, base: string, language: string | null, warnings: string[]): Omit<RawItem, 'baseIsExplicit'> {
  const encoded = textOf(raw['content:encoded']);
  const description = textOf(raw.description);
  const dateRaw = textOf(raw.pubDate) || textOf(raw['dc:date']);
  const published = parseDate(dateRaw, { language });
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
    updated: parseDate(textOf(raw['dc:modified']) || textOf(raw['atom:updated']), { language }),
    contentHtml: encoded || description,
    categories: [...nodes(raw.category), ...nodes(raw['dc:subject'])].map((c) => plainText(c)).filter(Boolean),
    attachments: enclosures(raw, base),
    thumbnail: mediaThumbnail(raw, base),
    base,
  };
}

function atomItem(item: Record<string, unknown>, raw: XmlNode, base: string, language: string | null, warnings: string[]): Omit<RawItem, 'baseIsExplicit'> {
  const publishedRaw = textOf(raw.published) || textOf(raw.issued);
  const updatedRaw = textOf(raw.updated) || textOf(raw.modified);
  const published = parseDate(publishedRaw, { language });
  const updated = parseDate(updatedRaw, { language });
  for (const d of [publishedRaw, updatedRaw]) {
    if (d && !parseDate(d, { language })) warnings.push(`unreadable date "${d}" on "${plainText(item.title)}"`);
  }
  const links = nodes(raw.link) as XmlNode[];
  const alternate = links.find((l) => !l.$?.rel || l.$.rel === 'alternate') ?? links[0];
  const attachments: Attachment[] = links
    .filter((l) => l.$?.rel === 'enclosure' && l.$.href)
    .flatMap((l) => attachment(l.$?.href, l.$?.type, l.$?.length, base));
  const authorNode = nodes(raw.author)[0] as XmlNode | undefined;
  return {
    title: textOf(raw.title),
    link: alternate?.$?.href ?? null,
    guid: textOf(raw.id) || null,
    author: authorNode ? textOf(authorNode.name) || textOf(authorNode) || null : null,
    published: published ?? updated,
    updated: published ? updated : null,
    contentHtml: typeof item.content === 'string' && item.content ? item.content : typeof item.summary === 'string' ? item.summary : '',
    categories: (nodes(raw.category) as XmlNode[]).map((c) => plainText(c.$?.label ?? c.$?.term ?? textOf(c))).filter(Boolean),
    attachments: [...attachments, ...enclosures(raw, base)],
    thumbnail: mediaThumbnail(raw, base),
    base,
  };
}

function nodes(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function enclosures(raw: XmlNode, base: string): Attachment[] {
  const out: Attachment[] = [];
  for (const e of nodes(raw.enclosure) as XmlNode[]) out.push(...attachment(e.$?.url, e.$?.type, e.$?.length, base));
  for (const group of [raw, ...(nodes(raw['media:group']) as XmlNode[])]) {
    for (const m of nodes(group['media:content']) as XmlNode[]) {
      const type = m.$?.type ?? (m.$?.medium === 'image' ? 'image/*' : undefined);
      if (type && !type.startsWith('image/')) out.push(...attachment(m.$?.url, type, m.$?.fileSize, base));
    }
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

function mediaThumbnail(raw: XmlNode, base: string): string | null {
  for (const group of [raw, ...(nodes(raw['media:group']) as XmlNode[])]) {
    const thumb = (nodes(group['media:thumbnail']) as XmlNode[])[0]?.$?.url;
    if (thumb) return absoluteUrl(thumb, base);
    const image = (nodes(group['media:content']) as XmlNode[]).find(
      (m) => m.$?.medium === 'image' || m.$?.type?.startsWith('image/'),
    );
    if (image?.$?.url) return absoluteUrl(image.$.url, base);
  }
  const enclosure = (nodes(raw.enclosure) as XmlNode[]).find((e) => e.$?.type?.startsWith('image/'));
  return absoluteUrl(enclosure?.$?.url, base);
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
}
