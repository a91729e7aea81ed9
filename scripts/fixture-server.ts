/**
 * Serves a folder of fixture feeds and images on 127.0.0.1, as a publisher's
 * server would: Content-Type by extension, ETag / Last-Modified with 304s,
 * and the placeholder __ORIGIN__ in text files replaced by the server's own
 * origin (so fixtures can link to their images). Used by the demo, the tests
 * and the benchmark; never by the build itself.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.xml': 'application/xml',
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
  '.json': 'application/feed+json',
  '.html': 'text/html; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
  '.tiff': 'image/tiff',
  '.bmp': 'image/bmp',
  '.mp3': 'audio/mpeg',
};
const TEXT = new Set(['.xml', '.rss', '.atom', '.json', '.html']);

export interface FixtureServer {
  origin: string;
  /** Requests seen, in order: method, path, and the headers tests care about. */
  requests: { path: string; referer: string | undefined; ifNoneMatch: string | undefined; ifModifiedSince: string | undefined }[];
  close(): Promise<void>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, origin: string) => boolean | Promise<boolean>;

export async function startFixtureServer(root: string, routes: Route[] = [], port = 0): Promise<FixtureServer> {
  const requests: FixtureServer['requests'] = [];
  let origin = '';
  const server = http.createServer(async (req, res) => {
    requests.push({
      path: req.url ?? '/',
      referer: req.headers.referer,
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    });
    try {
      for (const route of routes) if (await route(req, res, origin)) return;
      const url = new URL(req.url ?? '/', origin);
      const file = path.join(root, decodeURIComponent(url.pathname));
      if (!file.startsWith(path.resolve(root))) return void res.writeHead(403).end();
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      const ext = path.extname(file).toLowerCase();
      let body = await readFile(file);
      if (TEXT.has(ext)) body = Buffer.from(body.toString('latin1').replaceAll('__ORIGIN__', origin), 'latin1');
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'content-length': body.length,
        etag,
        'last-modified': lastModified,
      });
      res.end(body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      // The preferred port is taken: any free port will do.
      if (err.code === 'EADDRINUSE' && port !== 0) server.listen(0, '127.0.0.1', resolve);
      else reject(err);
    });
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
