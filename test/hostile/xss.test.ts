/**
 * XSS, end to end: every payload of test/fixtures/hostile/xss-payloads.json
 * placed in article content, titles, author names, categories, feed titles,
 * links and enclosure URLs of an RSS, an Atom and a JSON feed; one build;
 * then every HTML page of the site, served as built, opened in headless
 * Chromium told to bypass the pages' Content-Security-Policy, so the
 * sanitizer and the templates are proven on their own, not only behind the
 * CSP. A payload that runs calls the test's callback server; the test
 * asserts that none did. Control pages prove the harness sees a payload
 * that runs, that the site's CSP stops it, and that the bypass works; the
 * payloads served raw show how many are live vectors in this browser.
 *
 * Static checks over every page: CSP present and strict, no inline script,
 * no event handler attributes, no script-bearing URL, no SVG from the
 * site's origin, links to other sites with rel="noopener noreferrer".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { load } from 'cheerio';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { build } from '../../src/build.ts';
import { tempDir } from '../support/tmp.ts';
import { closeServer, listFiles, listen, loadPayloads, publishedItems, startCallbackServer, xmlText, type Payload } from './corpus.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
  // Nothing leaves the machine: every host name but this test's servers' fails to resolve, at once.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
const BASE = '/xss/';

/** RSS: payload i in an item's content, title, author and category; hostile links and enclosures; a hostile channel. */
function rssFeed(payloads: Payload[], home: string, js: (id: string) => string): string {
  const items = payloads.map(
    (p) =>
      `<item><title>${xmlText(`T${p.id} ${p.html}`)}</title><link>http://example.com/rss/${p.id}</link>` +
      `<dc:creator>${xmlText(xmlText(p.html))}</dc:creator><category>${xmlText(xmlText(p.html))}</category><category>${xmlText(p.html)}</category>` +
      `<pubDate>${new Date(Date.UTC(2024, 0, 1, 0, p.id)).toUTCString()}</pubDate><content:encoded>${xmlText(`<p>Content ${p.id}</p>${p.html}<p>end ${p.id}</p>`)}</content:encoded></item>`,
  );
  const hostileUrls = [
    `javascript:${js('link-js')}`,
    ` JaVaScRiPt:${js('link-js-case')}`,
    `data:text/html;base64,${Buffer.from(`<script>${js('link-data')}</script>`).toString('base64')}`,
    'vbscript:msgbox(1)',
    `http://example.com/q?"><script>${js('link-quote')}</script>`,
  ];
  const linkItems = hostileUrls.map(
    (u, i) =>
      `<item><title>Hostile link ${i}</title><link>${xmlText(u)}</link><guid isPermaLink="false">hostile-link-${i}</guid>` +
      `<enclosure url="${xmlText(u)}" type="audio/mpeg" length="1"/><description>link ${i}</description></item>`,
  );
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>` +
    `<title>${xmlText(xmlText(payloads[0]!.html))} RSS</title><link>${home}</link><description>${xmlText(payloads[2]!.html)}</description>` +
    `<image><url>${xmlText(`javascript:${js('icon')}`)}</url><title>x</title><link>${home}</link></image>` +
    items.join('') +
    linkItems.join('') +
    '</channel></rss>'
  );
}

/** Groups of `n` payloads: the JSON and Atom feeds carry several per item (the RSS feed keeps one per item, isolated). */
function chunks<T>(list: T[], n: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, i * n + n));
}

/** JSON Feed: payloads raw in content_html, author names and tags, entity-escaped in titles; script URLs wherever a URL goes. */
function jsonFeed(payloads: Payload[], js: (id: string) => string): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: `${payloads[3]!.html} JSON`,
    home_page_url: `javascript:${js('json-home')}`,
    description: payloads[4]!.html,
    icon: `javascript:${js('json-icon')}`,
    favicon: `javascript:${js('json-favicon')}`,
    authors: [{ name: payloads[5]!.html, url: `javascript:${js('json-feed-author')}` }],
    items: chunks(payloads, 8).map((group, i) => ({
      id: `json-${i}`,
      url: `http://example.com/json/${i}`,
      external_url: `javascript:${js(`json-external-${i}`)}`,
      title: `J${i} ${group.map((p) => xmlText(p.html)).join(' ')}`,
      content_html: group.map((p) => `<p>JSON ${p.id}</p>${p.html}`).join('\n'),
      summary: group[0]!.html,
      image: `javascript:${js(`json-image-${i}`)}`,
      date_published: new Date(Date.UTC(2024, 1, 1, 0, i)).toISOString(),
      authors: group.map((p) => ({ name: p.html, url: `javascript:${js(`json-author-${p.id}`)}` })),
      tags: group.map((p) => p.html),
      attachments: [{ url: `javascript:${js(`json-attachment-${i}`)}`, mime_type: 'audio/mpeg' }],
    })),
  });
}

