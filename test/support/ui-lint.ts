/**
 * Finds user-visible text that does not come from the catalog, in
 * templates and in the browser scripts, by parsing them:
 *
 * - a template is parsed by Nunjucks; its markup (every branch, with each
 *   {{ expression }} replaced by a marker) is parsed as HTML by cheerio,
 *   and any letter in a text node or a visible attribute (title, alt,
 *   aria-label, placeholder…) is text written in the template. A string
 *   literal an expression prints ({{ x or "Download" }}) goes into the markup
 *   too; the key given to the `t` filter does not, and is collected to be
 *   checked against the catalog. Front matter titles (pageTitle…) count as text.
 * - a script is parsed by TypeScript's parser; a string literal that
 *   reaches a sink the reader sees (textContent, innerHTML, an attribute
 *   such as aria-label, Pagefind's translations…) is text written in it.
 */
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';
import nunjucks from 'nunjucks';
import ts from 'typescript';
import YAML from 'yaml';

export interface Finding {
  /** Where: "templates/x.njk: <p> text", "public/app.js:12". */
  where: string;
  text: string;
}

/** Attributes a reader sees or hears. */
export const VISIBLE_ATTRIBUTES = new Set(['title', 'alt', 'aria-label', 'aria-description', 'aria-roledescription', 'placeholder', 'label', 'value', 'data-label']);
/** Front matter keys whose values become page text. */
const TEXT_FRONT_MATTER = ['pageTitle', 'pageDescription', 'alternateTitle'];
/** Stands for an {{ expression }} in the markup handed to the HTML parser. */
const MARK = '\uE000';
const LETTER = /\p{L}/u;

/** Nunjucks' parser: public (nunjucks.parser), but not in @types/nunjucks. */
const parser = (nunjucks as unknown as { parser: { parse(source: string, extensions: unknown[], options: object): NjkNode } }).parser;

interface NjkNode {
  typename: string;
  value?: unknown;
  children?: NjkNode[];
  body?: NjkNode | null;
  else_?: NjkNode | null;
  cond?: NjkNode;
  left?: NjkNode;
  right?: NjkNode;
  name?: NjkNode;
  args?: NjkNode;
  cases?: NjkNode[];
  default?: NjkNode | null;
}

export interface TemplateLint {
  findings: Finding[];
  /** Literal keys given to `t` (and front matter titleKey), to be checked against the catalog. */
  keys: string[];
}

/** Lints one HTML template's source (front matter included). */
export function lintTemplate(name: string, source: string): TemplateLint {
  const findings: Finding[] = [];
  const keys: string[] = [];
  let body = source;
  // Front matter: a YAML block between the first two "---" lines, as Eleventy reads it.
  const lines = source.split('\n');
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    const data = (YAML.parse(lines.slice(1, end).join('\n')) ?? {}) as Record<string, unknown>;
    for (const key of TEXT_FRONT_MATTER) {
      if (typeof data[key] === 'string' && LETTER.test(data[key])) findings.push({ where: `${name}: front matter ${key}`, text: data[key] });
    }
    if (typeof data.titleKey === 'string') keys.push(data.titleKey);
    body = lines.slice(end + 1).join('\n');
  }

  let markup = '';
  /** The string literals an expression prints: they go into the markup, where the HTML parse decides whether a reader sees them. */
  const printed = (e: NjkNode | null | undefined): string[] => {
    if (!e) return [];
    switch (e.typename) {
      case 'Literal':
        return typeof e.value === 'string' ? [e.value] : [];
      case 'Group':
        return (e.children ?? []).flatMap(printed);
      case 'Or':
      case 'Add':
      case 'Concat':
        return [...printed(e.left), ...printed(e.right)];
      case 'InlineIf':
        return [...printed(e.body), ...printed(e.else_)];
      case 'Filter': {
        const [value] = e.args?.children ?? [];
        if (e.name?.value === 't') {
          // The key is not text; the message it names is the catalog's.
          if (value?.typename === 'Literal' && typeof value.value === 'string') keys.push(value.value);
          else for (const k of literalStrings(value)) keys.push(k);
          return [];
        }
        return printed(value);
      }
      default:
        // Variables, lookups, macro calls: their text comes from data or from the macro, linted where it is written.
        return [];
    }
  };
  const walk = (node: NjkNode | null | undefined): void => {
    if (!node) return;
    switch (node.typename) {
      case 'TemplateData':
        markup += String(node.value);
        return;
      case 'Output':
        for (const c of node.children ?? []) {
          if (c.typename === 'TemplateData') markup += String(c.value);
          else markup += MARK + printed(c).join(MARK);
        }
        return;
      case 'If':
      case 'IfAsync':
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll':
        walk(node.body);
        walk(node.else_);
        return;
      case 'Switch':
        for (const c of node.cases ?? []) walk(c.body);
        walk(node.default);
        return;
      case 'Macro':
      case 'Caller':
      case 'Block':
      case 'Capture':
      case 'Set':
        walk(node.body);
        return;
      case 'Filter':
        return;
      default:
        for (const c of node.children ?? []) walk(c);
    }
  };
  walk(parser.parse(body, [], {}));

  // htmlparser2 (cheerio's xml option in HTML mode): it keeps markup where it is written, where an HTML5
  // parser would move or drop it (a <td> in a macro outside any table).
  const $ = cheerio.load(markup, { xml: { xmlMode: false, decodeEntities: true } });
  const describe = (el: { tagName?: string } | null) => (el?.tagName ? `<${el.tagName}>` : 'top level');
  const check = (parent: { tagName?: string } | null, children: AnyNode[]): void => {
    for (const child of children) {
      if (child.type === 'text' && LETTER.test(child.data.replaceAll(MARK, ''))) findings.push({ where: `${name}: ${describe(parent)} text`, text: shown(child.data) });
      if (child.type !== 'tag' && child.type !== 'script' && child.type !== 'style') continue;
      for (const [attr, value] of Object.entries(child.attribs)) {
        if (VISIBLE_ATTRIBUTES.has(attr) && LETTER.test(value.replaceAll(MARK, ''))) findings.push({ where: `${name}: ${describe(child)} ${attr}`, text: shown(value) });
      }
      if (child.type === 'tag') check(child, child.children);
    }
  };
  check(null, $.root().contents().toArray());
  return { findings, keys };
}

