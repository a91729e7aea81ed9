/**
 * A page's HTML → its main article, with Mozilla's Readability (the
 * algorithm of Firefox's reader view) on jsdom. Its output is raw HTML from
 * the page: the content stage sanitizes it like any feed HTML.
 *
 * jsdom rather than linkedom (docs/fulltext.md has the figures): it builds
 * the tree a browser builds (parse5, the parser cheerio uses too), so
 * misnested and upper-case tag soup comes out as readers see it; linkedom
 * is ~4× cheaper but kept upper-case attributes beside lower-case ones and
 * `<p>` inside `<p>`. The cost is kept down by one window for the whole
 * build: each page is a `DOMParser` document of it (creating a window per
 * page costs ~70 ms), and jsdom is loaded only when a feed asks for full text.
 * DOMParser documents never run scripts or load anything.
 */
/// <reference path="../types/jsdom.d.ts" />
import type { Result } from '../model/errors.ts';
import { failure } from '../model/errors.ts';
import { judgeArticle } from './verdict.ts';

export interface Extraction {
  /** The article's HTML as Readability serialized it (unsanitized; URLs as the page wrote them). */
  html: string;
  /** What relative URLs in it resolve against: the page's `<base href>`, else the page's URL. */
  baseUrl: string;
}

export interface ArticleExtractor {
  /** `feedWidth`: columns of the feed's own text, which the article must exceed. */
  extract(html: string, pageUrl: string, feedWidth: number): Result<Extraction>;
  close(): void;
}

export async function createArticleExtractor(): Promise<ArticleExtractor> {
  const [{ JSDOM, VirtualConsole }, { Readability }] = await Promise.all([import('jsdom'), import('@mozilla/readability')]);
  // A silent console: a page's broken CSS or markup is not the build's business.
  const window = new JSDOM('', { virtualConsole: new VirtualConsole() }).window;
  const parser = new window.DOMParser();
  return {
    extract(html, pageUrl, feedWidth) {
      const doc = parser.parseFromString(html, 'text/html');
      // Read before Readability, which rewrites the document as it goes.
      const baseUrl = resolve(doc.querySelector('base[href]')?.getAttribute('href'), pageUrl) ?? pageUrl;
      const passwordField = doc.querySelector('input[type=password]') !== null;
      let article: { content?: string | null; textContent?: string | null } | null;
      try {
        article = new Readability<string>(doc).parse();
      } catch (err) {
        return { ok: false, error: failure('parse', `${pageUrl}: Readability could not read the page (${(err as Error).message})`) };
      }
      const verdict = judgeArticle(article?.textContent ?? '', feedWidth, passwordField);
      if (verdict || !article?.content) {
        const why = verdict ?? { code: 'too-short' as const, message: 'the page holds no article' };
        return { ok: false, error: failure(why.code, `${pageUrl}: ${why.message}`, { hint: 'the feed\'s own text is published instead' }) };
      }
      return { ok: true, value: { html: article.content, baseUrl } };
    },
    close: () => window.close(),
  };
}

function resolve(href: string | null | undefined, base: string): string | null {
  if (!href) return null;
  try {
    return new URL(href, base).href;
  } catch {
    return null;
  }
}
