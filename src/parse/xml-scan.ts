/**
 * The second pass over a feed document: what rss-parser's xml2js tree
 * cannot give. The same repaired text is read again as a stream of events
 * (xml-events.ts: linear at any depth, no DTD and so no entity expansion)
 * and, for the channel or feed and for each item or entry, each
 * child element is kept with
 * - its namespace, resolved from the xmlns declarations in scope (so
 *   `dcterms:modified` is found whatever its prefix), else from the usual
 *   prefix when the feed forgot to declare it;
 * - its character data, and, when it holds elements (XHTML content, HTML
 *   written as elements in a description), those elements as HTML, in order,
 *   with namespace prefixes dropped;
 * - the base URI in effect for it (xml:base on the element itself or on
 *   any ancestor, nearest first, resolved against the document's URL).
 *
 * Items are found where rss-parser finds them (children of the channel, or
 * of the root for RDF and Atom), so the two passes list the same items in
 * the same order.
 */
import { escapeAttribute, escapeText } from 'entities';
import { absoluteUrl } from './links.ts';
import { readXml } from './xml-events.ts';

/** Namespace URIs → the short names the format readers use ('' is no namespace). */
const NAMESPACES: Record<string, string> = {
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/rss/1.0/': 'rss',
  'http://my.netscape.com/rdf/simple/0.9/': 'rss',
  'http://backend.userland.com/rss2': 'rss',
  'http://backend.userland.com/rss': 'rss',
  'http://blogs.law.harvard.edu/tech/rss': 'rss',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
};

/** Prefixes feeds use without declaring them (xml2js does not care, so such feeds exist). */
const UNDECLARED = new Set(['atom', 'content', 'dc', 'dcterms', 'xhtml', 'media', 'itunes', 'rdf']);

/** HTML elements that have no end tag. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/** Attributes holding a URL, resolved where an xml:base inside content changes the base. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'poster']);

export interface XmlElement {
  /** Short namespace name (see NAMESPACES), the URI of an unknown one, or '' for none. */
  ns: string;
  /** Local name. */
  name: string;
  /** Attributes as written (qualified names), entity references decoded. */
  attrs: Record<string, string>;
  /** The character data of the element and everything in it (text and CDATA), in order. */
  text: string;
  /** When it holds elements: its content as HTML (comments dropped, text escaped); else null. */
  markup: string | null;
  /**
   * When its only element child is a <div> (the wrapper an Atom xhtml text
   * construct must have): that div's content as HTML; else null.
   */
  unwrapped: string | null;
  /** The base URI in effect for its content. */
  base: string;
  /** Whether an xml:base (on it or an ancestor) decided `base`. */
  explicitBase: boolean;
  /** Children of a media:group, which groups renditions of one item. */
  children: XmlElement[];
}

export interface ScannedFeed {
  root: { name: string; ns: string; attrs: Record<string, string> } | null;
  /** Children of the channel (RSS, RDF) or of the feed (Atom), items excluded. */
  feed: XmlElement[];
  /** Base URI in effect for the channel or feed. */
  feedBase: string;
  items: { element: XmlElement; children: XmlElement[] }[];
}

interface Frame {
  qname: string;
  ns: string;
  name: string;
  base: string;
  explicitBase: boolean;
  /** Namespace declarations in scope (a new map only where an element declares some). */
  scope: Map<string, string>;
  role: 'root' | 'channel' | 'item' | 'field' | 'inner';
  /** The element being kept, when this frame is one. */
  kept: Kept | null;
}

interface Kept {
  element: XmlElement;
  text: string[];
  /** Built from the first child element on (text-only elements, most content, never pay for escaping). */
  markup: string[] | null;
  /** Direct element children: an xhtml wrapper is the only one, a div. */
  directElements: number;
  /** Where the first direct child's content starts and ends in `markup`, when it is a div (-1: not seen). */
  wrapperStart: number;
  wrapperEnd: number;
  /** Text (other than whitespace) directly in the kept element. */
  textOutsideWrapper: boolean;
}

