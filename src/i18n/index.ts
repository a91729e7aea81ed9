/**
 * i18n: every string the site writes itself, in the site's language.
 * Built-in catalogs (catalogs/: en, zh-CN, zh-TW, ja, ko), chosen from
 * `site.language` by BCP 47 matching; `site.strings` overrides any entry.
 * Pure data and pure functions: the config stage validates overrides with
 * it, the render stage formats pages with it. Imports nothing but model types.
 */
export { CATALOGS, STRING_KEYS, type Catalog, type CatalogName, type StringKey } from './catalogs/index.ts';
export { isLanguageTag, matchCatalog, sameLanguage, textDirection, type LanguageMatch } from './language.ts';
export { PLURAL_CATEGORIES, forms, placeholders, type Message, type PluralMessage } from './message.ts';
export { overrideProblems } from './overrides.ts';
export { createTranslator, type Params, type Translator } from './translator.ts';
