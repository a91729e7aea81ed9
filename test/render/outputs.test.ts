/**
 * The demo site, built for real (fixture server, images, Eleventy, Pagefind),
 * checked file by file: JSON Feed 1.1 + the _digest schema, Atom 1.0,
 * OPML 2.0, sitemap, robots.txt, and what every HTML page must carry.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../support/tmp.ts';
import { buildDemoSite, DEMO_SEARCH_PART_SIZE, type DemoSite } from './demo-build.ts';
import { createAjv, describeErrors, jsonFeedValidator } from './json-schema.ts';
import { child, children, parseXml, type XmlElement } from './xml.ts';

const SITE_URL = 'https://reader.example.org/digest/';
const ATOM = 'http://www.w3.org/2005/Atom';

let site: DemoSite;
const read = (p: string) => readFile(path.join(site.out, p), 'utf8');
const exists = (p: string) => stat(path.join(site.out, p)).then((s) => s.isFile(), () => false);

async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, p)));
    else out.push(p);
  }
  return out;
}

/** The site-relative path an absolute URL of this site names ("…/feeds/x/" → "feeds/x/index.html"). */
function fileOf(url: string): string {
  assert.ok(url.startsWith(SITE_URL), `${url} is under ${SITE_URL}`);
  const rel = url.slice(SITE_URL.length);
  return rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel;
}

