/**
 * A publisher on 127.0.0.1 for the full-text tests: an RSS feed whose items
 * carry a one-sentence summary and link to the article pages of
 * test/fixtures/fulltext/ (as a news site serves them: text/html, the GBK
 * page with no charset in its Content-Type), images from
 * test/fixtures/images/ under /images/, and the cases a page fetch must
 * survive:
 *   /hotlink/<file>  403 unless the Referer is one of this site's article pages
 *   /not-html        a PDF
 *   /pwned…          what a script payload would call: any request here means it ran
 * Every request is logged with its time and Referer.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { FIXTURES } from '../support/tmp.ts';

export const PAGES = path.join(FIXTURES, 'fulltext');

export interface Case {
  what: string;
  expect: string;
  body?: string[];
  boilerplate?: string[];
  images?: string[];
  charset?: string;
  payload?: string;
}

export async function loadCases(): Promise<Record<string, Case>> {
  return JSON.parse(await readFile(path.join(PAGES, 'cases.json'), 'utf8')) as Record<string, Case>;
}

export interface FeedItem {
  /** A path on this server, or an absolute URL. */
  page: string;
  title: string;
  /** The item's description (HTML). */
  summary: string;
  published: string;
}

export interface Publisher {
  origin: string;
  /** Every request: path, when it arrived, its Referer. */
  log: { path: string; at: number; referer: string | undefined }[];
  /** Requests for article pages (anything but the feed, images and favicons), from log entry `since` on. */
  pageRequests(since?: number): { path: string; at: number }[];
  /** The feed's items; change them between builds. */
  items: FeedItem[];
  /** Paths (with their query) that answer 404 until removed from here. */
  missing: Set<string>;
  close(): Promise<void>;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function startPublisher(items: FeedItem[]): Promise<Publisher> {
  const log: Publisher['log'] = [];
  const state = { items, missing: new Set<string>() };
  const send = (res: http.ServerResponse, type: string, body: Buffer | string) =>
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  let origin = '';
  const server = await startFixtureServer(FIXTURES, [
    async (req, res, o) => {
      origin = o;
      const url = new URL(req.url ?? '/', o);
      log.push({ path: url.pathname, at: Date.now(), referer: req.headers.referer });
      if (state.missing.has(url.pathname + url.search)) {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
        return true;
      }
      if (url.pathname === '/feed.xml') {
        const body =
          `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Harbour wire</title><link>${o}/</link><description>Summaries only</description>` +
          state.items
            .map((i) => {
              const link = i.page.startsWith('http') ? i.page : o + i.page;
              return `<item><title>${xml(i.title)}</title><link>${xml(link)}</link><guid>${xml(link)}</guid><pubDate>${new Date(i.published).toUTCString()}</pubDate><description>${xml(i.summary)}</description></item>`;
            })
            .join('') +
          '</channel></rss>';
        send(res, 'application/rss+xml; charset=utf-8', body);
        return true;
      }
      if (url.pathname === '/fulltext/zh-gbk.html') {
        send(res, 'text/html', await readFile(path.join(PAGES, 'zh-gbk.html')));
        return true;
      }
      if (url.pathname.startsWith('/hotlink/')) {
        if (req.headers.referer?.startsWith(`${o}/fulltext/`)) send(res, 'image/jpeg', await readFile(path.join(FIXTURES, 'images', path.basename(url.pathname))));
        else res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Hotlinking is not allowed</h1>');
        return true;
      }
      if (url.pathname === '/not-html') {
        send(res, 'application/pdf', '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
        return true;
      }
      if (url.pathname.startsWith('/pwned')) {
        res.writeHead(204).end();
        return true;
      }
      return false;
    },
  ]);
  return {
    get origin() {
      return origin || server.origin;
    },
    log,
    pageRequests: (since = 0) => log.slice(since).filter((r) => r.path !== '/feed.xml' && !r.path.startsWith('/images/') && !r.path.startsWith('/hotlink/') && r.path !== '/favicon.ico'),
    items: state.items,
    missing: state.missing,
    close: () => server.close(),
  } as Publisher;
}
