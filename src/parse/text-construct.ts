/**
 * What a text element of a feed means: plain text or HTML, read the way
 * each format defines it.
 *
 * Atom (RFC 4287 §3.1, §4.1.3): `type="text"` (the default) is text, even
 * when it looks like markup; `html` is escaped HTML; `xhtml` is XHTML inside
 * one wrapper div, which is not part of the content. A MIME type: text/*
 * is text (text/html is HTML), an XML type is inline XML (XHTML's is read as
 * HTML; others have nothing to show), anything else is base64 data, which is
 * not shown. Atom 0.3 spells the types as MIME types (default text/plain)
 * and adds `mode`: escaped, base64 or xml (the default, inline elements).
 *
 * RSS says nothing: description and content:encoded are HTML (escaped, in
 * CDATA, or written as elements); a title is text unless it looks like
 * HTML (feedparser's rule: it closes a tag or holds an entity reference,
 * and every tag is an HTML element).
 */
import { escapeText } from 'entities';
import { htmlToLine, htmlToText, looksLikeHtml, textToLine } from '../text/html-text.ts';
import { absoluteUrl } from './links.ts';
import type { XmlElement } from './xml-scan.ts';

export type TextValue = { type: 'text' | 'html'; value: string };

/** An Atom text construct (title, subtitle, summary, content, rights). Null when it has nothing to show. */
export function atomText(el: XmlElement, version: '0.3' | '1.0'): TextValue | null {
  if (el.attrs.src !== undefined && el.name === 'content') return null; // out-of-line: see atomContentSource
  const type = (el.attrs.type ?? (version === '0.3' ? 'text/plain' : 'text')).trim().toLowerCase();
  const mode = version === '0.3' ? (el.attrs.mode ?? 'xml').trim().toLowerCase() : null;
  const kind = kindOf(type);
  // Binary data (an image, a PDF) and inline XML of another vocabulary have nothing to show as text or HTML.
  if (kind === 'binary' || kind === 'xml') return null;
  if (mode === 'base64') {
    const decoded = Buffer.from(el.text.replace(/\s+/g, ''), 'base64').toString('utf8');
    return kind === 'text' ? { type: 'text', value: decoded } : { type: 'html', value: decoded };
  }
  // Inline elements: XHTML (1.0 xhtml, 0.3 mode="xml"), or HTML a feed wrote as elements where it should have escaped it.
  if (el.markup !== null) return { type: 'html', value: el.unwrapped ?? el.markup };
  if (kind === 'html' || (kind === 'xhtml' && mode === 'escaped')) return { type: 'html', value: el.text };
  return { type: 'text', value: el.text };
}

/** The `src` of out-of-line Atom content (RFC 4287 §4.1.3.2), resolved against its base. */
export function atomContentSource(el: XmlElement): string | null {
  return absoluteUrl(el.attrs.src?.trim(), el.base);
}

type Kind = 'text' | 'html' | 'xhtml' | 'xml' | 'binary';

function kindOf(type: string): Kind {
  if (type === 'text' || type === 'text/plain') return 'text';
  if (type === 'html' || type === 'text/html') return 'html';
  if (type === 'xhtml' || type === 'application/xhtml+xml') return 'xhtml';
  if (type.startsWith('text/')) return 'text';
  if (type.endsWith('+xml') || type.endsWith('/xml')) return 'xml';
  return 'binary';
}

/** An RSS element that holds HTML (description, content:encoded, fullitem, xhtml:body). */
export function rssHtml(el: XmlElement): TextValue {
  return { type: 'html', value: el.markup ?? el.text };
}

/** An RSS title (or other short text that may or may not be HTML). */
export function rssText(el: XmlElement): TextValue {
  return el.markup !== null ? { type: 'html', value: el.markup } : guessText(el.text);
}

/** Text from a format that does not say whether it is HTML: HTML when it looks like HTML. */
export function guessText(text: string): TextValue {
  return looksLikeHtml(text) ? { type: 'html', value: text } : { type: 'text', value: text };
}

/** Media RSS's media:description / media:title: `type="html"`, else plain text. */
export function mediaText(el: XmlElement): TextValue {
  return el.attrs.type?.trim().toLowerCase() === 'html' ? { type: 'html', value: el.markup ?? el.text } : { type: 'text', value: el.text };
}

/** As HTML: text is escaped, its blank lines make paragraphs and its line breaks <br>. */
export function asHtml(v: TextValue): string {
  return v.type === 'html' ? v.value : textToHtml(v.value);
}

/** As one line of plain text: HTML is read by an HTML parser; text keeps what it says ("<blink>" included). */
export function asLine(v: TextValue): string {
  return v.type === 'html' ? htmlToLine(v.value) : textToLine(v.value);
}

/** As plain text, one line per block: for a summary. */
export function asText(v: TextValue): string {
  return v.type === 'html' ? htmlToText(v.value) : v.value.trim();
}

/** Plain text as HTML: escaped; paragraphs at blank lines (each in <p> when there are several), <br> at line breaks. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .trim()
    .split(/\r?\n[ \t]*\r?\n\s*/)
    .map((p) => escapeText(p).replace(/\r?\n/g, '<br>'));
  return paragraphs.length > 1 ? paragraphs.map((p) => `<p>${p}</p>`).join('\n') : (paragraphs[0] ?? '');
}