/** Markup text as a finding quotes it, expressions shown as {{…}}. */
function shown(text: string): string {
  return text.replaceAll(MARK, '{{…}}').trim();
}

/** String literals anywhere in an expression ("health.error." + code gives "health.error."). */
function literalStrings(node: NjkNode | null | undefined): string[] {
  if (!node) return [];
  if (node.typename === 'Literal') return typeof node.value === 'string' ? [`${node.value}…`] : [];
  return [node.left, node.right, node.body, node.else_, ...(node.children ?? [])].flatMap((n) => literalStrings(n));
}

/** Properties whose assigned value the reader sees. */
const TEXT_PROPERTIES = new Set(['textContent', 'innerText', 'innerHTML', 'outerHTML', 'title', 'placeholder', 'alt', 'ariaLabel', 'ariaDescription', 'label', 'value']);
/** Calls whose arguments become visible text or markup. */
const TEXT_CALLS = new Set(['append', 'prepend', 'before', 'after', 'replaceWith', 'createTextNode', 'insertAdjacentText', 'insertAdjacentHTML', 'write', 'writeln', 'alert', 'confirm', 'prompt']);
/** Object properties whose values are a UI's words (Pagefind's options). */
const TEXT_OPTIONS = new Set(['translations']);

/** Lints one browser script's source. */
export function lintScript(name: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const file = ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const where = (node: ts.Node) => `${name}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  /** The literal text an expression can evaluate to (both branches of ?:, ||, ??, +, templates). */
  const texts = (e: ts.Expression): { node: ts.Node; text: string }[] => {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [{ node: e, text: e.text }];
    if (ts.isTemplateExpression(e)) return [{ node: e, text: [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(MARK) }];
    if (ts.isParenthesizedExpression(e)) return texts(e.expression);
    if (ts.isConditionalExpression(e)) return [...texts(e.whenTrue), ...texts(e.whenFalse)];
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.PlusToken].includes(e.operatorToken.kind)) {
      return [...texts(e.left), ...texts(e.right)];
    }
    if (ts.isObjectLiteralExpression(e)) return e.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? texts(p.initializer) : []));
    return [];
  };
  /** Markup's text nodes and visible attributes; plain text as it is. */
  const visible = (text: string, html: boolean): string[] => {
    if (!html) return [text];
    const $ = cheerio.load(text, null, false);
    const out: string[] = [];
    $('*').each((_, el) => {
      if (el.type !== 'tag') return;
      for (const [attr, value] of Object.entries(el.attribs)) if (VISIBLE_ATTRIBUTES.has(attr)) out.push(value);
    });
    out.push($.root().text());
    return out;
  };
  const sink = (e: ts.Expression, html: boolean) => {
    for (const { node, text } of texts(e)) {
      for (const shown of visible(text, html)) if (LETTER.test(shown.replaceAll(MARK, ''))) findings.push({ where: where(node), text: shown });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && TEXT_PROPERTIES.has(node.left.name.text)) {
      sink(node.right, /HTML$/.test(node.left.name.text));
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      // insertAdjacentHTML(position, html), insertAdjacentText(position, text): the first argument is a keyword.
      const shownArgs = method.startsWith('insertAdjacent') ? node.arguments.slice(1) : node.arguments;
      if (TEXT_CALLS.has(method)) for (const arg of shownArgs) sink(arg, method === 'insertAdjacentHTML' || method === 'write' || method === 'writeln');
      if (method === 'setAttribute') {
        const [attr, value] = node.arguments;
        if (attr && value && ts.isStringLiteral(attr) && VISIBLE_ATTRIBUTES.has(attr.text)) sink(value, false);
      }
    }
    if (ts.isPropertyAssignment(node) && TEXT_OPTIONS.has(node.name.getText(file))) sink(node.initializer, false);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return findings;
}
