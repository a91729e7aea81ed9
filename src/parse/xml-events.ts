/**
 * A tolerant, linear XML event reader, shared by the repair pass
 * (xml-outline.ts) and the second pass (xml-scan.ts): htmlparser2's
 * tokenizer in XML mode (no DTD is ever read, so no entity but the five XML
 * ones and character references is expanded) under an element stack of our
 * own.
 *
 * Why not htmlparser2's Parser: it keeps its open elements with unshift and
 * indexOf, so each element costs as much as the depth it is at; 100,000
 * nested elements (700 KB of well-formed XML) took 25 s. Here a start tag is
 * a push and the end tag of the innermost element a pop. An end tag that does
 * not match the innermost element (damaged XML) closes the nearest of the
 * MATCH_WINDOW innermost elements with its name, and the ones inside it, or
 * is ignored: every tag costs a bounded time, whatever the nesting.
 */
import { Tokenizer } from 'htmlparser2';

const MATCH_WINDOW = 16;

/** Characters that end the name of a processing instruction or declaration. */
const NAME_END = new Set([' ', '\t', '\n', '\r', '\f', '/', '>', '?']);

export interface XmlHandler {
  /** A start tag: its qualified name, attributes (entity references decoded), and where the tag starts and ends. Return false to stop. */
  open?(name: string, attrs: Record<string, string>, start: number, end: number): boolean | void;
  /**
   * An element ends: `explicit` when its own end tag (or `/>`) was read, not
   * when a mismatched end tag or the end of the text closed it. `end`: just
   * after its end tag. Return false to stop.
   */
  close?(name: string, explicit: boolean, end: number): boolean | void;
  /** Character data, entity references decoded; CDATA sections as their text. */
  text?(text: string): void;
  /** A processing instruction (`?xml`, `?xml-stylesheet`) or declaration (`!doctype`): its lower-case name and its text (`?xml version="1.0"?`). Return false to stop. */
  instruction?(name: string, data: string): boolean | void;
}

export function readXml(xml: string, handler: XmlHandler): void {
  const stack: string[] = [];
  let tag = '';
  let tagStart = 0;
  let attrs: Record<string, string> = {};
  let attrName = '';
  let attrValue = '';
  let stopped = false;
  const stop = (result: boolean | void) => {
    if (result === false) {
      stopped = true;
      tokenizer.pause();
    }
  };
  /** Pops one element (before calling the handler, which may be absent) and reports it. */
  const pop = (explicit: boolean, end: number) => {
    const name = stack.pop()!;
    stop(handler.close?.(name, explicit, end));
  };
  const closeTo = (depth: number, end: number) => {
    // Everything inside the element at `depth` was left open: closed implicitly, innermost first.
    while (stack.length > depth + 1 && !stopped) pop(false, end);
    if (!stopped) pop(true, end);
  };
  const instruction = (start: number, end: number, prefix: '?' | '!') => {
    const data = xml.slice(start, end);
    let nameEnd = 0;
    while (nameEnd < data.length && !NAME_END.has(data[nameEnd]!)) nameEnd++;
    stop(handler.instruction?.(prefix + data.slice(0, nameEnd).toLowerCase(), prefix + data));
  };
  const tokenizer: Tokenizer = new Tokenizer(
    { xmlMode: true, decodeEntities: true },
    {
      onopentagname(start, end) {
        tag = xml.slice(start, end);
        tagStart = start - 1;
        attrs = {};
      },
      onattribname(start, end) {
        attrName = xml.slice(start, end);
      },
      onattribdata(start, end) {
        attrValue += xml.slice(start, end);
      },
      onattribentity(codepoint) {
        attrValue += String.fromCodePoint(codepoint);
      },
      onattribend() {
        if (!Object.hasOwn(attrs, attrName)) attrs[attrName] = attrValue;
        attrValue = '';
      },
      onopentagend(end) {
        stack.push(tag);
        stop(handler.open?.(tag, attrs, tagStart, end + 1));
      },
      onselfclosingtag(end) {
        stack.push(tag);
        stop(handler.open?.(tag, attrs, tagStart, end + 1));
        if (!stopped) closeTo(stack.length - 1, end + 1);
      },
      onclosetag(start, end) {
        const name = xml.slice(start, end);
        const after = xml.indexOf('>', end);
        const tagEnd = after < 0 ? xml.length : after + 1;
        for (let depth = stack.length - 1; depth >= 0 && depth >= stack.length - MATCH_WINDOW; depth--) {
          if (stack[depth] === name) return closeTo(depth, tagEnd);
        }
      },
      ontext(start, end) {
        handler.text?.(xml.slice(start, end));
      },
      ontextentity(codepoint) {
        handler.text?.(String.fromCodePoint(codepoint));
      },
      oncdata(start, end, offset) {
        handler.text?.(xml.slice(start, end - offset));
      },
      onprocessinginstruction(start, end) {
        instruction(start, end, '?');
      },
      ondeclaration(start, end) {
        instruction(start, end, '!');
      },
      oncomment() {},
      onend() {
        while (stack.length > 0 && !stopped) pop(false, xml.length);
      },
    },
  );
  tokenizer.write(xml);
  if (!stopped) tokenizer.end();
}
