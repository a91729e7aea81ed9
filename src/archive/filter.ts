/**
 * Include/exclude filters (feeds.json "filters", global and per feed):
 * which freshly parsed items may enter the archive. Pure. Patterns were
 * checked when the config was read; here they are compiled once and matched
 * against plain text, so markup cannot make or break a match.
 */
import { decodeHTML } from 'entities';
import type { FilterConfig, FilterField, FilterRule } from '../model/config.ts';
import type { ParsedItem } from '../model/feed.ts';

export type ItemFilter = (item: ParsedItem) => boolean;

/** Every filter set must let the item through (the global one and the feed's own). */
export function compileFilters(sets: readonly FilterConfig[]): ItemFilter | null {
  const compiled = sets
    .filter((s) => s.include.length > 0 || s.exclude.length > 0)
    .map((s) => ({ include: s.include.map(compile), exclude: s.exclude.map(compile) }));
  if (compiled.length === 0) return null;
  return (item) => {
    const text = fieldsOf(item);
    return compiled.every(
      (s) => (s.include.length === 0 || s.include.some((m) => m(text))) && !s.exclude.some((m) => m(text)),
    );
  };
}

type Fields = Record<FilterField, () => string[]>;

function compile(rule: FilterRule): (fields: Fields) => boolean {
  const re = new RegExp(rule.pattern, rule.flags.replace(/[gy]/g, ''));
  return (fields) => rule.fields.some((f) => fields[f]().some((value) => re.test(value)));
}

/** Lazily computed, once per item: content is the costly one. */
function fieldsOf(item: ParsedItem): Fields {
  let content: string[] | null = null;
  return {
    title: () => [item.title],
    content: () => (content ??= [plain(item.contentHtml)]),
    author: () => (item.author ? [item.author] : []),
    category: () => item.categories,
  };
}

function plain(html: string): string {
  return decodeHTML(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}
