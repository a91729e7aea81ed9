/**
 * The full-text stage's parts without a build: every fixture page through
 * decoding, Readability on jsdom and the content stage (what the build
 * publishes), the verdicts on pages without an article, the HTML charset
 * declaration read by a parser, the "auto" rule, which pages a build
 * fetches, and what a fallback keeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { load } from 'cheerio';
import { decodeHtml } from '../../src/fetch/index.ts';
import { prepareContent } from '../../src/content/index.ts';
import { createArticleExtractor } from '../../src/fulltext/extract.ts';
import { isSummaryOnly, pagesToFetch, MAX_TRIES } from '../../src/fulltext/select.ts';
import { withExtraction, withFallback } from '../../src/fulltext/record.ts';
import type { Article } from '../../src/model/archive.ts';
import { failure } from '../../src/model/errors.ts';
import { loadCases, PAGES } from './publisher.ts';

const ORIGIN = 'http://news.example';
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

test('every fixture page: the article with every paragraph and none of the boilerplate, or why there is none', async (t) => {
  const cases = await loadCases();
  const extractor = await createArticleExtractor();
  t.after(() => extractor.close());
  for (const [file, c] of Object.entries(cases)) {
    const bytes = await readFile(path.join(PAGES, file));
    // As the publisher serves them: the GBK page says nothing of its charset in HTTP.
    const decoded = decodeHtml(bytes, file === 'zh-gbk.html' ? 'text/html' : 'text/html; charset=utf-8');
    if (c.charset) assert.deepEqual([decoded.charset, decoded.source], [c.charset, 'declaration'], `${file}: charset from its <meta>`);
    const pageUrl = `${ORIGIN}/fulltext/${file}`;
    const result = extractor.extract(decoded.text, pageUrl, 40);
    if (c.expect !== 'extracted') {
      assert.equal(result.ok ? 'extracted' : result.error.code, c.expect, file);
      continue;
    }
    assert.ok(result.ok, `${file}: ${result.ok ? '' : result.error.message}`);
    const prepared = prepareContent(result.value.html, result.value.baseUrl);
    const text = norm(load(prepared.html).text());
    for (const p of c.body!) assert.ok(text.includes(norm(p)), `${file} holds: ${p}`);
    for (const b of c.boilerplate!) assert.ok(!text.includes(norm(b)), `${file} has no boilerplate: ${b}`);
    assert.deepEqual(prepared.images, c.images!.map((p) => ORIGIN + p), `${file}: images, absolute against the page (and its <base>)`);
  }
});

test('an article no longer than the feed\'s own text is not worth publishing over it', async (t) => {
  const extractor = await createArticleExtractor();
  t.after(() => extractor.close());
  const html = (await readFile(path.join(PAGES, 'ja-article.html'), 'utf8'));
  assert.ok(extractor.extract(html, `${ORIGIN}/a`, 100).ok);
  const longer = extractor.extract(html, `${ORIGIN}/a`, 5000);
  assert.equal(longer.ok ? 'extracted' : longer.error.code, 'too-short');
});

test('HTML charset: <meta charset> and http-equiv are read with a parser, after the BOM, valid UTF-8 and the HTTP charset', () => {
  const page = (head: string, body: string, charset: string) => iconv.encode(`<!DOCTYPE html><html><head>${head}</head><body><p>${body}</p></body></html>`, charset);
  const ja = '日本語の本文です。今週、複数の企業が新しいモデルを発表しました。';
  const cases: [string, Buffer, string | undefined, string, string][] = [
    ['http-equiv, upper case, single quotes, no space', page(`<META HTTP-EQUIV='Content-Type' CONTENT='text/html;charset=Shift_JIS'>`, ja, 'shift_jis'), 'text/html', 'shift_jis', 'declaration'],
    ['<meta charset> after 2 KB of script', page(`<script>${'var x = 1;\n'.repeat(200)}</script><meta charset="euc-jp">`, ja, 'euc-jp'), undefined, 'euc-jp', 'declaration'],
    ['a commented-out tag is not a declaration', page(`<!-- <meta charset="koi8-r"> --><meta charset="gbk">`, '多家厂商发布推理模型并下调价格。', 'gbk'), 'text/html', 'gb18030', 'declaration'],
    ['the HTTP charset wins over the page', page(`<meta charset="iso-8859-1">`, ja, 'euc-jp'), 'text/html; charset=EUC-JP', 'euc-jp', 'http'],
    ['valid UTF-8 is UTF-8 whatever the tag says', Buffer.from(`<meta charset="gbk"><p>${ja}</p>`), 'text/html', 'utf-8', 'utf-8'],
  ];
  for (const [what, bytes, type, charset, source] of cases) {
    const d = decodeHtml(bytes, type);
    assert.deepEqual([d.charset, d.source], [charset, source], what);
    assert.ok(d.text.includes(ja) || d.text.includes('多家厂商'), `${what}: decoded`);
  }
});

test('the "auto" rule: a summary is under 500 columns, a CJK character counting as two', () => {
  assert.equal(isSummaryOnly(''), true, 'no text at all');
  assert.equal(isSummaryOnly(`<p>${'a'.repeat(499)}</p>`), true);
  assert.equal(isSummaryOnly(`<p>${'a'.repeat(500)}</p>`), false);
  assert.equal(isSummaryOnly(`<p>${'中'.repeat(249)}</p>`), true, '249 Chinese characters are 498 columns');
  assert.equal(isSummaryOnly(`<p>${'中'.repeat(250)}</p>`), false);
  assert.equal(isSummaryOnly(`<p>short</p><img src="http://x/a.jpg" alt="${'a'.repeat(900)}">`), true, 'attributes are not text');
});

const NOW = new Date('2026-03-01T12:00:00Z');

function article(id: string, html: string, extra: Partial<Article> = {}): Article {
  return {
    id, link: `${ORIGIN}/${id}`, title: id, author: null, published: '2026-03-01T00:00:00Z', modified: null, firstSeen: '2026-03-01T00:00:00Z',
    contentHtml: html, sourceHash: id, excerpt: html.replace(/<[^>]+>/g, ''), categories: [], images: [], cover: null, attachments: [], ...extra,
  };
}

test('which pages a build fetches: new and updated items (all, or summaries for "auto"), fallbacks whose back-off is over', () => {
  const long = `<p>${'word '.repeat(200)}</p>`;
  const failed = (retryAfter: string | null) => ({ sourceUrl: `${ORIGIN}/x`, fetchedAt: null, error: failure('http-status', '404'), failures: 1, retryAfter });
  const articles = [
    article('short', '<p>A teaser.</p>'),
    article('long', long),
    article('due', '<p>A teaser.</p>', { fullText: failed('2026-03-01T11:00:00Z') }),
    article('later', '<p>A teaser.</p>', { fullText: failed('2026-03-01T13:00:00Z') }),
    article('given-up', '<p>A teaser.</p>', { fullText: failed(null) }),
    article('done', long, { fullText: { sourceUrl: `${ORIGIN}/done`, fetchedAt: '2026-02-01T00:00:00Z', error: null, failures: 0, retryAfter: null } }),
    article('urn', '<p>x</p>', { link: 'urn:uuid:1' }),
  ];
  const changed = new Set(['short', 'long', 'urn']);
  const ids = (mode: boolean | 'auto') => {
    const r = pagesToFetch(mode, articles, changed, NOW);
    return [r.pages.map((p) => `${p.article.id}:${p.why}`), r.waiting];
  };
  assert.deepEqual(ids('auto'), [['short:changed', 'due:retry'], 1]);
  assert.deepEqual(ids(true), [['short:changed', 'long:changed', 'due:retry'], 1]);
  assert.deepEqual(ids(false), [[], 0]);
});

test('a fallback keeps an earlier extraction, counts its tries and gives up after the last', () => {
  const extracted = withExtraction(article('a', '<p>The feed teaser.</p>'), `${ORIGIN}/a?page`, { html: '<p>The article.</p>', images: ['http://x/1.jpg'], excerpt: 'The article.' }, NOW);
  assert.equal(extracted.contentHtml, '<p>The article.</p>');
  assert.equal(extracted.excerpt, 'The feed teaser.', "the feed's text stays the summary");
  assert.deepEqual(extracted.fullText, { sourceUrl: `${ORIGIN}/a?page`, fetchedAt: NOW.toISOString(), error: null, failures: 0, retryAfter: null });

  // The feed updates the item; its page now fails: the earlier extraction stays.
  const updated = article('a', '<p>The feed teaser, corrected.</p>');
  const fell = withFallback(updated, extracted, failure('timeout', 'timed out'), NOW);
  assert.equal(fell.contentHtml, '<p>The article.</p>');
  assert.deepEqual(fell.images, ['http://x/1.jpg']);
  assert.equal(fell.excerpt, 'The feed teaser, corrected.');
  assert.equal(fell.fullText?.fetchedAt, NOW.toISOString());
  assert.equal(fell.fullText?.retryAfter, '2026-03-01T13:00:00.000Z', 'first back-off: 1 h');

  // A page that never worked: the feed's text, tried MAX_TRIES times, then left alone.
  let a = article('b', '<p>Teaser.</p>');
  for (let i = 1; i <= MAX_TRIES; i++) {
    a = withFallback(a, undefined, failure('http-status', '404'), NOW);
    assert.equal(a.fullText?.failures, i);
    assert.equal(a.contentHtml, '<p>Teaser.</p>');
  }
  assert.equal(a.fullText?.retryAfter, null, 'given up');
});
