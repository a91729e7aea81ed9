/**
 * RSS 0.9x / 1.0 (RDF) / 2.0 and Atom 0.3 / 1.0, through rss-parser's
 * `parseString` (never `parseURL`: fetch decodes charsets itself).
 *
 * rss-parser decides what the document is and lists its items; its xml2js
 * tree gives guids, enclosures, Media RSS, categories, authors and the
 * feed's language and icon. What that tree loses is read by a second pass
 * over the same text (xml-scan.ts): text constructs as their format defines
 * them (text-construct.ts), HTML written as elements, namespaced elements
 * whatever their prefix (dcterms dates, xhtml:body, media:description),
 * Atom links by their rel, and the nearest xml:base.
 *
 * rss-parser converts Atom dates with an unguarded `toISOString()`, so one
 * bad date would throw away the whole feed: its per-item builders are
 * hooked to keep the dates out of its reach and the raw node of each item.
 */
import Parser from 'rss-parser';
import type { Attachment, FeedDoc, FeedFormat } from '../../model/feed.ts';
import { escapeAttribute, escapeText } from 'entities';
import { parseDate, type DateHints } from '../dates.ts';
import { absoluteUrl, normalizeLink } from '../links.ts';
import { plainText, textOf } from '../text.ts';
import { asHtml, asLine, asText, atomContentSource, atomText, mediaText, rssHtml, rssText, type TextValue } from '../text-construct.ts';
import { repairAndCap, truncateToLastItem } from '../xml-repair.ts';
import { scanFeedXml, type XmlElement } from '../xml-scan.ts';
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
  // defaultRSS: an <rss> without a version (real feeds do this) is read as the RSS 2.0 it is.
  const parser = new Parser({ defaultRSS: 2, customFields: { feed: ['language', 'icon', 'logo'] as never[] } });
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
  // The item cap comes first: repairing 100,000 items would cost as much as parsing them.
  const max = input.maxItems ?? MAX_ITEMS;
  const repaired = repairAndCap(text, max);
  if (repaired.listed !== null) warnings.push(`the document lists ${repaired.listed} items; only the first ${max} are read (feeds[].maxItems reads more)`);
  let xml = repaired.xml;
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
    xml = truncated;
    warnings.push(`the document is malformed or cut off (${firstLine(err)}); kept the ${feed.items.length} items before the damage`);
  }

  // The second pass reads exactly the text rss-parser read, so both list the same items.
  const scan = scanFeedXml(xml, input.url);
  const rawFeed = (feed as unknown as Record<symbol, XmlNode | undefined>)[RAW];
  const format: FeedFormat = rawFeed ? 'atom' : scan.root?.name === 'rdf:RDF' ? 'rdf' : 'rss';
  const reader: Reader = format === 'atom' ? atomReader(scan.root?.attrs ?? {}) : RSS_READER;
  const feedFields = fieldsOf(scan.feed, reader.core);
  const language = plainText(feed.language) || rawFeed?.$?.['xml:lang'] || null;
  const dates: DateHints = { language: input.language ?? language, timezone: input.timezone ?? null };
  // Atom: an entry without an author has the feed's.
  const feedAuthor = rawFeed ? authorOf(rawFeed) : null;

  const aligned = scan.items.length === feed.items.length;
  if (!aligned) warnings.push(`the second reading of the document found ${scan.items.length} items where rss-parser found ${feed.items.length}; read what rss-parser saw`);
  const items = feed.items.map((item, i): RawItem => {
    const raw = (item as unknown as Record<symbol, XmlNode>)[RAW] ?? {};
    const scanned = aligned ? scan.items[i]! : { element: null, children: fromXml2js(raw, scan.feedBase) };
    const base = scanned.element?.base ?? scan.feedBase;
    const context: ItemContext = { raw, fields: fieldsOf(scanned.children, reader.core), base, dates, warnings };
    const parsed = reader.item(context, feedAuthor);
    return { ...parsed, baseIsExplicit: parsed.baseIsExplicit || (scanned.element?.explicitBase ?? false) };
  });

  return {
    doc: {
      format,
      title: reader.feedTitle(feedFields) || plainText(feed.title) || null,
      homeUrl: reader.homeUrl(feedFields),
      description: reader.feedDescription(feedFields) || null,
      iconUrl: absoluteUrl(feed.image?.url ?? feed.icon ?? feed.logo, scan.feedBase),
      language,
      warnings,
    },
    items,
  };
}

/** One format's way of reading the scanned elements. */
interface Reader {
  /** Namespaces whose elements are the format's own ('' is none). */
  core: string[];
  item(context: ItemContext, feedAuthor: string | null): RawItem;
  feedTitle(fields: Fields): string;
  feedDescription(fields: Fields): string;
  homeUrl(fields: Fields): string | null;
}

