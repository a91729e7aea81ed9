/**
 * What a piece of HTML says, as plain text: read by an HTML parser
 * (htmlparser2) that knows block elements from inline ones, as a browser
 * lays them out. Shared by `parse` (titles, names) and `content` (excerpts).
 *
 * - Only block boundaries and <br> separate words: inline elements (<em>,
 *   <a>, <span>…) add nothing, so "<em>強調</em>人工知能" is "強調人工知能".
 * - What a browser does not render (script, style, template, noscript…) is
 *   dropped with its contents.
 * - Whitespace collapses as in CSS (space, tab, line feed, carriage return,
 *   form feed; never U+00A0, which an author writes on purpose), except
 *   inside <pre>.
 * - Entities are decoded once; a literal "<" in text stays text.
 */
import { decodeHTMLStrict } from 'entities';
import { Tokenizer } from 'htmlparser2';

/** Elements laid out as blocks (or table cells and rows, which separate words just the same). */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'html',
  'legend', 'li', 'listing', 'main', 'menu', 'nav', 'ol', 'optgroup', 'option', 'p', 'plaintext', 'pre', 'section', 'summary',
  'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'xmp',
]);

/** Elements whose contents are never rendered as text. */
const HIDDEN = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'iframe', 'noembed', 'noframes', 'object', 'svg', 'math']);

/** Inline and other HTML elements that are neither blocks nor hidden: with BLOCK, HIDDEN and VOID, the elements HTML defines (obsolete ones like <blink> left out). */
const INLINE = new Set([
  'a', 'abbr', 'acronym', 'area', 'audio', 'b', 'bdi', 'bdo', 'big', 'br', 'button', 'canvas', 'cite', 'code', 'col', 'colgroup',
  'data', 'datalist', 'del', 'dfn', 'em', 'embed', 'font', 'i', 'img', 'input', 'ins', 'kbd', 'label', 'map', 'mark', 'meter',
  'output', 'picture', 'progress', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'select', 'small', 'source', 'span', 'strike', 'strong',
  'sub', 'sup', 'textarea', 'time', 'track', 'tt', 'u', 'var', 'video', 'wbr',
]);

/** Elements without content or end tag. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

const COLLAPSIBLE = new Set([' ', '\t', '\n', '\r', '\f']);

export interface HtmlTextOptions {
  /** More elements to drop with their contents (e.g. figcaption for an excerpt). */
  omit?: ReadonlySet<string>;
}

/**
 * The text of `html`: one line per block (joined by "\n"), words inside a
 * block separated only where the markup's text has whitespace.
 */
export function htmlToText(html: string, options: HtmlTextOptions = {}): string {
  const lines: string[] = [];
  let line = '';
  /** Open elements whose content is not shown, by name (a counter, not a tree: see readHtml). */
  const hiddenOpen = new Map<string, number>();
  let hidden = 0;
  let pre = 0;
  const endLine = () => {
    const done = pre > 0 ? line.replace(/^\n+|\n+$/g, '') : line.trim();
    if (done) lines.push(done);
    line = '';
  };
  const hides = (name: string) => HIDDEN.has(name) || options.omit?.has(name) === true;
  readHtml(html, {
    open(name) {
      if (hides(name) && !VOID.has(name)) {
        hiddenOpen.set(name, (hiddenOpen.get(name) ?? 0) + 1);
        hidden++;
      }
      if (hidden > 0) return;
      if (name === 'br') endLine();
      else if (BLOCK.has(name)) {
        endLine();
        if (name === 'pre') pre++;
      }
    },
    close(name) {
      const open = hiddenOpen.get(name) ?? 0;
      if (open > 0) {
        hiddenOpen.set(name, open - 1);
        hidden--;
        return;
      }
      if (hidden > 0) return;
      // </br> is a line break in HTML too.
      if (name === 'br') endLine();
      else if (BLOCK.has(name)) {
        endLine();
        if (name === 'pre' && pre > 0) pre--;
      }
    },
    text(text) {
      if (hidden > 0) return;
      if (pre > 0) {
        // Preformatted: line breaks are lines, other whitespace stays.
        const parts = text.split(/\r\n|\r|\n/);
        parts.forEach((part, i) => {
          if (i > 0) endLine();
          line += part;
        });
        return;
      }
      line += collapse(text, line.length === 0 || line.endsWith(' '));
    },
  });
  endLine();
  return lines.join('\n');
}

/** The text of `html` on one line (block boundaries become one space): for titles and names. */
export function htmlToLine(html: string): string {
  return htmlToText(html).replace(/\n/g, ' ');
}

/** Plain text on one line: markup whitespace collapsed, anything else kept as written. */
export function textToLine(text: string): string {
  return collapse(text, true).trim();
}

/** Runs of CSS whitespace become one space; a leading one is dropped when the line already ends in a space. */
function collapse(text: string, afterSpace: boolean): string {
  let out = '';
  let space = afterSpace;
  for (const c of text) {
    if (COLLAPSIBLE.has(c)) {
      if (!space) out += ' ';
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
  return out;
}

/**
 * Whether text from a format that does not say (an RSS title, say) is
 * meant as HTML: it closes a tag or holds an entity reference, and every tag
 * in it is an HTML element. "History of the <blink> tag" is text;
 * "Q&amp;A" and "<b>New</b> release" are HTML. (The rule feedparser uses.)
 */
export function looksLikeHtml(text: string): boolean {
  if (!text.includes('<') && !text.includes('&')) return false;
  let closes = false;
  let foreign = false;
  readHtml(text, {
    open(name) {
      if (!isHtmlElement(name)) foreign = true;
    },
    close(name) {
      closes = true;
      if (!isHtmlElement(name)) foreign = true;
    },
  });
  return !foreign && (closes || hasEntityReference(text));
}

/**
 * HTML read as start tags, end tags and text (entities decoded), by
 * htmlparser2's tokenizer, which knows where script and style text ends.
 * No tree is built: htmlparser2's Parser would, at a cost that grows with
 * the nesting depth for every element, and text needs none.
 */
function readHtml(html: string, handler: { open?(name: string): void; close?(name: string): void; text?(text: string): void }): void {
  let tag = '';
  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      onopentagname(start, end) {
        tag = html.slice(start, end).toLowerCase();
      },
      onopentagend() {
        handler.open?.(tag);
      },
      onselfclosingtag() {
        handler.open?.(tag);
        if (!VOID.has(tag)) handler.close?.(tag);
      },
      onclosetag(start, end) {
        handler.close?.(html.slice(start, end).toLowerCase());
      },
      ontext(start, end) {
        handler.text?.(html.slice(start, end));
      },
      ontextentity(codepoint) {
        handler.text?.(String.fromCodePoint(codepoint));
      },
      onattribname() {},
      onattribdata() {},
      onattribentity() {},
      onattribend() {},
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
}

function isHtmlElement(name: string): boolean {
  return BLOCK.has(name) || INLINE.has(name) || HIDDEN.has(name) || VOID.has(name);
}

/** Whether `text` holds a complete reference to an HTML entity (`&amp;`, `&#8212;`), read character by character. */
function hasEntityReference(text: string): boolean {
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) {
    let end = at + 1;
    while (end < text.length && end - at < 40 && text[end] !== ';' && text[end] !== '&' && !COLLAPSIBLE.has(text[end]!)) end++;
    if (text[end] !== ';') continue;
    const ref = text.slice(at, end + 1);
    if (decodeHTMLStrict(ref) !== ref) return true;
  }
  return false;
}
