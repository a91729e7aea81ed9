/**
 * A strict XML reader for the tests: sax in strict mode rejects anything that
 * is not well-formed XML 1.0 (unbalanced tags, bad entities, unquoted
 * attributes, HTML-only entities), and the result is a small element tree to assert on.
 */
import sax from 'sax';

export interface XmlElement {
  /** Local name. */
  name: string;
  /** Namespace URI. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Characters XML 1.0 does not allow anywhere in a document (sax lets them through). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function parseXml(text: string): XmlElement {
  const bad = NOT_XML.exec(text);
  if (bad) throw new Error(`character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${bad.index} is not allowed in XML`);
  // strictEntities: only the five XML entities; &nbsp; and friends are HTML, not XML.
  const parser = sax.parser(true, { xmlns: true, strictEntities: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let error: Error | null = null;
  parser.onerror = (err) => {
    error ??= err;
  };
  parser.onopentag = (tag) => {
    const el: XmlElement = { name: tag.local, ns: tag.uri, attrs: {}, children: [], text: '' };
    for (const a of Object.values(tag.attributes)) el.attrs[a.name] = a.value;
    stack[stack.length - 1]?.children.push(el);
    root ??= el;
    stack.push(el);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = parser.oncdata = (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.write(text).close();
  if (error) throw error;
  if (!root) throw new Error('no root element');
  return root;
}

export const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
export const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
