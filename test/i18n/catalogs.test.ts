/**
 * The built-in catalogs: the same keys in every one, well-formed plural
 * forms and placeholders, English plurals and numbers right; BCP 47
 * matching and text direction; the translator's escaping and overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CATALOGS,
  createTranslator,
  forms,
  matchCatalog,
  placeholders,
  sameLanguage,
  STRING_KEYS,
  textDirection,
  type Message,
} from '../../src/i18n/index.ts';
import { i18nFilters, pagefindTranslations } from '../../src/render/i18n-filters.ts';

test('every catalog has exactly the English keys, with no placeholder English lacks and plural forms the language has', () => {
  const en = CATALOGS.en as Record<string, Message>;
  for (const [name, catalog] of Object.entries(CATALOGS) as [string, Record<string, Message>][]) {
    assert.deepEqual(Object.keys(catalog).sort(), [...STRING_KEYS].sort(), `${name}: missing or extra keys`);
    const categories = new Set<string>(new Intl.PluralRules(name).resolvedOptions().pluralCategories);
    for (const key of STRING_KEYS) {
      const message = catalog[key]!;
      for (const text of forms(message)) assert.ok(text.trim().length > 0, `${name} ${key}: empty`);
      const extra = [...placeholders(message)].filter((p) => !placeholders(en[key]!).has(p));
      assert.deepEqual(extra, [], `${name} ${key}: placeholders English does not have`);
      if (typeof message !== 'string') {
        assert.equal(typeof en[key], 'object', `${name} ${key}: plural forms for a text English gives one form`);
        for (const form of Object.keys(message)) assert.ok(categories.has(form), `${name} ${key}: "${form}" is not a plural category of ${name}`);
      }
      // A translation keeps the parameters that carry information: a count, a link, a date.
      for (const needed of ['count', 'time', 'query', 'page', 'url', 'status']) {
        if (placeholders(en[key]!).has(needed)) assert.ok(placeholders(message).has(needed), `${name} ${key}: drops {${needed}}`);
      }
    }
    if (name !== 'en') {
      // Translated, not copied: only format names and punctuation-only patterns may stay as they are in English.
      const same = STRING_KEYS.filter((k) => JSON.stringify(catalog[k]) === JSON.stringify(en[k]) && !/^(format\..*|health\.http|category\.lede|site\.jsonFeedTitle)$/.test(k));
      assert.deepEqual(same, [], `${name}: left in English`);
    }
  }
});

test('English plural forms and numbers', () => {
  const t = createTranslator('en');
  assert.equal(t.text('count.articles', { count: 0 }), '0 articles');
  assert.equal(t.text('count.articles', { count: 1 }), '1 article');
  assert.equal(t.text('count.articles', { count: 2 }), '2 articles');
  assert.equal(t.text('count.articles', { count: 12345 }), '12,345 articles');
  assert.equal(t.text('count.feeds', { count: 1 }), '1 feed');
  assert.equal(t.text('health.inARow', { count: 3 }), '3 builds in a row');
  assert.equal(t.text('search.results', { count: 1, query: 'x' }), '1 result for x');
  assert.equal(t.text('search.results', { count: 7, query: 'x' }), '7 results for x');
  // Forms and numbers follow the site's language tag, not only the catalog: en-IN groups lakhs.
  assert.equal(createTranslator('en-IN').text('count.articles', { count: 1234567 }), '12,34,567 articles');
  assert.equal(createTranslator('zh-CN').text('count.articles', { count: 12345 }), '12,345篇文章');
  assert.equal(createTranslator('ko').text('count.feeds', { count: 3 }), '피드 3개');
});

test('site.language picks a catalog by BCP 47 matching; other languages fall back to English', () => {
  const cases: [string, string, boolean][] = [
    ['en', 'en', true],
    ['en-GB', 'en', true],
    ['zh-CN', 'zh-CN', true],
    ['zh-Hans-CN', 'zh-CN', true],
    ['zh', 'zh-CN', true],
    ['zh-SG', 'zh-CN', true],
    ['zh-TW', 'zh-TW', true],
    ['zh-HK', 'zh-TW', true],
    ['zh-MO', 'zh-TW', true],
    ['zh-Hant', 'zh-TW', true],
    ['zh-Hant-CN', 'zh-TW', true],
    ['ja-JP', 'ja', true],
    ['ja', 'ja', true],
    ['ko-KR', 'ko', true],
    ['fr', 'en', false],
    ['ar-EG', 'en', false],
    ['not a tag', 'en', false],
  ];
  for (const [tag, catalog, matched] of cases) assert.deepEqual(matchCatalog(tag), { catalog, matched }, tag);
  assert.equal(createTranslator('zh-HK').text('nav.archive'), '彙整');
  assert.equal(createTranslator('ja-JP').text('nav.archive'), 'アーカイブ');
  assert.equal(createTranslator('fr').text('nav.archive'), 'Archive');
});

test('text direction: right to left for ar, he, fa, ur (and their regions); left to right otherwise', () => {
  for (const tag of ['ar', 'ar-EG', 'he', 'he-IL', 'fa', 'fa-IR', 'ur', 'ur-PK', 'yi', 'ps']) assert.equal(textDirection(tag), 'rtl', tag);
  for (const tag of ['en', 'zh-CN', 'ja', 'ko', 'ru', 'tr', 'az-Latn', 'not a tag']) assert.equal(textDirection(tag), 'ltr', tag);
  assert.ok(sameLanguage('en-US', 'en') && sameLanguage('zh-cn', 'zh-CN') && !sameLanguage('zh-CN', 'zh-TW') && !sameLanguage('en', 'fr'));
});

test('site.strings overrides; the t filter escapes the message and plain parameters, not markup parameters', () => {
  const t = createTranslator('zh-CN', { 'nav.archive': '往期', 'count.articles': '共{count}篇' });
  assert.equal(t.text('nav.archive'), '往期');
  assert.equal(t.text('count.articles', { count: 3 }), '共3篇');
  assert.equal(t.text('nav.feeds'), '订阅源', 'keys not overridden keep the catalog');

  const filters = i18nFilters(createTranslator('en', { 'footer.about': 'By <b> & {feeds} via {generator}' }));
  const link = filters.t('footer.feeds', { site: 'A <b>' });
  assert.equal(String(link), 'A &lt;b&gt;&apos;s feeds');
  const html = filters.t('footer.about', { feeds: link, generator: '<i>' });
  assert.equal(String(html), 'By &lt;b&gt; &amp; A &lt;b&gt;&apos;s feeds via &lt;i&gt;');
  assert.throws(() => filters.t('nav.lates'), /unknown string key "nav\.lates"/);
  assert.equal(String(filters.t('health.error.gone-fishing', {}, 'health.failing')), 'Failing', 'a key made from data falls back');
  assert.equal(String(filters.langAttrs('he')), ' lang="he" dir="rtl"');
  assert.equal(String(filters.langAttrs('en-US')), ' lang="en-US"');
  assert.equal(String(filters.siteLangAttrs('he')), ' lang="en" dir="ltr"');
  assert.equal(String(filters.siteLangAttrs('en-us')), '');
  assert.equal(String(i18nFilters(createTranslator('ar')).langAttrs('en')), ' lang="en" dir="ltr"');
});

test("Pagefind's strings come from the catalog, in its placeholders", () => {
  const zh = pagefindTranslations(createTranslator('zh-CN'));
  assert.equal(zh.many_results, '找到[COUNT]条与“[SEARCH_TERM]”相关的结果');
  assert.equal(zh.zero_results, '没有找到与“[SEARCH_TERM]”相关的结果');
  assert.equal(zh.alt_search, '没有找到与“[SEARCH_TERM]”相关的结果，以下是“[DIFFERENT_TERM]”的搜索结果');
  const en = pagefindTranslations(createTranslator('en'));
  assert.equal(en.one_result, '[COUNT] result for [SEARCH_TERM]');
  assert.equal(en.many_results, '[COUNT] results for [SEARCH_TERM]');
  assert.equal(en.placeholder, 'Search articles');
  for (const value of Object.values(zh)) assert.doesNotMatch(value, /\{[a-z]+\}/i, 'no placeholder left in ours');
});
