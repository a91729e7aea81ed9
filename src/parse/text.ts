/** Plain text from feed fields that may or may not carry markup or entities (names, categories, JSON titles). */
import { asLine, guessText } from './text-construct.ts';

export function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : textOf(value);
  return asLine(guessText(s));
}

/** xml2js gives strings, `{ _: text, $: attrs }` objects or arrays of those. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? textOf(value[0]) : '';
  if (value && typeof value === 'object' && '_' in value) return textOf((value as { _: unknown })._);
  return '';
}
