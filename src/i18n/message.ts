/**
 * What a catalog entry is: a text with `{name}` placeholders, or plural
 * forms keyed by Intl.PluralRules categories ("one", "other", …) chosen by
 * the `count` parameter. Texts are plain text, never HTML: whatever renders
 * them escapes them.
 */

export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];

/** Plural forms; `other` is required (every language has it), the rest as the language needs. */
export type PluralMessage = { readonly other: string } & { readonly [C in Exclude<PluralCategory, 'other'>]?: string };

export type Message = string | PluralMessage;

/** The forms of a message: one text, or each plural form's. */
export function forms(message: Message): string[] {
  return typeof message === 'string' ? [message] : PLURAL_CATEGORIES.flatMap((c) => (message[c] === undefined ? [] : [message[c]]));
}

/** `{name}`: a letter, then letters and digits. */
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholder names a message uses, in any of its forms. */
export function placeholders(message: Message): Set<string> {
  const names = new Set<string>();
  for (const text of forms(message)) for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return names;
}

/**
 * A text cut at its placeholders: even indexes are literal text, odd ones
 * placeholder names ("a {b} c" → ["a ", "b", " c"]).
 */
export function splitPlaceholders(text: string): string[] {
  return text.split(PLACEHOLDER);
}