export function scanFeedXml(xml: string, documentUrl: string): ScannedFeed {
  const result: ScannedFeed = { root: null, feed: [], feedBase: documentUrl, items: [] };
  const stack: Frame[] = [];
  /** Open kept elements, outermost first: a field, and inside a media:group one of its children. */
  const keeping: Kept[] = [];
  let channelSeen = false;

  readXml(xml, {
    open(qname, attrs) {
      const parent = stack.at(-1);
      const scope = declarations(attrs, parent?.scope ?? new Map());
      const [ns, name] = resolve(qname, scope);
      const xmlBase = attrs['xml:base'];
      const parentBase = parent?.base ?? documentUrl;
      const base = xmlBase !== undefined ? (absoluteUrl(xmlBase.trim(), parentBase) ?? parentBase) : parentBase;
      const explicitBase = (parent?.explicitBase ?? false) || Boolean(xmlBase?.trim());
      const role = roleOf(qname, parent);
      const frame: Frame = { qname, ns, name, base, explicitBase, scope, role, kept: null };

      for (const k of keeping) {
        k.markup ??= k.text.map((t) => escapeText(t));
        k.markup.push(openTag(name, attrs, base !== k.element.base ? base : null));
        if (parent?.kept === k && ++k.directElements === 1 && name === 'div') k.wrapperStart = k.markup.length;
      }

      const group = parent?.role === 'field' && parent.ns === 'media' && parent.name === 'group' ? parent.kept : null;
      if (role === 'root') {
        result.root = { name: qname, ns, attrs };
        result.feedBase = base;
      } else if (role === 'channel') {
        channelSeen = true;
        result.feedBase = base;
      } else if (role === 'item') {
        result.items.push({ element: element(ns, name, attrs, base, explicitBase), children: [] });
      } else if (role === 'field' || group) {
        const kept = keep(element(ns, name, attrs, base, explicitBase));
        if (group) group.element.children.push(kept.element);
        else if (parent?.role === 'item') result.items.at(-1)!.children.push(kept.element);
        else result.feed.push(kept.element);
        keeping.push(kept);
        frame.kept = kept;
      }
      stack.push(frame);
    },
    close() {
      const frame = stack.pop();
      if (!frame) return;
      if (frame.kept) {
        keeping.pop();
        finish(frame.kept);
      }
      const parent = stack.at(-1);
      for (const k of keeping) {
        // The closing element opened inside k, which started k's markup.
        const markup = k.markup!;
        if (parent?.kept === k && k.wrapperStart >= 0 && k.wrapperEnd < 0 && k.directElements === 1) k.wrapperEnd = markup.length;
        if (!VOID.has(frame.name)) markup.push(`</${frame.name}>`);
      }
    },
    text(text) {
      const parent = stack.at(-1);
      for (const k of keeping) {
        k.text.push(text);
        k.markup?.push(escapeText(text));
        if (parent?.kept === k && !k.textOutsideWrapper && /\S/.test(text)) k.textOutsideWrapper = true;
      }
    },
  });
  return result;

  /** What an element is to the feed, from where it is (as rss-parser reads the xml2js tree). */
  function roleOf(qname: string, parent: Frame | undefined): Frame['role'] {
    if (!parent) return 'root';
    const root = stack[0]!.qname;
    if (parent.role === 'root') {
      if (root === 'rss' && qname === 'channel' && !channelSeen) return 'channel';
      if (root === 'rdf:RDF' && qname === 'channel' && !channelSeen) return 'channel';
      if (root === 'rdf:RDF' && qname === 'item') return 'item';
      if (root === 'feed') return qname === 'entry' ? 'item' : 'field';
      return 'inner';
    }
    if (parent.role === 'channel') return root === 'rss' && qname === 'item' ? 'item' : 'field';
    if (parent.role === 'item') return 'field';
    return 'inner';
  }
}

function keep(el: XmlElement): Kept {
  return { element: el, text: [], markup: null, directElements: 0, wrapperStart: -1, wrapperEnd: -1, textOutsideWrapper: false };
}

function finish(k: Kept): void {
  k.element.text = k.text.join('');
  if (k.markup === null) return;
  k.element.markup = k.markup.join('');
  if (k.directElements === 1 && k.wrapperStart >= 0 && k.wrapperEnd >= 0 && !k.textOutsideWrapper) {
    k.element.unwrapped = k.markup.slice(k.wrapperStart, k.wrapperEnd).join('');
  }
}

function element(ns: string, name: string, attrs: Record<string, string>, base: string, explicitBase: boolean): XmlElement {
  return { ns, name, attrs, text: '', markup: null, unwrapped: null, base, explicitBase, children: [] };
}

/** The scope for an element: its parent's, plus the namespaces it declares. */
function declarations(attrs: Record<string, string>, inherited: Map<string, string>): Map<string, string> {
  let scope = inherited;
  for (const [attr, uri] of Object.entries(attrs)) {
    if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) continue;
    if (scope === inherited) scope = new Map(inherited);
    scope.set(attr === 'xmlns' ? '' : attr.slice(6), uri.trim());
  }
  return scope;
}

/** A qualified name → [namespace short name or URI, local name]. */
function resolve(qname: string, scope: Map<string, string>): [string, string] {
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const name = colon < 0 ? qname : qname.slice(colon + 1);
  const uri = scope.get(prefix);
  if (uri !== undefined) return [NAMESPACES[uri] ?? uri, name];
  if (prefix === '') return ['', name];
  return [UNDECLARED.has(prefix.toLowerCase()) ? prefix.toLowerCase() : `undeclared:${prefix}`, name];
}

/**
 * An element inside content, as an HTML start tag: its local name (HTML does
 * not know prefixes), its attributes without namespace declarations or
 * xml:* ones, and URL attributes resolved when an xml:base inside the
 * content moved the base away from the content element's.
 */
function openTag(name: string, attrs: Record<string, string>, base: string | null): string {
  let tag = `<${name}`;
  for (const [attr, value] of Object.entries(attrs)) {
    if (attr === 'xmlns' || attr.startsWith('xmlns:') || attr.startsWith('xml:')) continue;
    const resolved = base !== null && URL_ATTRIBUTES.has(attr) ? (absoluteUrl(value, base) ?? value) : value;
    tag += ` ${attr}="${escapeAttribute(resolved)}"`;
  }
  return `${tag}>`;
}