interface ItemContext {
  raw: XmlNode;
  fields: Fields;
  /** The item's base URI (its own xml:base, else its ancestors', else the document's URL). */
  base: string;
  dates: DateHints;
  warnings: string[];
}

const RSS_READER: Reader = {
  core: ['', 'rss'],
  item({ raw, fields, base, dates, warnings }) {
    const titleEl = fields.first('title', 'dc:title');
    const title = titleEl ? asLine(rssText(titleEl)) : '';
    // Full content first; a description beside it is the item's summary.
    const full = fields.first('content:encoded', 'xhtml:body', 'fullitem');
    const description = fields.first('description', 'dc:description');
    const media = mediaDescription(fields);
    const contentEl = full ?? description;
    const content: TextValue | null = contentEl ? rssHtml(contentEl) : media ? mediaText(media) : null;
    const guidNode = Array.isArray(raw.guid) ? (raw.guid[0] as XmlNode | string) : undefined;
    const guid = textOf(guidNode).trim() || null;
    const guidIsLink = typeof guidNode === 'object' ? guidNode.$?.isPermaLink?.trim() !== 'false' : true;
    const linkEl = fields.first('link');
    return {
      title,
      link: (linkEl ? absoluteUrl(linkEl.text.trim(), linkEl.base) ?? linkEl.text.trim() : null) || raw.$?.['rdf:about'] || (guid && guidIsLink ? guid : null),
      guid,
      author: textOf(raw['dc:creator']) || textOf(raw.author) || null,
      ...itemDates(fields, ['pubDate', 'dc:date', 'dcterms:issued', 'dcterms:created'], ['dcterms:modified', 'dc:modified', 'atom:updated'], title, dates, warnings),
      contentHtml: content ? asHtml(content) : '',
      summary: full && description ? asText(rssHtml(description)) || null : null,
      categories: [...nodes(raw.category), ...nodes(raw['dc:subject'])].map((c) => plainText(c)).filter(Boolean),
      attachments: enclosures(raw, base),
      thumbnail: mediaThumbnail(raw, base),
      base: (contentEl ?? media)?.base ?? base,
      baseIsExplicit: (contentEl ?? media)?.explicitBase ?? false,
    };
  },
  feedTitle: (fields) => {
    const el = fields.first('title', 'dc:title');
    return el ? asLine(rssText(el)) : '';
  },
  feedDescription: (fields) => {
    const el = fields.first('description', 'dc:description');
    return el ? asLine(rssText(el)) : '';
  },
  homeUrl: (fields) => {
    const el = fields.first('link');
    return el ? normalizeLink(el.text.trim(), el.base) : null;
  },
};

function atomReader(rootAttrs: Record<string, string>): Reader {
  // Atom 0.3 names its version on the root and spells text types as MIME types (RFC 4287 is 1.0).
  const version = rootAttrs.version?.trim().startsWith('0.') || rootAttrs.xmlns?.trim() === 'http://purl.org/atom/ns#' ? '0.3' : '1.0';
  const text = (el: XmlElement | undefined) => (el ? atomText(el, version) : null);
  return {
    core: ['atom', ''],
    item({ raw, fields, base, dates, warnings }, feedAuthor) {
      const title = asLine(text(fields.first('title')) ?? { type: 'text', value: '' });
      const contentEl = fields.first('content');
      const summaryEl = fields.first('summary');
      const content = text(contentEl);
      const summary = text(summaryEl);
      const media = mediaDescription(fields);
      // Content that cannot be shown inline (out of line, or binary data): the summary, else a link to it.
      const source = contentEl ? atomContentSource(contentEl) : null;
      const shown: TextValue | null = content ?? summary ?? (source ? linkTo(source) : null) ?? (media ? mediaText(media) : null);
      const shownEl = content ? contentEl : summary ? summaryEl : media && !source ? media : undefined;
      const link = alternateLink(fields.all('link'));
      const attachments: Attachment[] = fields
        .all('link')
        .filter((l) => relOf(l) === 'enclosure' && l.attrs.href)
        .flatMap((l) => attachment(l.attrs.href, l.attrs.type, l.attrs.length, l.base));
      return {
        title,
        link,
        guid: fields.first('id')?.text.trim() || null,
        author: authorOf(raw) ?? feedAuthor,
        // Atom 0.3 says issued/created/modified where 1.0 says published/updated.
        ...itemDates(fields, ['published', 'issued', 'created', 'dcterms:issued', 'dcterms:created'], ['updated', 'modified', 'dcterms:modified'], title, dates, warnings),
        contentHtml: shown ? asHtml(shown) : '',
        summary: content && summary ? asText(summary) || null : null,
        categories: (nodes(raw.category) as XmlNode[]).map((c) => plainText(c.$?.label ?? c.$?.term ?? textOf(c))).filter(Boolean),
        attachments: [...attachments, ...enclosures(raw, base)],
        thumbnail: mediaThumbnail(raw, base),
        base: shownEl?.base ?? base,
        baseIsExplicit: shownEl?.explicitBase ?? false,
      };
    },
    feedTitle: (fields) => asLine(text(fields.first('title')) ?? { type: 'text', value: '' }),
    feedDescription: (fields) => asLine(text(fields.first('subtitle', 'tagline')) ?? { type: 'text', value: '' }),
    homeUrl: (fields) => {
      const link = alternateLink(fields.all('link'));
      return link ? normalizeLink(link) : null;
    },
  };
}

