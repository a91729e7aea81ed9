/**
 * The world an unattended digest lives in, on 127.0.0.1: publishers whose
 * feeds gain items as simulated hours pass (with ETags, images and the
 * faults the hourly loop must survive), and the deployed site (a folder
 * served under /digest/, as GitHub Pages would, which can answer 500).
 * Shared by the signal tests and the soak test of the hourly loop.
 */
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile, rename, rm, stat, cp, readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { closeServer, listen } from '../hostile/corpus.ts';

export const HOUR = 3600_000;
/** Simulated hour 0. */
export const EPOCH = Date.parse('2026-11-02T00:00:00Z');

/** Feed i publishes an item every (i + 1) hours; a document lists its newest ITEMS_SHOWN. */
const ITEMS_SHOWN = 6;
const IMAGES = 6;

export interface Publisher {
  origin: string;
  feedIds: string[];
  /** The simulated hour: each feed shows what it published up to it. */
  hour: number;
  /** Feeds that answer 503 (down for hours). */
  down: Set<string>;
  /** Every request refused at the socket (the publisher's server is down). */
  offline: boolean;
  /** Requests it returns a promise for wait until that resolves (a build caught fetching or downloading). */
  hold: ((path: string) => Promise<void> | null) | null;
  requests: string[];
  /** The link of every item published up to `hour`. */
  published(): string[];
  close(): Promise<void>;
}

function feedItems(index: number, hour: number): number[] {
  const every = index + 1;
  const items: number[] = [];
  for (let k = 0; k <= hour; k++) if (k % every === 0) items.push(k);
  return items;
}

export async function startPublisher(feedCount: number): Promise<Publisher> {
  const images = await Promise.all(
    Array.from({ length: IMAGES }, (_, i) =>
      sharp({ create: { width: 96 + 8 * i, height: 64, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } } }).png().toBuffer(),
    ),
  );
  const feedIds = Array.from({ length: feedCount }, (_, i) => `f${i}`);
  let origin = '';
  const sockets = new Set<import('node:net').Socket>();
  const publisher: Publisher = {
    origin: '',
    feedIds,
    hour: 0,
    down: new Set(),
    offline: false,
    hold: null,
    requests: [],
    published: () => feedIds.flatMap((id, i) => feedItems(i, publisher.hour).map((k) => `${origin}/${id}/${k}.html`)),
    close: () => closeServer(server),
  };
  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '/';
    publisher.requests.push(url);
    const held = publisher.hold?.(url);
    if (held) await held;
    const feed = /^\/(f\d+)\.xml$/.exec(url)?.[1];
    const image = /^\/img\/(\d+)\.png$/.exec(url)?.[1];
    if (feed && feedIds.includes(feed)) {
      if (publisher.down.has(feed)) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      const body = rss(feed, feedIds.indexOf(feed), publisher.hour, origin);
      const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      return void res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
    }
    if (image !== undefined && images[Number(image)]) {
      return void res.writeHead(200, { 'content-type': 'image/png' }).end(images[Number(image)]);
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('connection', (socket) => {
    if (publisher.offline) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  origin = await listen(server);
  publisher.origin = origin;
  return publisher;
}

function rss(id: string, index: number, hour: number, origin: string): string {
  const items = feedItems(index, hour).slice(-ITEMS_SHOWN).reverse();
  const item = (k: number) => {
    const img = k % 3 === 0 ? `&lt;img src="${origin}/img/${(index * 7 + k) % IMAGES}.png" alt=""&gt;` : '';
    return `<item><title>${id} item ${k}</title><link>${origin}/${id}/${k}.html</link><guid>${origin}/${id}/${k}.html</guid>
<pubDate>${new Date(EPOCH + k * HOUR).toUTCString()}</pubDate><description>&lt;p&gt;Item ${k} of feed ${id}.&lt;/p&gt;${img}</description></item>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Feed ${id}</title><link>${origin}/${id}/</link><description>Simulated publisher ${id}</description>
${items.map(item).join('\n')}
</channel></rss>`;
}

export interface DeployedSite {
  /** The site's URL (site.url in the config). */
  url: string;
  /** The folder deploys replace. */
  dir: string;
  /** Answer 500 to the next N requests (a flaky host during a restore). */
  failNext: number;
  /** Answer 500 to every request (the host is down). */
  failing: boolean;
  requests: string[];
  /** Replaces the deployed site with `siteDir` in one step. */
  deploy(siteDir: string): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.xml': 'application/xml', '.webp': 'image/webp' };

/** A static host for `dir` under /digest/, like GitHub Pages. */
export async function startDeployedSite(dir: string): Promise<DeployedSite> {
  let deploys = 0;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    site.requests.push(url.pathname);
    if (site.failing || site.failNext > 0) {
      site.failNext = Math.max(0, site.failNext - 1);
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
    }
    if (!url.pathname.startsWith('/digest/')) return void res.writeHead(404).end();
    let file = path.join(dir, decodeURIComponent(url.pathname.slice('/digest/'.length)));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
    const body = await readFile(file).catch(() => null);
    if (!body) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  const origin = await listen(server);
  const site: DeployedSite = {
    url: `${origin}/digest/`,
    dir,
    failNext: 0,
    failing: false,
    requests: [],
    async deploy(siteDir) {
      const staged = `${dir}.staged-${deploys++}`;
      await cp(siteDir, staged, { recursive: true });
      await rm(`${dir}.old`, { recursive: true, force: true });
      await rename(dir, `${dir}.old`).catch(() => {});
      await rename(staged, dir);
      await rm(`${dir}.old`, { recursive: true, force: true });
    },
    close: () => closeServer(server),
  };
  return site;
}

/** The ids of the articles a site folder has pages for. */
export async function articleIds(siteDir: string): Promise<Set<string>> {
  return new Set(await readdir(path.join(siteDir, 'articles')).catch(() => []));
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
