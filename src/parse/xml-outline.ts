/**
 * The outline of a feed document, read by a tolerant XML tokenizer
 * (htmlparser2 in XML mode: no DTD, no entity expansion, no recursion):
 * where the root element starts, what the XML declaration says, and where
 * each item or entry ends with the elements still open there. The repair
 * pass cuts and closes documents with it, so comments, CDATA sections and
 * processing instructions are never mistaken for elements.
 */
import { Parser } from 'htmlparser2';

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
  let done = false;
  const parser: Parser = new Parser(
    {
      onprocessinginstruction(name, data) {
        if (done) return;
        const lower = name.toLowerCase();
        if (lower === '?xml') declaration = data;
        else if (lower === '!doctype' && info.firstElement === null && /^!doctype\s+html\b/i.test(data)) info.htmlDoctype = true;
      },
      onopentagname(name) {
        if (done) return;
        info.firstElement ??= name;
        if (FEED_ROOTS.has(name)) {
          info.name = name;
          info.start = parser.startIndex;
          done = true;
        }
      },
    },
    { xmlMode: true },
  );
  // Fed in growing slices: the root usually comes in the first few hundred bytes, and the rest is never tokenized.
  for (let at = 0, size = 512; at < text.length && !done; at += size, size = Math.min(size * 2, SLICE)) parser.write(text.slice(at, at + size));
  if (declaration !== null) info.declaration = pseudoAttributes(declaration);
  return info;
}

const SLICE = 16 * 1024;

/** `?xml version="1.0" encoding="gbk"?` → { version: '1.0', encoding: 'gbk' }, read by the same tokenizer as attributes. */
function pseudoAttributes(data: string): Record<string, string> {
  const inner = data.replace(/^\?xml/i, '').replace(/\?$/, '');
  let attributes: Record<string, string> = {};
  const parser = new Parser({ onopentag: (_name, attribs) => void (attributes = attribs) }, { xmlMode: true });
  parser.write(`<x ${inner}/>`);
  parser.end();
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
  const parser: Parser = new Parser(
    {
      onopentagname(name) {
        open.push(name);
      },
      onclosetag(name, implied) {
        open.pop();
        if (!implied && isItem(name, open)) ends.push({ at: parser.endIndex + 1, closers: open.toReversed().map((n) => `</${n}>`).join('') });
      },
    },
    { xmlMode: true },
  );
  for (let at = 0; at < xml.length && ends.length < limit; at += SLICE) parser.write(xml.slice(at, at + SLICE));
  return ends.slice(0, limit);
}

/** An item or entry where rss-parser looks for them: `open` is its ancestors, root first. */
function isItem(name: string, open: string[]): boolean {
  const root = open[0];
  if (name === 'entry') return root === 'feed' && open.length === 1;
  if (name !== 'item') return false;
  if (root === 'rdf:RDF') return open.length === 1;
  return root === 'rss' && open.length === 2 && open[1] === 'channel';
}