/**
 * Published and updated dates from the first element of each list that
 * holds a date (feeds write several; dcterms ones are found whatever their
 * prefix). A feed that gives only an update time has it as its publication.
 */
function itemDates(fields: Fields, publishedNames: string[], updatedNames: string[], title: string, hints: DateHints, warnings: string[]): { published: string | null; updated: string | null } {
  const read = (names: string[]) => {
    const raw = fields.first(...names)?.text.trim() ?? '';
    const date = parseDate(raw, hints);
    if (raw && !date) warnings.push(`unreadable date "${raw}" on "${title}"`);
    return date;
  };
  const published = read(publishedNames);
  const updated = read(updatedNames);
  return { published: published ?? updated, updated: published ? updated : null };
}

/**
 * An Atom entry's (or feed's) link to its page: RFC 4287 says a link with
 * no rel is rel="alternate"; an HTML one is preferred when there are several.
 * Self, edit, enclosure and other links are never the page. Resolved
 * against the link's own base.
 */
function alternateLink(links: XmlElement[]): string | null {
  const alternates = links.filter((l) => relOf(l) === 'alternate' && l.attrs.href?.trim());
  const html = alternates.find((l) => /^(text\/html|application\/xhtml\+xml)\b/i.test(l.attrs.type?.trim() ?? 'text/html'));
  const chosen = html ?? alternates[0];
  return chosen ? absoluteUrl(chosen.attrs.href!.trim(), chosen.base) : null;
}

function relOf(link: XmlElement): string {
  return link.attrs.rel?.trim().toLowerCase() || 'alternate';
}

/** A Media RSS description: on the item, else in a media:group (YouTube puts a video's text there). */
function mediaDescription(fields: Fields): XmlElement | undefined {
  return fields.first('media:description') ?? fields.all('media:group').flatMap((g) => g.children).find((c) => c.ns === 'media' && c.name === 'description' && hasContent(c));
}

function linkTo(url: string): TextValue {
  return { type: 'html', value: `<p><a href="${escapeAttribute(url)}">${escapeText(url)}</a></p>` };
}

/** Lookup of scanned elements by `prefix:name`, where a bare name is one of the format's own. */
interface Fields {
  /** The first element that holds something, trying the names in order. */
  first(...names: string[]): XmlElement | undefined;
  all(name: string): XmlElement[];
}

function fieldsOf(elements: XmlElement[], core: string[]): Fields {
  // Indexed once by "prefix:name" (the format's own elements under a bare ":name").
  const index = new Map<string, XmlElement[]>();
  for (const el of elements) {
    const key = `${core.includes(el.ns) ? '' : el.ns}:${el.name}`;
    const list = index.get(key);
    if (list) list.push(el);
    else index.set(key, [el]);
  }
  const lookup = (name: string) => index.get(name.includes(':') ? name : `:${name}`) ?? [];
  return {
    first(...names) {
      for (const name of names) {
        const found = lookup(name).find(hasContent);
        if (found) return found;
      }
      return undefined;
    },
    all: lookup,
  };
}

/** Whether an element says something: text, elements, or (out-of-line Atom content) a source. */
function hasContent(el: XmlElement): boolean {
  return el.markup !== null || el.text.trim() !== '' || el.attrs.src !== undefined;
}

/**
 * Stand-in for the second pass, from an xml2js node (should the two readings
 * ever disagree on the items): its text children, with the usual prefixes.
 */
function fromXml2js(raw: XmlNode, base: string): XmlElement[] {
  return Object.entries(raw).flatMap(([qname, values]) => {
    if (qname === '$' || qname === '_') return [];
    const colon = qname.indexOf(':');
    const ns = colon < 0 ? '' : qname.slice(0, colon);
    return nodes(values).map((v): XmlElement => ({
      ns,
      name: colon < 0 ? qname : qname.slice(colon + 1),
      attrs: (typeof v === 'object' && v !== null ? (v as XmlNode).$ : undefined) ?? {},
      text: textOf(v),
      markup: null,
      unwrapped: null,
      base,
      explicitBase: false,
      children: [],
    }));
  });
}

/** The names of an Atom element's authors (Atom allows several). */
function authorOf(node: XmlNode): string | null {
  const names = (nodes(node.author) as XmlNode[]).map((a) => plainText(textOf(a.name) || textOf(a))).filter(Boolean);
  return names.length > 0 ? names.join(', ') : null;
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
