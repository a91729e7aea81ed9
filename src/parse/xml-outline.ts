/**
 * The outline of a feed document, read by a tolerant XML tokenizer
 * (xml-events.ts: no DTD, no entity expansion, linear at any depth):
 * where the root element starts, what the XML declaration says, and where
 * each item or entry ends with the elements still open there. The repair
 * pass cuts and closes documents with it, so comments, CDATA sections and
 * processing instructions are never mistaken for elements.
 */
import { readXml } from './xml-events.ts';

/** The root elements rss-parser reads (its xml2js tree is keyed by these exact names). */
const FEED_ROOTS = new Set(['rss', 'feed', 'rdf:RDF']);

export interface RootInfo {
  /** Qualified name of the feed's root element, or null when the document has none. */
  name: string | null;
  /** Offset of the root's start tag. */
  start: number;
  /** The XML declaration's pseudo-attributes (version, encoding, standalone), when one came before the root. */
  declaration: Record<string, string> | null;
  /** The first element of the document, feed root or not (an HTML page starts with `html`). */
  firstElement: string | null;
  /** Whether an HTML doctype came before any element. */
  htmlDoctype: boolean;
}

/**
 * Finds the feed's root element, skipping whatever comes before it: an XML
 * declaration, comments (which may hold markup, as test harnesses' do),
 * processing instructions, a doctype, blank lines, or junk a server printed
 * first (a PHP warning with its own <b> and <br />). Reads only as far as
 * the root's start tag.
 */
export function findRoot(text: string): RootInfo {
  const info: RootInfo = { name: null, start: 0, declaration: null, firstElement: null, htmlDoctype: false };
  let declaration: string | null = null;
  readXml(text, {
    instruction(name, data) {
      if (name === '?xml') declaration = data;
      else if (name === '!doctype' && info.firstElement === null && /^!doctype\s+html\b/i.test(data)) info.htmlDoctype = true;
    },
    open(name, _attrs, start) {
      info.firstElement ??= name;
      if (!FEED_ROOTS.has(name)) return;
      info.name = name;
      info.start = start;
      return false; // the rest of the document is not read here
    },
  });
  if (declaration !== null) info.declaration = pseudoAttributes(declaration);
  return info;
}

/** `?xml version="1.0" encoding="gbk"?` → { version: '1.0', encoding: 'gbk' }, read by the same tokenizer as attributes. */
function pseudoAttributes(data: string): Record<string, string> {
  let attributes: Record<string, string> = {};
  readXml(`<x ${data.replace(/^\?xml/i, '').replace(/\?$/, '')}/>`, { open: (_name, attrs) => void (attributes = attrs) });
  return attributes;
}

export interface ItemEnd {
  /** Offset just after the item's (or entry's) end tag. */
  at: number;
  /** End tags that close what is still open there (the channel, the root). */
  closers: string;
}

/**
 * The end of every complete item or entry, in document order, with the
 * elements left open after it. An item counts when its own end tag was
 * read (not when the tokenizer closed it at the end of a cut-off document).
 * Items are children of the channel (RSS 0.9x/2.0) or of the root (RDF,
 * Atom), as rss-parser reads them. `limit`: stop after that many.
 */
export function itemEnds(xml: string, limit = Infinity): ItemEnd[] {
  const ends: ItemEnd[] = [];
  const open: string[] = [];
  readXml(xml, {
    open(name) {
      open.push(name);
    },
    close(name, explicit, end) {
      open.pop();
      if (explicit && isItem(name, open)) ends.push({ at: end, closers: open.toReversed().map((n) => `</${n}>`).join('') });
      if (ends.length >= limit) return false;
    },
  });
  return ends;
}

/** An item or entry where rss-parser looks for them: `open` is its ancestors, root first. */
function isItem(name: string, open: string[]): boolean {
  const root = open[0];
  if (name === 'entry') return root === 'feed' && open.length === 1;
  if (name !== 'item') return false;
  if (root === 'rdf:RDF') return open.length === 1;
  return root === 'rss' && open.length === 2 && open[1] === 'channel';
}