/** Atom: payloads in type="html" titles and content, author names, category terms and labels, and a few as inline XHTML. */
function atomFeed(payloads: Payload[], home: string, js: (id: string) => string): string {
  const xhtml = [
    `<img src="x" onerror="${xmlText(js('xhtml-img'))}"/>`,
    `<script>${xmlText(js('xhtml-script'))}</script>`,
    `<a href="javascript:${xmlText(js('xhtml-a'))}">x</a>`,
    `<svg xmlns="http://www.w3.org/2000/svg" onload="${xmlText(js('xhtml-svg'))}"/>`,
    `<iframe srcdoc="&lt;script&gt;${xmlText(js('xhtml-srcdoc'))}&lt;/script&gt;"/>`,
  ].join('');
  const entries = chunks(payloads, 8).map(
    (group, i) =>
      `<entry><title type="html">${xmlText(`A${i} ${group.map((p) => p.html).join(' ')}`)}</title><link rel="alternate" href="http://example.com/atom/${i}"/>` +
      `<link rel="enclosure" href="${xmlText(`javascript:${js(`atom-enclosure-${i}`)}`)}" type="audio/mpeg"/>` +
      `<id>urn:atom:${i}</id><updated>${new Date(Date.UTC(2024, 2, 1, 0, i)).toISOString()}</updated>` +
      group.map((p) => `<author><name>${xmlText(xmlText(p.html))}</name><uri>${xmlText(`javascript:${js(`atom-author-${p.id}`)}`)}</uri></author>`).join('') +
      group.map((p) => `<category term="${xmlText(p.html)}" label="${xmlText(xmlText(p.html))}"/>`).join('') +
      (i === 0
        ? `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Atom ${i}</p>${xhtml}</div></content>`
        : `<content type="html">${xmlText(group.map((p) => `<p>Atom ${p.id}</p>${p.html}`).join('\n'))}</content>`) +
      '</entry>',
  );
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">${xmlText(`${payloads[6]!.html} Atom`)}</title>` +
    `<subtitle type="html">${xmlText(payloads[7]!.html)}</subtitle><link href="${home}"/><id>urn:atom-feed</id><updated>2024-03-01T00:00:00Z</updated>` +
    `<icon>${xmlText(`javascript:${js('atom-icon')}`)}</icon><logo>${xmlText(`javascript:${js('atom-logo')}`)}</logo>` +
    entries.join('') +
    '</feed>'
  );
}

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'poster', 'data', 'background', 'xlink:href', 'srcdoc', 'cite', 'codebase', 'dynsrc', 'lowsrc', 'ping']);

/** Everything executable a static scan can see in one HTML document (a page, or an item's content_html). */
function scanHtml(html: string, siteOrigin: string, where: string, page: boolean): string[] {
  const found: string[] = [];
  const $ = load(html);
  $('*').each((_, el) => {
    // domhandler types <script> and <style> apart from other elements.
    if (el.type !== 'tag' && el.type !== 'script' && el.type !== 'style') return;
    const tag = el.name.toLowerCase();
    const attrs = el.attribs;
    if (tag === 'script') {
      const src = attrs.src ?? '';
      if (!src || $(el).text().trim()) found.push(`${where}: inline <script>`);
      else if (!new URL(src, siteOrigin).href.startsWith(siteOrigin)) found.push(`${where}: script from another origin ${src}`);
    }
    if (['iframe', 'frame', 'object', 'embed', 'applet', 'base', 'style', 'link'].includes(tag) && !(page && tag === 'link')) {
      if (!(tag === 'iframe' && /^https:\/\/(www\.)?(youtube(-nocookie)?\.com|player\.vimeo\.com|player\.bilibili\.com)\//.test(attrs.src ?? ''))) found.push(`${where}: <${tag}>`);
    }
    if (tag === 'link' && page && /stylesheet|import|preload|prefetch/i.test(attrs.rel ?? '') && !new URL(attrs.href ?? '', siteOrigin).href.startsWith(siteOrigin)) found.push(`${where}: foreign ${attrs.rel} link`);
    if (tag === 'meta' && /refresh|set-cookie/i.test(attrs['http-equiv'] ?? '')) found.push(`${where}: <meta http-equiv=${attrs['http-equiv']}>`);
    if (tag === 'form' && !(page && (attrs.action ?? '').startsWith(BASE))) found.push(`${where}: <form action=${attrs.action}>`);
    for (const [name, raw] of Object.entries(attrs)) {
      const n = name.toLowerCase();
      if (n.startsWith('on')) found.push(`${where}: <${tag} ${n}=…>`);
      if (n === 'style') found.push(`${where}: <${tag} style=…>`);
      if (n === 'srcdoc') found.push(`${where}: <${tag} srcdoc>`);
      const values = n === 'srcset' ? raw.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '') : URL_ATTRS.has(n) ? [raw] : [];
      for (const v of values) {
        // What a browser would make of it: control characters and whitespace are ignored inside a scheme.
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v.replace(/[\u0000-\u0020]/g, ''))?.[1]?.toLowerCase();
        if (scheme && !['http', 'https', 'mailto'].includes(scheme) && !(scheme === 'data' && tag === 'img' && /^data:image\/(png|gif|jpe?g|webp|avif);/i.test(v))) {
          found.push(`${where}: <${tag} ${n}="${v.slice(0, 40)}">`);
        }
      }
    }
  });
  return found;
}

