/**
 * BCP 47 tags → the built-in catalog that serves them, and the direction
 * their script is written in. Matching maximizes the tag (Intl.Locale), so
 * script and region decide: zh-Hans-CN, zh-SG and plain zh are Simplified
 * (zh-CN); zh-HK, zh-MO and zh-Hant are Traditional (zh-TW).
 */
import { CATALOGS, type CatalogName } from './catalogs/index.ts';

export interface LanguageMatch {
  catalog: CatalogName;
  /** False when no catalog speaks the language and English stands in. */
  matched: boolean;
}

/** Whether `tag` is a well-formed BCP 47 language tag. */
export function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

export function matchCatalog(tag: string): LanguageMatch {
  const locale = maximize(tag);
  if (!locale) return { catalog: 'en', matched: false };
  if (locale.language === 'zh') return { catalog: locale.script === 'Hant' ? 'zh-TW' : 'zh-CN', matched: true };
  const name = locale.language as CatalogName;
  return Object.hasOwn(CATALOGS, name) ? { catalog: name, matched: true } : { catalog: 'en', matched: false };
}

/** Whether two tags name the same language in the same script ("en" and "en-US", "zh-CN" and "zh-cn"; not "zh-CN" and "zh-TW"). */
export function sameLanguage(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const [x, y] = [maximize(a), maximize(b)];
  return x !== null && y !== null && x.language === y.language && x.script === y.script;
}

/** Scripts written right to left (the ones a site or feed language may maximize to). */
const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm', 'Rohg', 'Mand', 'Samr']);

/** "rtl" for ar, he, fa, ur and other right-to-left languages; "ltr" otherwise, and for tags that are not tags. */
export function textDirection(tag: string): 'ltr' | 'rtl' {
  const script = maximize(tag)?.script;
  return script && RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
}

/**
 * Feeds repeat a handful of language tags on thousands of cards, and
 * maximizing one costs ~10 µs: each tag is maximized once per process.
 */
const maximized = new Map<string, Intl.Locale | null>();

function maximize(tag: string): Intl.Locale | null {
  let locale = maximized.get(tag);
  if (locale === undefined) {
    try {
      locale = new Intl.Locale(tag).maximize();
    } catch {
      locale = null;
    }
    maximized.set(tag, locale);
  }
  return locale;
}
