/**
 * The hostile corpus, shared by the tests in this folder: the XSS payload
 * list (test/fixtures/hostile/xss-payloads.json), servers that misbehave on
 * purpose (a black hole that accepts and never answers, a callback server
 * that counts every request an executed payload makes), generated bodies
 * too big to keep as files (gzip bombs, 100,000-item feeds, 10,000-deep
 * nesting, images), a child-process build that reports its own peak memory,
 * and checks over a finished site or cache.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { FIXTURES, REPO_ROOT } from '../support/tmp.ts';

export const HOSTILE = path.join(FIXTURES, 'hostile');

// ---------------------------------------------------------------------------
// XSS payloads

export interface Payload {
  id: number;
  name: string;
  /** The vector with its placeholders filled in: if it runs, it requests `${callback}/xss?id=<id>`. */
  html: string;
}

export async function loadPayloads(callbackOrigin: string): Promise<Payload[]> {
  const data = JSON.parse(await readFile(path.join(HOSTILE, 'xss-payloads.json'), 'utf8')) as { payloads: { id: number; name: string; html: string }[] };
  return data.payloads.map((p) => {
    const url = `${callbackOrigin}/xss?id=${p.id}`;
    const js = `fetch(\`${url}\`)`;
    const page = Buffer.from(`<script>${js}</script>`).toString('base64');
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="${js}"><script>${js}</script></svg>`).toString('base64');
    return {
      id: p.id,
      name: p.name,
      html: p.html.replaceAll('$JS', js).replaceAll('$URL', url).replaceAll('$B64HTML', page).replaceAll('$B64SVG', svg),
    };
  });
}

/** Text for an XML element: every markup character escaped, so the parser hands back exactly `s`. */
export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------------------
// Servers

export interface CallbackServer {
  origin: string;
  /** Every request it received: any request at all means a payload ran (or a resource leaked). */
  hits: { path: string; id: number | null; referer: string | undefined }[];
  close(): Promise<void>;
}

/** Counts requests; answers each with an empty 204 so nothing waits on it. */
export async function startCallbackServer(): Promise<CallbackServer> {
  const hits: CallbackServer['hits'] = [];
  const server = http.createServer((req, res) => {
    const id = /[?&]id=(\d+)/.exec(req.url ?? '')?.[1];
    hits.push({ path: req.url ?? '/', id: id === undefined ? null : Number(id), referer: req.headers.referer });
    res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
  });
  return { origin: await listen(server), hits, close: () => closeServer(server) };
}

/** A TCP server that accepts connections and never says a word: connect succeeds, the answer never comes. */
export async function startBlackhole(): Promise<{ origin: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

// ---------------------------------------------------------------------------
// Generated bodies

export interface SimpleItem {
  title: string;
  link: string;
  html?: string;
  date?: Date;
}

/**
 * A plain, valid RSS 2.0 document. `home` is the feed's site: the build
 * fetches its /favicon.ico, so it must be one of the test's servers.
 */
export function rss(title: string, items: SimpleItem[], home: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${xmlText(title)}</title><link>${xmlText(home)}</link>` +
    items
      .map(
        (i) =>
          `<item><title>${xmlText(i.title)}</title><link>${xmlText(i.link)}</link><guid>${xmlText(i.link)}</guid>` +
          `<pubDate>${(i.date ?? new Date('2024-05-01T00:00:00Z')).toUTCString()}</pubDate>` +
          `<description>${xmlText(i.html ?? `<p>${i.title}</p>`)}</description></item>`,
      )
      .join('') +
    '</channel></rss>'
  );
}

/** A gzip body of `gigabytes` GB of zeros, as concatenated gzip members (~1 MB per GB). */
export function gzipBomb(megabytes: number): Buffer {
  const member = zlib.gzipSync(Buffer.alloc(64 << 20), { level: 9 });
  return Buffer.concat(Array(Math.ceil(megabytes / 64)).fill(member));
}

/** A PNG that declares width × height but carries one row of data: small on the wire, huge if decoded. */
export function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface ImageSet {
  photo: Buffer;
  truncated: Buffer;
  corrupt: Buffer;
  empty: Buffer;
  html: Buffer;
  hugeDims: Buffer;
  svgScript: Buffer;
}

export async function makeImages(): Promise<ImageSet> {
  // A photo-like JPEG: noise, so it does not compress to nothing.
  const noise = Buffer.alloc(640 * 400 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 7) * 104729) & 0xff;
  const photo = await sharp(noise, { raw: { width: 640, height: 400, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  const corrupt = Buffer.from(photo);
  for (let i = 600; i < corrupt.length - 2; i += 3) corrupt[i] = (corrupt[i]! * 31 + 17) & 0xff;
  return {
    photo,
    truncated: photo.subarray(0, Math.floor(photo.length / 2)),
    corrupt,
    empty: Buffer.alloc(0),
    html: Buffer.from('<!doctype html><html><head><title>403 Forbidden</title></head><body><h1>Hotlinking not allowed</h1></body></html>'),
    hugeDims: pngDeclaring(50_000, 50_000),
    svgScript: await readFile(path.join(HOSTILE, 'script.svg')),
  };
}

// ---------------------------------------------------------------------------
// Builds in a child process

export interface ChildBuild {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** Peak resident memory of the build process, in MB. */
  maxRssMb: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `build()` in a fresh Node process (test/hostile/build-child.ts), so
 * its peak memory is its own. Short retry delays; quiet unless told.
 */
export function runBuildChild(
  options: { config: string; out: string; cache: string; quiet?: boolean; now?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildBuild> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'hostile', 'build-child.ts'), JSON.stringify(options)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, started).then((r) => {
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    let maxRssMb: number | null = null;
    try {
      maxRssMb = (JSON.parse(last) as { maxRssMb: number }).maxRssMb;
    } catch {
      // the child died before printing its figures
    }
    return { ...r, maxRssMb };
  });
}

/** Runs the real CLI: `node bin/feed-digest.js <args>`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ReturnType<typeof spawn>; done: Promise<Omit<ChildBuild, 'maxRssMb'>> } {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'feed-digest.js'), ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collect(child, started) };
}

function collect(child: ReturnType<typeof spawn>, started: number): Promise<Omit<ChildBuild, 'maxRssMb'>> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ms: Date.now() - started, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------
// Checks over folders

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Every *.json file under `dir` that does not parse (truncated, empty, interleaved). */
export async function brokenJsonFiles(dir: string): Promise<string[]> {
  const broken: string[] = [];
  for (const f of await listFiles(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      JSON.parse(await readFile(path.join(dir, f), 'utf8'));
    } catch {
      broken.push(f);
    }
  }
  return broken;
}

/** Files under `dir` whose bytes contain `needle` (binary-safe). */
export async function filesContaining(dir: string, needle: string | Buffer): Promise<string[]> {
  const n = typeof needle === 'string' ? Buffer.from(needle) : needle;
  const hits: string[] = [];
  for (const f of await listFiles(dir)) {
    const data = await readFile(path.join(dir, f));
    if (data.includes(n)) hits.push(f);
  }
  return hits;
}

export interface PublishedItem {
  id: string;
  url?: string;
  title?: string;
  content_html?: string;
  authors?: { name: string; url?: string }[];
  tags?: string[];
  attachments?: { url: string }[];
  _digest?: { feed_id: string };
}

/** Every item of a published JSON Feed, following `next_url` through its pages. */
export async function publishedItems(out: string, siteUrl: string, first: string): Promise<PublishedItem[]> {
  const items: PublishedItem[] = [];
  for (let file: string | null = first, pages = 0; file && pages < 10_000; pages++) {
    const page = JSON.parse(await readFile(path.join(out, file), 'utf8')) as { items: PublishedItem[]; next_url?: string };
    items.push(...page.items);
    file = page.next_url ? page.next_url.slice(siteUrl.length) : null;
  }
  return items;
}

export interface TunnelProxy {
  origin: string;
  /** Each CONNECT or forwarded request: the target it asked for and its Proxy-Authorization header. */
  requests: { target: string; auth: string | undefined }[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy that sends every request, whatever host it names, to
 * `target` (a server of the test): CONNECT tunnels are handed to it as a
 * new connection, plain forward-proxy requests are relayed. So a build can
 * ask for http://images.example/… and reach the test's server.
 */
export async function startTunnelProxy(target: http.Server, targetOrigin: string): Promise<TunnelProxy> {
  const requests: TunnelProxy['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    const url = new URL(req.url ?? '/', targetOrigin);
    const upstream = http.request(`${targetOrigin}${url.pathname}${url.search}`, { method: req.method, headers: { ...req.headers, host: url.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    requests.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    target.emit('connection', socket);
  });
  return { origin: await listen(server), requests, close: () => closeServer(server) };
}
