/**
 * A site's words: the catalog its language picks, with `site.strings` laid
 * over it, formatted with parameters. A plural message picks its form with
 * Intl.PluralRules from the `count` parameter; number parameters are
 * written with Intl.NumberFormat, both in the site's language.
 */
import { CATALOGS, STRING_KEYS, type CatalogName, type StringKey } from './catalogs/index.ts';
import { matchCatalog } from './language.ts';
import { splitPlaceholders, type Message } from './message.ts';

export type Params = Readonly<Record<string, unknown>>;

export interface Translator {
  /** The site's language as configured (plural rules and numbers follow it). */
  readonly language: string;
  /** The built-in catalog in use. */
  readonly catalog: CatalogName;
  /** Every key's message, overrides applied. */
  readonly messages: Readonly<Record<StringKey, Message>>;
  /** The message as plain text. */
  text(key: StringKey, params?: Params): string;
  /**
   * The message as HTML: its text escaped by `escape`, and each parameter
   * too, unless `html` returns markup for it (a link the template made).
   */
  html(key: StringKey, params: Params, escape: (text: string) => string, html: (value: unknown) => string | null): string;
  /** The form of a message `count` selects, placeholders left in. */
  form(key: StringKey, count: number): string;
  /** A number as the language writes it ("12,345"). */
  number(value: number): string;
  isKey(key: string): key is StringKey;
}

export function createTranslator(language: string, overrides: Readonly<Partial<Record<StringKey, Message>>> = {}): Translator {
  const catalog = matchCatalog(language).catalog;
  const messages = { ...CATALOGS[catalog], ...overrides } as Record<StringKey, Message>;
  const plural = new Intl.PluralRules(language);
  const number = new Intl.NumberFormat(language);
  const keys = new Set<string>(STRING_KEYS);

  const form = (key: StringKey, count: unknown): string => {
    const message = messages[key];
    if (typeof message === 'string') return message;
    return (typeof count === 'number' ? message[plural.select(count)] : undefined) ?? message.other;
  };
  const plain = (value: unknown): string => (typeof value === 'number' ? number.format(value) : value == null ? '' : String(value));
  // Pages call this tens of times each, with a few dozen distinct texts: each is cut once.
  const pieces = new Map<string, string[]>();
  const fill = (key: StringKey, params: Params, literal: (text: string) => string, param: (value: unknown) => string): string => {
    const text = form(key, params.count);
    let cut = pieces.get(text);
    if (!cut) pieces.set(text, (cut = splitPlaceholders(text)));
    let out = '';
    for (let i = 0; i < cut.length; i++) {
      const piece = cut[i]!;
      out += i % 2 === 0 ? literal(piece) : Object.hasOwn(params, piece) ? param(params[piece]) : literal(`{${piece}}`);
    }
    return out;
  };

  return {
    language,
    catalog,
    messages,
    text: (key, params = {}) => fill(key, params, (s) => s, plain),
    html: (key, params, escape, html) => fill(key, params, escape, (value) => html(value) ?? escape(plain(value))),
    form,
    number: (value) => number.format(value),
    isKey: (key): key is StringKey => keys.has(key),
  };
}
