/**
 * npm run bench:fulltext: what full text costs per extracted page. Serves N
 * article pages from a loopback server (made from test/fixtures/fulltext/:
 * English, Chinese in GBK, Japanese, each grown to the size of a real news
 * page with an inline state blob, a mega-menu and comments), runs the
 * full-text stage on them as a build does (the HTTP client, charset
 * decoding, Readability on jsdom, the content stage's sanitizer), with no
 * polite delay, and prints per page: wall time, CPU time, bytes, and the
 * memory the stage holds.
 *
 *   npm run bench:fulltext                      200 pages
 *   npm run bench:fulltext -- --pages 1000      more
 *   npm run bench:fulltext -- --plain           the fixtures at their own size (2–8 KB)
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import iconv from 'iconv-lite';
import { resolveConfig } from '../src/config/index.ts';
import { decodeHtml } from '../src/fetch/index.ts';
import { prepareContent } from '../src/content/index.ts';
import { createFullText } from '../src/fulltext/index.ts';
import { createHttpClient } from '../src/net/http.ts';
import type { Article } from '../src/model/archive.ts';
import { formatBytes } from '../src/format/bytes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { pages: { type: 'string', default: '200' }, plain: { type: 'boolean', default: false } } });
const count = Number(values.pages);
const FIXTURES = path.join(root, 'test', 'fixtures', 'fulltext');
const SOURCES = [
  { file: 'en-article.html', charset: 'utf-8' },
  { file: 'en-div.html', charset: 'utf-8' },
  { file: 'zh-gbk.html', charset: 'gbk' },
  { file: 'ja-article.html', charset: 'utf-8' },
];

/** What real news pages carry beside the article: ~60 KB of inline state, a menu of 300 links, 60 comments. */
function grow(html: string, i: number): string {
  if (values.plain) return html;
  const state = JSON.stringify({ page: i, related: Array.from({ length: 400 }, (_, k) => ({ id: k, title: `Related story ${k} about the harbour`, url: `/news/${i}/${k}` })) });
  const menu = `<nav class="mega-menu"><ul>${Array.from({ length: 300 }, (_, k) => `<li><a href="/section/${k}/">Section ${k}</a></li>`).join('')}</ul></nav>`;
  const comments = `<section class="comments">${Array.from({ length: 60 }, (_, k) => `<div class="comment"><p class="author">reader${k}</p><p>Comment ${k} on page ${i}, with a <a href="/u/${k}">link</a> and some words.</p></div>`).join('')}</section>`;
  return html
    .replace('</head>', `<script>window.__STATE__ = ${state};</script></head>`)
    .replace(/<body([^>]*)>/i, (m) => `${m}${menu}`)
    .replace(/<\/body>/i, `${comments}</body>`);
}

const pages = await Promise.all(
  SOURCES.map(async ({ file, charset }) => {
    const bytes = await readFile(path.join(FIXTURES, file));
    return { text: charset === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, charset), charset };
  }),
);
const bodies = Array.from({ length: count }, (_, i) => {
  const source = pages[i % pages.length]!;
  // Each page different (no cache of any kind helps), in its own charset.
  const html = grow(source.text.replace('</title>', ` #${i}</title>`), i);
  return { bytes: iconv.encode(html, source.charset), type: source.charset === 'gbk' ? 'text/html' : 'text/html; charset=utf-8' };
});
const server = http.createServer((req, res) => {
  const i = Number(/^\/p\/(\d+)\.html$/.exec(req.url ?? '')?.[1] ?? -1);
  const body = bodies[i];
  if (!body) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': body.type, 'content-length': body.bytes.length }).end(body.bytes);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const config = resolveConfig(
  { fetch: { allowPrivateNetworks: true, pageDelaySeconds: 0 }, feeds: [{ id: 'bench', url: `${origin}/feed.xml`, fullText: true }] },
  path.join(root, 'feeds.json'),
);
const feed = config.feeds[0]!;
const articles: Article[] = bodies.map((_, i) => ({
  id: String(i).padStart(32, '0'), link: `${origin}/p/${i}.html`, title: `Page ${i}`, author: null,
  published: '2026-03-01T00:00:00Z', modified: null, firstSeen: '2026-03-01T00:00:00Z',
  contentHtml: '<p>A one-sentence summary from the feed.</p>', sourceHash: String(i), excerpt: 'A one-sentence summary from the feed.',
  categories: [], images: [], cover: null, attachments: [],
}));
const client = createHttpClient({ userAgent: config.fetch.userAgent });
const fullText = createFullText({ client, fetch: config.fetch, now: new Date(), decode: decodeHtml, prepare: prepareContent });

// Loading the DOM happens once per build: timed apart, on a one-page run.
const rss0 = process.memoryUsage().rss;
let t = performance.now();
await fullText.run(feed, articles.slice(0, 1), new Set([articles[0]!.id]), new Map());
const firstMs = performance.now() - t;
const rssLoaded = process.memoryUsage().rss;

let peak = rssLoaded;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const cpu0 = process.cpuUsage();
t = performance.now();
const rest = articles.slice(1);
const result = await fullText.run(feed, rest, new Set(rest.map((a) => a.id)), new Map());
const wall = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
fullText.close();
await client.close();
server.close();

const f = result.figures;
const n = rest.length;
const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
console.log(`Full text, ${n} pages after the first (${values.plain ? 'fixtures as they are' : 'grown to news-page size'}), ${config.fetch.perHost} at a time from one host, no polite delay:`);
console.log(`  extracted ${f.extracted}, fell back ${f.fallback}${f.fallback ? ` (${Object.entries(f.reasons).map(([r, k]) => `${r} ${k}`).join(', ')})` : ''}`);
console.log(`  bytes per page: ${formatBytes(Math.round(f.bytes / n))} (${formatBytes(f.bytes)} in all)`);
console.log(`  per extracted page: ${(wall / n).toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms CPU`);
console.log(`  the first page (loads jsdom and Readability, once per build): ${(firstMs / 1000).toFixed(2)} s, RSS +${mb(rssLoaded - rss0)}`);
console.log(`  peak RSS during the run: ${mb(peak)} (+${mb(peak - rssLoaded)} over the loaded DOM)`);
