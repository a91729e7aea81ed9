/**
 * What a `site.strings` entry may be, for the config stage: a text for any
 * key, plural forms only for a key whose English message has them, and
 * only the placeholders the English message has (a misspelt one would be
 * printed as it is).
 */
import { en } from './catalogs/en.ts';
import type { StringKey } from './catalogs/index.ts';
import { placeholders, type Message } from './message.ts';

/** The problems with one override, each a sentence; none when it is fine. */
export function overrideProblems(key: StringKey, value: Message): string[] {
  const reference: Message = en[key];
  const problems: string[] = [];
  if (typeof value !== 'string' && typeof reference === 'string') {
    problems.push('this text has no plural forms: give one string');
  }
  const allowed = placeholders(reference);
  const unknown = [...placeholders(value)].filter((name) => !allowed.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `{${name}}`).join(', ');
    problems.push(`unknown placeholder${unknown.length > 1 ? 's' : ''} ${list}; ${allowed.size ? `this text can use ${[...allowed].map((n) => `{${n}}`).join(', ')}` : 'this text takes none'}`);
  }
  return problems;
}