describe('demo site outputs', () => {
  let files: string[];
  let articleIds: string[];

  // Hooks registered while a hook runs fire at once: collect cleanups here instead.
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const fn of cleanups) await fn();
  });

  before(async () => {
    const dir = await tempDir({ after: (fn: () => unknown) => cleanups.push(fn) });
    site = await buildDemoSite(dir, SITE_URL);
    files = await walk(site.out);
    articleIds = files.filter((f) => /^articles\/[0-9a-f]{32}\/index\.html$/.test(f)).map((f) => f.split('/')[1]!);
  });

  test('every api/*.json document is valid JSON Feed 1.1 and every _digest matches the published schema', async () => {
    const ajv = createAjv();
    const validateFeed = jsonFeedValidator(ajv);
    const digestSchema = JSON.parse(await read('api/digest.schema.json')) as { $id: string };
    assert.equal(digestSchema.$id, `${SITE_URL}api/digest.schema.json`);
    ajv.addSchema(digestSchema);
    const validateFeedDigest = ajv.getSchema(`${digestSchema.$id}#/definitions/feed`);
    const validateItemDigest = ajv.getSchema(`${digestSchema.$id}#/definitions/item`);
    assert.ok(validateFeedDigest && validateItemDigest, 'the schema defines feed and item');

    const docs = files.filter((f) => f.startsWith('api/') && f.endsWith('.json') && !['api/feeds.json', 'api/report.json', 'api/digest.schema.json'].includes(f));
    assert.ok(docs.includes('api/all.json'));
    for (const id of ['tech-blog', 'design-notes', 'science-rdf', 'zh-news-gbk', 'podcast']) assert.ok(docs.includes(`api/feeds/${id}.json`), id);
    let items = 0;
    for (const file of docs) {
      const doc = JSON.parse(await read(file)) as { _digest: unknown; items: { id: string; _digest: { link_md5: string } }[] };
      assert.ok(validateFeed(doc), `${file}: ${describeErrors(validateFeed)}`);
      assert.ok(validateFeedDigest(doc._digest), `${file} _digest: ${describeErrors(validateFeedDigest)}`);
      for (const item of doc.items) {
        assert.ok(validateItemDigest(item._digest), `${file} item ${item.id}: ${describeErrors(validateItemDigest)}`);
        assert.equal(item._digest.link_md5, item.id);
        items++;
      }
    }
    // api/all.json holds every article once; the per-feed documents hold them again.
    const all = JSON.parse(await read('api/all.json')) as { items: { id: string }[] };
    assert.deepEqual(new Set(all.items.map((i) => i.id)), new Set(articleIds));
    assert.ok(items >= 2 * articleIds.length);
  });

  test('feed.xml, every feed and every category have a valid Atom 1.0 document', async () => {
    const atoms = files.filter((f) => f === 'feed.xml' || /^(feeds|categories)\/[^/]+\/feed\.xml$/.test(f));
    assert.equal(atoms.filter((f) => f.startsWith('feeds/')).length, 5);
    assert.equal(atoms.filter((f) => f.startsWith('categories/')).length, 5);
    for (const file of atoms) {
      const feed = parseXml(await read(file));
      assert.equal(feed.name, 'feed', file);
      assert.equal(feed.ns, ATOM, file);
      for (const required of ['id', 'title', 'updated']) assert.equal(children(feed, required).length, 1, `${file}: one <${required}>`);
      assert.ok(!Number.isNaN(Date.parse(child(feed, 'updated')!.text)));
      const self = children(feed, 'link').find((l) => l.attrs.rel === 'self');
      assert.equal(self?.attrs.href, SITE_URL + file, `${file}: rel=self is its own URL`);
      const entries = children(feed, 'entry');
      assert.ok(entries.length > 0, file);
      // RFC 4287 4.1.1: the feed has an author unless every entry has one.
      assert.ok(children(feed, 'author').length > 0 || entries.every((e) => child(e, 'author')), `${file}: author`);
      const ids = new Set<string>();
      for (const e of entries) {
        for (const required of ['id', 'title', 'updated']) assert.equal(children(e, required).length, 1, `${file}: entry <${required}>`);
        assert.ok(!ids.has(child(e, 'id')!.text), 'entry ids are unique');
        ids.add(child(e, 'id')!.text);
        const alternate = children(e, 'link').find((l) => l.attrs.rel === 'alternate');
        assert.ok(alternate && (await exists(fileOf(alternate.attrs.href!))), `${file}: entry links to a page of the site`);
        const content = child(e, 'content');
        assert.equal(content?.attrs.type, 'html');
        // Images point at the site, absolutely: a reader fetches them out of context.
        for (const m of content!.text.matchAll(/<img[^>]+src="([^"]+)"/g)) if (!m[1]!.startsWith('http://127.0.0.1')) assert.ok(m[1]!.startsWith(SITE_URL), m[1]);
      }
    }
  });

  test('feeds.opml is OPML 2.0 with every feed, grouped by category', async () => {
    const opml = parseXml(await read('feeds.opml'));
    assert.equal(opml.name, 'opml');
    assert.equal(opml.attrs.version, '2.0');
    assert.ok(child(opml, 'head') && child(child(opml, 'head')!, 'title'));
    const outlines: XmlElement[] = [];
    const collect = (el: XmlElement) => el.children.forEach((c) => (c.name === 'outline' ? (outlines.push(c), collect(c)) : undefined));
    collect(child(opml, 'body')!);
    const subscriptions = outlines.filter((o) => o.attrs.type === 'rss');
    assert.equal(subscriptions.length, 5);
    for (const o of outlines) assert.ok(o.attrs.text, 'every outline has text');
    for (const o of subscriptions) assert.match(o.attrs.xmlUrl!, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.ok(subscriptions.some((o) => o.attrs.text === '中文科技新闻'));
  });

  test('sitemap.xml lists every page that exists, and robots.txt points at it', async () => {
    const urlset = parseXml(await read('sitemap.xml'));
    assert.equal(urlset.ns, 'http://www.sitemaps.org/schemas/sitemap/0.9');
    const locs = children(urlset, 'url').map((u) => child(u, 'loc')!.text);
    for (const loc of locs) assert.ok(await exists(fileOf(loc)), loc);
    for (const id of articleIds) assert.ok(locs.includes(`${SITE_URL}articles/${id}/`), id);
    assert.ok(locs.includes(`${SITE_URL}archive/`));
    assert.ok(locs.includes(SITE_URL));
    assert.match(await read('robots.txt'), new RegExp(`^Sitemap: ${SITE_URL}sitemap\\.xml$`, 'm'));
  });

  test('every HTML page: CSP without inline script, lang, landmarks, alternate links, sized images', async () => {
    const pages = files.filter((f) => f.endsWith('.html') && !f.startsWith('pagefind/'));
    assert.ok(pages.length > articleIds.length + 10);
    for (const file of pages) {
      // Attribute values are HTML-escaped (&#39; for ').
      const html = (await read(file)).replaceAll('&#39;', "'");
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*script-src 'self'/, file);
      assert.doesNotMatch(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*unsafe-inline/, file);
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
        assert.match(m[1]!, /\bsrc="/, `${file}: every script is an external file`);
        assert.equal(m[2]!.trim(), '', file);
      }
      assert.doesNotMatch(html, /\son[a-z]+="/i, `${file}: no inline event handlers`);
      assert.match(html, /<html lang="[A-Za-z]{2,3}(-[A-Za-z0-9]+)*" dir="ltr">/, file);
      assert.match(html, /<main id="main"/, file);
      assert.match(html, /<link rel="alternate" type="application\/atom\+xml" [^>]*href="\/digest\/feed\.xml">/, file);
      assert.match(html, /<link rel="alternate" type="application\/feed\+json" [^>]*href="\/digest\/api\/all\.json">/, file);
      for (const img of html.match(/<img\b[^>]*>/g) ?? []) {
        assert.match(img, /\swidth="\d+"/, `${file}: ${img}`);
        assert.match(img, /\sheight="\d+"/, `${file}: ${img}`);
        assert.match(img, /\salt="/, `${file}: ${img}`);
      }
    }
    const feedPage = await read('feeds/tech-blog/index.html');
    assert.match(feedPage, /<link rel="alternate" type="application\/atom\+xml" [^>]*href="\/digest\/feeds\/tech-blog\/feed\.xml">/);
    assert.match(feedPage, /<link rel="alternate" type="application\/feed\+json" [^>]*href="\/digest\/api\/feeds\/tech-blog\.json">/);
    assert.match(await read('categories/zh/index.html'), /<link rel="alternate" type="application\/atom\+xml" [^>]*href="\/digest\/categories\/zh\/feed\.xml">/);
  });

  test('dates are written in the site time zone, articles carry their feed language', async () => {
    // demo/feeds.json: timezone Asia/Shanghai.
    const home = await read('index.html');
    const stamps = [...home.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)];
    assert.ok(stamps.length > 10);
    for (const [, datetime, shown] of stamps) {
      assert.match(datetime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      assert.ok(shown!.trim().length > 0);
    }
    const all = JSON.parse(await read('api/all.json')) as { items: { id: string; date_published: string; _digest: { feed_id: string } }[] };
    const zh = all.items.filter((i) => i._digest.feed_id === 'zh-news-gbk');
    const en = all.items.filter((i) => i._digest.feed_id === 'tech-blog');
    assert.ok(zh.length > 0 && en.length > 0);
    for (const item of zh) assert.match(await read(`articles/${item.id}/index.html`), /^<!doctype html>\n<html lang="zh-cn" dir="ltr">/i);
    for (const item of en) assert.match(await read(`articles/${item.id}/index.html`), /^<!doctype html>\n<html lang="en-us" dir="ltr">/i);
    // The same instant in the page's <time> and in the JSON (UTC).
    const sample = en[0]!;
    const page = await read(`articles/${sample.id}/index.html`);
    const local = /<time datetime="([^"]+)">/.exec(page)![1]!;
    assert.equal(new Date(local).getTime(), new Date(sample.date_published).getTime());
    // Chrome in a zh article page keeps the site's language.
    assert.match(await read(`articles/${zh[0]!.id}/index.html`), /<header class="site-header" lang="en">/);
  });

  test('monthly archive: one page per month (site time zone) holding every article once', async () => {
    const all = JSON.parse(await read('api/all.json')) as { items: { id: string; date_published: string }[] };
    const monthOf = (iso: string) => {
      const p = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]),
      );
      return `${p.year}/${p.month}`;
    };
    const expected = new Map<string, Set<string>>();
    for (const item of all.items) {
      const key = monthOf(item.date_published);
      if (!expected.has(key)) expected.set(key, new Set());
      expected.get(key)!.add(item.id);
    }
    const index = await read('archive/index.html');
    for (const [key, ids] of expected) {
      assert.match(index, new RegExp(`href="/digest/archive/${key}/"`), key);
      const seen = new Set<string>();
      for (const f of files.filter((x) => x === `archive/${key}/index.html` || x.startsWith(`archive/${key}/page/`))) {
        for (const m of (await read(f)).matchAll(/<article class="card" data-article="([0-9a-f]{32})"/g)) seen.add(m[1]!);
      }
      assert.deepEqual(seen, ids, key);
    }
  });

  test('search: Pagefind indexed every article page in parts, English and Chinese in their own indexes', async () => {
    const { parts } = JSON.parse(await read('pagefind/parts.json')) as { parts: { path: string; pages: number; languages: Record<string, number> }[] };
    // The demo is built in parts of DEMO_SEARCH_PART_SIZE articles (demo-build.ts), as a large archive is (too few to merge any).
    assert.equal(parts.length, Math.ceil(articleIds.length / DEMO_SEARCH_PART_SIZE));
    const languages: Record<string, number> = {};
    for (const [n, part] of parts.entries()) {
      assert.equal(part.path, `${n + 1}/`);
      const entry = JSON.parse(await read(`pagefind/${part.path}pagefind-entry.json`)) as { languages: Record<string, { page_count: number }> };
      assert.deepEqual(Object.fromEntries(Object.entries(entry.languages).map(([k, v]) => [k, v.page_count])), part.languages, `part ${part.path}`);
      assert.ok(part.pages <= DEMO_SEARCH_PART_SIZE);
      for (const [code, count] of Object.entries(part.languages)) languages[code] = (languages[code] ?? 0) + count;
    }
    assert.equal(Object.values(languages).reduce((a, b) => a + b, 0), articleIds.length, 'only article pages are indexed');
    assert.equal(languages['zh-cn'], 8, JSON.stringify(languages));
    assert.ok(languages['en-us'] || languages.en);
    const searchPage = await read('search/index.html');
    for (const asset of ['pagefind/pagefind-ui.js', 'pagefind/pagefind-ui.css', 'search.js']) {
      assert.ok(searchPage.includes(`"/digest/${asset}"`), asset);
      assert.ok(await exists(asset), asset);
    }
    assert.match(searchPage, /<p class="notice" id="search-fallback">Search runs in your browser and needs JavaScript/);
    assert.match(await read('articles/' + articleIds[0] + '/index.html'), /data-pagefind-body/);
    assert.equal(site.result.report.warnings.filter((w) => w.includes('search')).length, 0);
  });

  test('404 page, feeds directory with health, per-feed health', async () => {
    assert.match(await read('404.html'), /Page not found/);
    const directory = await read('feeds/index.html');
    assert.equal([...directory.matchAll(/<tr>\s*<th scope="row">/g)].length, 5);
    assert.match(directory, /HTTP 200/);
    const feedPage = await read('feeds/zh-news-gbk/index.html');
    assert.match(directory, /<td data-label="Last fetched"><time datetime="2026-11-27T17:30:00\+08:00">/);
    // The feed's own page shows nothing that changes on every build: it is kept while the feed is quiet.
    assert.doesNotMatch(feedPage, /Last fetched|HTTP 200/);
    assert.match(feedPage, /<span class="status ok">OK<\/span>/);
  });
});
