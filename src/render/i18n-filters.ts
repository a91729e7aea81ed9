/**
 * The template side of the site's words: Nunjucks filters over a
 * Translator (src/i18n), and the strings the search page hands to
 * Pagefind's UI. Pure, apart from Nunjucks' SafeString marking output as
 * already escaped.
 */
import { escapeUTF8 } from 'entities';
import nunjucks from 'nunjucks';
import { sameLanguage, textDirection, type Params, type StringKey, type Translator } from '../i18n/index.ts';

const { SafeString } = nunjucks.runtime;

export interface I18nFilters {
  /**
   * `{{ "nav.latest" | t }}`, `{{ "count.articles" | t({ count: n }) }}`: escaped text; a parameter marked safe (a
   * link, a macro's output) goes in as HTML. A key the catalog lacks stops the render, unless a `fallback` key is
   * given for keys made from data (`("health.error." + code) | t({}, "health.failing")`).
   */
  t(key: unknown, params?: unknown, fallback?: unknown): InstanceType<typeof SafeString>;
  /** `{{ 1234 | number }}` → "1,234" in the site's language. */
  number(value: unknown): string;
  /** `{{ lang | dir }}` → "rtl" or "ltr". */
  dir(language: unknown): 'ltr' | 'rtl';
  /**
   * `<article{{ item.language | langAttrs }}>` → ` lang="he" dir="rtl"`: an element's
   * language, and its direction when it differs from the enclosing text's (the
   * site's unless given); nothing for no language.
   */
  langAttrs(language: unknown, enclosing?: unknown): InstanceType<typeof SafeString>;
  /**
   * `<header{{ lang | siteLangAttrs }}>`: the attributes that put an element back
   * into the site's language inside text of `language` (an article's); nothing
   * when that is the site's language already (in any region: "en-US" on an "en"
   * site), or none.
   */
  siteLangAttrs(language: unknown): InstanceType<typeof SafeString>;
}

export function i18nFilters(t: Translator): I18nFilters {
  return {
    t(key, params, fallback) {
      const known = typeof key === 'string' && t.isKey(key) ? key : typeof fallback === 'string' && t.isKey(fallback) ? fallback : null;
      if (!known) throw new Error(`unknown string key ${JSON.stringify(key)}: the keys are those of src/i18n/catalogs/en.ts`);
      const values = params && typeof params === 'object' ? (params as Params) : {};
      return new SafeString(t.html(known, values, escapeUTF8, (value) => (value instanceof SafeString ? value.toString() : null)));
    },
    number: (value) => (typeof value === 'number' ? t.number(value) : value == null ? '' : String(value)),
    dir: (language) => (typeof language === 'string' && language ? textDirection(language) : 'ltr'),
    langAttrs: (language, enclosing) => langAttrs(language, typeof enclosing === 'string' && enclosing ? enclosing : t.language),
    siteLangAttrs: (language) => (typeof language === 'string' && language && !sameLanguage(language, t.language) ? langAttrs(t.language, language) : new SafeString('')),
  };
}

function langAttrs(language: unknown, enclosing: string): InstanceType<typeof SafeString> {
  if (typeof language !== 'string' || !language) return new SafeString('');
  const dir = textDirection(language);
  return new SafeString(` lang="${escapeUTF8(language)}"${dir === textDirection(enclosing) ? '' : ` dir="${dir}"`}`);
}

/** Pagefind's UI strings (its `translations` option) from the catalog: its [COUNT], [SEARCH_TERM] and [DIFFERENT_TERM] for our placeholders. */
export function pagefindTranslations(t: Translator): Record<string, string> {
  const pagefind = (text: string) => text.replaceAll('{count}', '[COUNT]').replaceAll('{query}', '[SEARCH_TERM]').replaceAll('{other}', '[DIFFERENT_TERM]');
  const text = (key: StringKey) => pagefind(t.form(key, 0));
  // Pagefind chooses between one and many results itself: the forms our plural rules give 1 and 2 (or more).
  const results = (count: number) => pagefind(t.form('search.results', count));
  return {
    placeholder: text('search.inputLabel'),
    search_label: text('search.inputLabel'),
    clear_search: text('search.clear'),
    load_more: text('search.loadMore'),
    filters_label: text('search.filters'),
    zero_results: text('search.noResults'),
    one_result: results(1),
    many_results: results(2),
    alt_search: text('search.altSearch'),
    search_suggestion: text('search.suggestion'),
    searching: text('search.searching'),
    results_label: text('search.resultsLabel'),
    error_search: text('search.error'),
  };
}