test('the static scan finds what it looks for', () => {
  const origin = 'http://127.0.0.1:1';
  const bad = [
    '<script>x()</script>', '<script src="http://evil.example/x.js"></script>', '<img src=x onerror=alert(1)>', '<a href="jav&#x09;ascript:alert(1)">a</a>',
    '<a href=" JAVASCRIPT:alert(1)">a</a>', '<iframe srcdoc="x"></iframe>', '<object data="x"></object>', '<embed src="x">', '<base href="http://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=http://evil.example">', '<form action="http://evil.example"></form>', '<style>*{}</style>', '<p style="color:red">x</p>',
    '<img srcset="a.png 1x, javascript:alert(1) 2x">', '<video poster="javascript:alert(1)"></video>', '<button formaction="javascript:alert(1)">b</button>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>', '<svg><a xlink:href="javascript:alert(1)">a</a></svg>',
  ];
  for (const html of bad) assert.ok(scanHtml(html, origin, 'x', false).length > 0, `the scan sees ${html}`);
  for (const html of ['<p>ok</p><a href="https://example.com/" rel="noopener noreferrer">x</a>', '<img src="data:image/png;base64,iVBORw0KGgo=">', '<a href="mailto:a@b.c">m</a>']) {
    assert.deepEqual(scanHtml(html, origin, 'x', false), [], html);
  }
});

