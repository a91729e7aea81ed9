/** Plain text from feed fields that may carry markup or entities (titles, names). */
import { decodeHTML } from 'entities';

export function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : textOf(value);
  // Collapse markup whitespace, not every Unicode space: a no-break space in a title is meant.
  return decodeHTML(s.replace(/<[^>]*>/g, ' ')).replace(/[ \t\n\r\f\v]+/g, ' ').trim();
}

/** xml2js gives strings, `{ _: text, $: attrs }` objects or arrays of those. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? textOf(value[0]) : '';
  if (value && typeof value === 'object' && '_' in value) return textOf((value as { _: unknown })._);
  return '';
}
