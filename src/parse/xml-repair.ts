/**
 * Repairs what real feeds get wrong before a strict XML parser sees it, and
 * removes what a parser must never act on. Pure text → text.
 *
 * - junk before the root element, invalid control characters;
 * - the DOCTYPE (and so every entity it declares: billion laughs, XXE) is
 *   dropped, so nothing is ever expanded or read from disk;
 * - `&` that starts no entity becomes `&amp;`; HTML named entities that XML
 *   does not know (&nbsp; &mdash;) become numeric references; an unknown
 *   name stays as literal text;
 * - Atom `type="xhtml"` text constructs become `type="html"` with the
 *   wrapper div removed (rss-parser rebuilds xhtml lossily).
 */
import { decodeHTMLStrict, escapeText } from 'entities';

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

export function repairXml(input: string): string {
  let xml = input;
  // Junk before the first tag ("<?xml" or the root element).
  const start = xml.search(/<(\?xml|[a-zA-Z])/);
  if (start > 0) xml = xml.slice(start);
  // XML 1.0 forbids C0 controls other than tab, LF and CR.
  xml = xml.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, '');
  // Internal DTD subsets are where entity attacks live; feeds do not need them.
  xml = xml.replace(/<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/i, '');
  xml = fixEntities(xml);
  if (/<feed[\s>]/.test(xml)) xml = flattenXhtml(xml);
  return xml;
}

/** Repairs entity references outside CDATA sections. */
function fixEntities(xml: string): string {
  return splitCdata(xml, (text) =>
    text.replace(/&(#x[0-9a-fA-F]+;|#[0-9]+;|([a-zA-Z][a-zA-Z0-9]*);)?/g, (match, ref: string | undefined, name: string | undefined) => {
      if (!ref) return '&amp;';
      if (!name || XML_ENTITIES.has(name)) return match;
      const decoded = decodeHTMLStrict(match);
      if (decoded !== match) return [...decoded].map((c) => `&#${c.codePointAt(0)};`).join('');
      return `&amp;${name};`;
    }),
  );
}

function splitCdata(xml: string, fix: (text: string) => string): string {
  const parts = xml.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/);
  return parts.map((part, i) => (i % 2 === 1 ? part : fix(part))).join('');
}

const XHTML_CONSTRUCT = /<(content|summary|title|subtitle|rights)(\s[^>]*?)type\s*=\s*["']xhtml["']([^>]*)>([\s\S]*?)<\/\1>/g;

function flattenXhtml(xml: string): string {
  return xml.replace(XHTML_CONSTRUCT, (_m, tag: string, before: string, after: string, inner: string) => {
    const unwrapped = inner.trim().replace(/^<(?:\w+:)?div\b[^>]*>([\s\S]*)<\/(?:\w+:)?div>$/, '$1');
    // Drop namespace prefixes such as <xhtml:p>, which HTML does not know.
    const html = unwrapped.replace(/<(\/?)\w+:(\w+)/g, '<$1$2');
    return `<${tag}${before}type="html"${after}>${escapeText(html)}</${tag}>`;
  });
}

/**
 * For a document cut off mid-way: keeps everything up to the last complete
 * item or entry and closes the open elements. Returns null when no complete
 * item exists.
 */
export function truncateToLastItem(xml: string): string | null {
  const lastItem = Math.max(xml.lastIndexOf('</item>'), xml.lastIndexOf('</entry>'));
  if (lastItem < 0) return null;
  const endTag = xml.startsWith('</item>', lastItem) ? '</item>' : '</entry>';
  const head = xml.slice(0, lastItem + endTag.length);
  if (/<feed[\s>]/.test(head)) return `${head}</feed>`;
  if (/<rdf:RDF[\s>]/.test(head)) {
    // RDF items are siblings of the channel, which is already closed.
    return `${head}</rdf:RDF>`;
  }
  return `${head}</channel></rss>`;
}
