/**
 * Repairs what real feeds get wrong before a strict XML parser sees it, and
 * removes what a parser must never act on. Pure text → text.
 *
 * - invalid control characters are removed;
 * - the DOCTYPE (and so every entity it declares: billion laughs, XXE) is
 *   dropped, so nothing is ever expanded or read from disk;
 * - whatever comes before the root element (blank lines, comments that hold
 *   markup, a PHP warning with its own tags) is dropped; the root is found
 *   by a tokenizer (xml-outline.ts), not by searching for a "<";
 * - the declaration's `encoding` is dropped: the text is already decoded,
 *   so it no longer describes it (a UTF-16 or GBK label would be a lie);
 * - `&` that starts no entity becomes `&amp;`; HTML named entities that XML
 *   does not know (&nbsp; &mdash;) become numeric references; an unknown
 *   name stays as literal text.
 *
 * Text constructs (Atom xhtml, base64, HTML written as elements) are left
 * as they are: the second pass (xml-scan.ts) reads them from the same text.
 */
import { decodeHTMLStrict } from 'entities';
import { findRoot, itemEnds } from './xml-outline.ts';

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

export function repairXml(input: string): string {
  return repairAndCap(input, Infinity).xml;
}

/**
 * repairXml for a feed read up to `max` items: the document is cut after the
 * `max`-th item before its entities are repaired (see keepFirstItems);
 * `listed` says how many it listed when it was cut.
 */
export function repairAndCap(input: string, max: number): { xml: string; listed: number | null } {
  const rooted = fromRoot(cleanXml(input));
  const cut = Number.isFinite(max) ? keepFirstItems(rooted, max) : null;
  return { xml: fixEntities(cut?.xml ?? rooted), listed: cut?.listed ?? null };
}

/** What must go before anything reads the document: forbidden characters and the DOCTYPE. */
function cleanXml(input: string): string {
  // XML 1.0 forbids C0 controls other than tab, LF and CR.
  const xml = input.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, '');
  // Internal DTD subsets are where entity attacks live; feeds do not need them.
  return stripDoctype(xml);
}

/** The declaration's pseudo-attributes kept (encoding is not: see above), with the values XML allows. */
const DECLARATION: Record<string, RegExp> = { version: /^1\.\d$/, standalone: /^(yes|no)$/ };

/** The document from its root element on, after a declaration that no longer names an encoding. */
function fromRoot(xml: string): string {
  const root = findRoot(xml);
  if (root.name === null) return xml.trimStart();
  const kept = Object.entries(DECLARATION).flatMap(([name, valid]) => {
    const value = root.declaration?.[name]?.trim();
    // Only values XML allows are written back: nothing from the document reaches the prolog unchecked.
    return value && valid.test(value) ? [` ${name}="${value}"`] : [];
  });
  return (root.declaration ? `<?xml${kept.join('')}?>` : '') + xml.slice(root.start);
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

/**
 * For a document cut off mid-way: keeps everything up to the last complete
 * item or entry and closes the elements still open there. Returns null when
 * no complete item exists.
 */
export function truncateToLastItem(xml: string): string | null {
  const last = itemEnds(xml).at(-1);
  return last ? xml.slice(0, last.at) + last.closers : null;
}

/**
 * A document listing more than `max` items, cut after the `max`-th and
 * closed, so the parser never builds the rest (100,000 items cost seconds of
 * blocked event loop, starving every other download). Null when it lists no
 * more than `max`; else the cut document and how many items it listed.
 */
export function keepFirstItems(xml: string, max: number): { xml: string; listed: number } | null {
  // Counting end tags is a cheap upper bound; only a document that may be over the cap is tokenized.
  if (endTagsAtLeast(xml, max + 1) <= max) return null;
  const ends = itemEnds(xml);
  const cut = ends[max - 1];
  if (ends.length <= max || !cut) return null;
  return { xml: xml.slice(0, cut.at) + cut.closers, listed: ends.length };
}

/** How many `</item>` (or, in a feed with none, `</entry>`) strings the text holds, counting no further than `enough`. */
function endTagsAtLeast(xml: string, enough: number): number {
  const tag = xml.includes('</item>') ? '</item>' : '</entry>';
  let n = 0;
  for (let at = xml.indexOf(tag); at >= 0 && n < enough; at = xml.indexOf(tag, at + tag.length)) n++;
  return n;
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