test('no XSS payload runs in a real browser, in any field of any feed; every page has a strict CSP and no inline script', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const callback = await startCallbackServer();
  t.after(() => callback.close());
  const payloads = await loadPayloads(callback.origin);
  const js = (id: string) => `fetch(\`${callback.origin}/xss?id=${id}\`)`;

  // The feeds.
  let feedOrigin = '';
  const feeds = http.createServer((req, res) => {
    const home = `${feedOrigin}/`;
    if (req.url === '/rss.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(payloads, home, js));
    if (req.url === '/atom.xml') return void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atomFeed(payloads, home, js));
    if (req.url === '/feed.json') return void res.writeHead(200, { 'content-type': 'application/feed+json' }).end(jsonFeed(payloads, js));
    res.writeHead(404).end();
  });
  feedOrigin = await listen(feeds);
  t.after(() => closeServer(feeds));

  // The site, served as a static host would, and control pages.
  let csp = '';
  const siteServer = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = /^\/raw\/(\d+)\.html$/.exec(url.pathname);
    if (raw) {
      // A payload as the feed sent it, unsanitized and without CSP: proves the vector is live in this browser.
      const p = payloads.find((x) => x.id === Number(raw[1]));
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>raw</title></head><body><p>x</p>${p?.html ?? ''}</body></html>`);
    }
    if (url.pathname === '/control.html' || url.pathname === '/control-csp.html') {
      const meta = url.pathname === '/control-csp.html' ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : '';
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head>${meta}</head><body><img src=x onerror="${js(url.pathname.slice(1, -5))}"></body></html>`);
    }
    if (!url.pathname.startsWith(BASE)) return void res.writeHead(404).end();
    let rel = decodeURIComponent(url.pathname.slice(BASE.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.join(out, rel);
    if (!file.startsWith(out)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      const ext = path.extname(file);
      const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.webp': 'image/webp', '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.xml': 'application/xml' };
      res.writeHead(200, { 'content-type': types[ext] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  const siteOrigin = await listen(siteServer);
  t.after(() => closeServer(siteServer));
  const siteUrl = `${siteOrigin}${BASE}`;

  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'XSS corpus', url: siteUrl },
      // Images in payloads point nowhere useful; the guard keeps the build from fetching any of them.
      fetch: { allowPrivateNetworks: false, timeoutSeconds: 5 },
      feeds: [
        { id: 'xss-rss', url: `${feedOrigin}/rss.xml` },
        { id: 'xss-atom', url: `${feedOrigin}/atom.xml` },
        { id: 'xss-json', url: `${feedOrigin}/feed.json` },
      ],
    }),
  );
  const { report } = await build({ config, out, cache, quiet: true, http: { retryBaseMs: 10 } });
  assert.deepEqual(report.feeds.map((f) => [f.id, f.outcome, f.error?.message ?? null]), [
    ['xss-rss', 'fetched', null],
    ['xss-atom', 'fetched', null],
    ['xss-json', 'fetched', null],
  ]);
  assert.equal(callback.hits.length, 0, 'the build itself requested nothing from the callback server');

  // Every article is published (a hostile payload costs no article).
  const expected = { 'xss-rss': payloads.length + 5, 'xss-atom': Math.ceil(payloads.length / 8), 'xss-json': Math.ceil(payloads.length / 8) };
  for (const [id, n] of Object.entries(expected)) {
    assert.equal((await publishedItems(out, siteUrl, `api/feeds/${id}.json`)).length, n, `${id}: every item archived`);
  }

  // Static checks over every page and every item's content_html.
  const files = await listFiles(out);
  const pages = files.filter((f) => f.endsWith('.html'));
  const findings: string[] = [];
  let externalLinks = 0;
  for (const f of pages) {
    const html = await readFile(path.join(out, f), 'utf8');
    const $ = load(html);
    const metaCsp = $('meta[http-equiv="Content-Security-Policy"]').attr('content') ?? '';
    csp ||= metaCsp;
    if (!metaCsp) findings.push(`${f}: no CSP`);
    else {
      const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(metaCsp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(metaCsp)?.[1] ?? '';
      if (!scriptSrc || /'unsafe-inline'|'unsafe-eval'|\*|data:|http:/.test(scriptSrc)) findings.push(`${f}: weak script-src "${scriptSrc}"`);
      if (!/object-src 'none'/.test(metaCsp)) findings.push(`${f}: CSP allows plugins`);
      if (!/base-uri 'none'|base-uri 'self'/.test(metaCsp)) findings.push(`${f}: CSP allows <base>`);
      if ($('meta[http-equiv="Content-Security-Policy"]').index() > 2) findings.push(`${f}: CSP comes after other content`);
    }
    findings.push(...scanHtml(html, siteOrigin, f, true));
    $('a[href]').each((_, a) => {
      const href = $(a).attr('href')!;
      let target: URL;
      try {
        target = new URL(href, siteUrl);
      } catch {
        return;
      }
      if (!/^https?:$/.test(target.protocol) || target.origin === siteOrigin) return;
      externalLinks++;
      const rel = ($(a).attr('rel') ?? '').split(/\s+/);
      if (!rel.includes('noopener') || !rel.includes('noreferrer')) findings.push(`${f}: link to ${target.origin} without rel="noopener noreferrer"`);
    });
  }
  for (const id of Object.keys(expected)) {
    for (const item of await publishedItems(out, siteUrl, `api/feeds/${id}.json`)) {
      findings.push(...scanHtml(item.content_html ?? '', siteOrigin, `api/feeds/${id}.json ${item.id}`, false));
      for (const u of [item.url, ...(item.authors ?? []).map((a) => a.url), ...(item.attachments ?? []).map((a) => a.url)]) {
        if (u && !/^(https?:|urn:)/.test(u)) findings.push(`api/feeds/${id}.json ${item.id}: URL ${u.slice(0, 40)}`);
      }
    }
  }
  assert.deepEqual(findings, [], findings.slice(0, 40).join('\n'));
  assert.ok(externalLinks > payloads.length, `external links checked: ${externalLinks}`);
  assert.deepEqual(files.filter((f) => f.startsWith('img/') && !f.endsWith('.webp')), [], 'no SVG (nor anything but WebP) under img/');

  // The browser.
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(() => browser.close());
  const dialogs: string[] = [];
  const newContext = async (bypassCSP = false): Promise<BrowserContext> => {
    const context = await browser.newContext({ javaScriptEnabled: true, bypassCSP });
    context.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss().catch(() => undefined))));
    return context;
  };
  const urls = [
    ...pages.map((f) => siteUrl + f.replace(/index\.html$/, '')),
    // The search page renders results (titles, excerpts) and echoes the query; the highlighter reads ?highlight=.
    ...payloads.slice(0, 12).map((p) => `${siteUrl}search/?q=${encodeURIComponent(p.html)}`),
    `${siteUrl}search/?q=${encodeURIComponent('T1 img onerror fetch')}`,
    `${siteUrl}search/?q=Content`,
    ...pages.filter((f) => f.startsWith('articles/')).slice(0, 5).map((f) => `${siteUrl}${f.replace(/index\.html$/, '')}?highlight=${encodeURIComponent(payloads[2]!.html)}`),
  ];
  let searchResults = 0;
  const visit = async (context: BrowserContext, list: string[], workers = 4) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const page = await context.newPage();
        for (let i = next++; i < list.length; i = next++) {
          const u = list[i]!;
          await page.goto(u, { waitUntil: 'load', timeout: 15_000 }).catch(() => undefined);
          // Give timers, animations and async handlers their chance; the search page waits for its results.
          if (u.includes('/search/?q=')) {
            await page.waitForSelector('.pagefind-ui__result', { timeout: 3000 }).catch(() => undefined);
            searchResults += await page.locator('.pagefind-ui__result').count();
          } else await page.waitForTimeout(30);
        }
        await page.close();
      }),
    );
  };

  // Control: the harness sees a payload that runs, and the site's CSP stops the same payload.
  const control = await newContext();
  await visit(control, [`${siteOrigin}/control.html`, `${siteOrigin}/control-csp.html`], 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(callback.hits.map((h) => h.path), ['/xss?id=control'], 'the unprotected control page calls back; the CSP one does not');
  callback.hits.length = 0;
  // Calibration: the payloads, unsanitized, on a page with no CSP. Most of them run: they are live vectors.
  await visit(control, payloads.map((p) => `${siteOrigin}/raw/${p.id}.html`));
  await control.close();
  await new Promise((r) => setTimeout(r, 300));
  const live = new Set(callback.hits.map((h) => h.id).filter((id) => id !== null));
  assert.ok(live.size >= payloads.length / 3, `only ${live.size} of ${payloads.length} payloads run even unsanitized: the harness is not seeing them`);
  callback.hits.length = 0;
  dialogs.length = 0;

  // Every page, served exactly as built, in a browser told to ignore its Content-Security-Policy:
  // only the sanitizer and the templates stand in the way. (A CSP can only forbid, so what does not
  // run without it does not run with it; the control above shows this browser enforcing the site's
  // CSP, and the static checks put it on every page.)
  const started = Date.now();
  const context = await newContext(true);
  await visit(context, [`${siteOrigin}/control-csp.html`], 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(callback.hits.map((h) => h.path), ['/xss?id=control-csp'], 'with the CSP bypassed, the CSP control page calls back');
  callback.hits.length = 0;
  await visit(context, urls);
  await context.close();
  await new Promise((r) => setTimeout(r, 300));
  const hits = [...callback.hits];
  t.diagnostic(`${urls.length} pages in ${Date.now() - started} ms`);

  const executed = new Set(hits.map((h) => h.id ?? h.path));
  assert.deepEqual(hits, [], `payloads ran: ${JSON.stringify(hits)}`);
  assert.deepEqual(dialogs, [], 'no alert/confirm/prompt');

  // Each payload in: RSS content, title, author, two categories; JSON content, title, author, tag, author URL;
  // Atom title, content, author, category term and label, author URI; plus hostile links, enclosures, feed titles and icons.
  const placements = payloads.length * (5 + 5 + 6) + 5 * 2 + 2 * Math.ceil(payloads.length / 8) * 4 + 5 + 12;
  assert.ok(searchResults > 0, 'the search page rendered results (titles and excerpts built from payloads)');
  t.diagnostic(`calibration: ${live.size} of ${payloads.length} payloads run in this Chromium when served raw with no CSP`);
  t.diagnostic(`reliability: XSS payloads ${payloads.length}, placements ${placements}, pages opened ${urls.length} (CSP bypassed), payloads executed ${executed.size}`);
});
