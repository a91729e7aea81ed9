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
 * - the declaration's `encoding` is dropped: the text is already decoded,
 *   so it no longer describes it (a UTF-16 or GBK label would be a lie);
 * - Atom text constructs with inline markup (1.0 `type="xhtml"`, 0.3
 *   `mode="xml"` or no mode) become `type="html"` with the wrapper div
 *   removed (rss-parser rebuilds inline XML lossily); Atom 0.3
 *   `mode="base64"` is decoded.
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
  xml = xml.replace(/^(<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/, '$1');
  // Internal DTD subsets are where entity attacks live; feeds do not need them.
  xml = stripDoctype(xml);
  xml = fixEntities(xml);
  if (/<feed[\s>]/.test(xml)) xml = flattenAtomText(xml);
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

// Not self-closing (<content src="…"/> has no text to flatten).
const ATOM_TEXT = /<(content|summary|title|subtitle|tagline|rights|copyright|info)(\s[^>]*?)?(?<!\/)>([\s\S]*?)<\/\1>/g;

function flattenAtomText(xml: string): string {
  return xml.replace(ATOM_TEXT, (whole, tag: string, attrs: string | undefined, inner: string) => {
    const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(attrs ?? '')?.[1]?.toLowerCase();
    const type = attr('type');
    const rest = (attrs ?? '').replace(/\s(type|mode)\s*=\s*(["'])[^"']*\2/gi, '');
    if (attr('mode') === 'base64') {
      const textual = !type || /^(text|html|xhtml)\b|^text\/|xml$/.test(type);
      const decoded = textual ? Buffer.from(inner.replace(/\s+/g, ''), 'base64').toString('utf8') : '';
      return `<${tag}${rest} type="${type === 'text' || type === 'text/plain' ? 'text' : 'html'}">${escapeText(decoded)}</${tag}>`;
    }
    // Raw child elements (outside CDATA) only belong in inline XML content.
    if (type !== 'xhtml' && !/<[a-zA-Z]/.test(inner.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) return whole;
    const unwrapped = inner.trim().replace(/^<(?:\w+:)?div\b[^>]*>([\s\S]*)<\/(?:\w+:)?div>$/, '$1');
    // Drop namespace prefixes such as <xhtml:p>, which HTML does not know.
    const html = unwrapped.replace(/<(\/?)\w+:(\w+)/g, '<$1$2');
    return `<${tag}${rest} type="html">${escapeText(html)}</${tag}>`;
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
  return closeAfter(xml.slice(0, lastItem + endTag.length));
}

/**
 * A document listing more than `max` items, cut after the `max`-th and
 * closed, so the parser never builds the rest (100,000 items cost seconds of
 * blocked event loop, starving every other download). Null when it lists no
 * more than `max`; else the cut document and how many items it listed.
 */
export function keepFirstItems(xml: string, max: number): { xml: string; listed: number } | null {
  const tag = xml.includes('</entry>') && !xml.includes('</item>') ? '</entry>' : '</item>';
  let listed = 0;
  let cutAt = -1;
  for (let at = xml.indexOf(tag); at >= 0; at = xml.indexOf(tag, at + tag.length)) {
    listed++;
    if (listed === max) cutAt = at + tag.length;
  }
  if (listed <= max || cutAt < 0) return null;
  return { xml: closeAfter(xml.slice(0, cutAt)), listed };
}

/** Closes the elements still open after the last complete item or entry. */
function closeAfter(head: string): string {
  if (/<feed[\s>]/.test(head)) return `${head}</feed>`;
  if (/<rdf:RDF[\s>]/.test(head)) {
    // RDF items are siblings of the channel, which is already closed.
    return `${head}</rdf:RDF>`;
  }
  return `${head}</channel></rss>`;
}

/**
 * Removes every DOCTYPE, internal subset included. Scanned, not matched with
 * a regex: quoted strings and comments in the subset may hold "]" or ">"
 * (`<!ENTITY x "]>">` would otherwise end the match early and leave the
 * rest of the declarations in the document).
 */
function stripDoctype(xml: string): string {
  for (;;) {
    const start = xml.search(/<!DOCTYPE/i);
    if (start < 0) return xml;
    let i = start + 9;
    let inSubset = false;
    while (i < xml.length) {
      const c = xml[i]!;
      if (c === '"' || c === "'") {
        const close = xml.indexOf(c, i + 1);
        i = close < 0 ? xml.length : close + 1;
      } else if (inSubset && xml.startsWith('<!--', i)) {
        const close = xml.indexOf('-->', i + 4);
        i = close < 0 ? xml.length : close + 3;
      } else if (c === '[' && !inSubset) {
        inSubset = true;
        i++;
      } else if (c === ']' && inSubset) {
        inSubset = false;
        i++;
      } else if (c === '>' && !inSubset) {
        i++;
        break;
      } else i++;
    }
    xml = xml.slice(0, start) + xml.slice(i);
  }
}
