/**
 * Test helper: the image fixtures on a loopback server, with the behaviours
 * publishers' servers really have, by path prefix:
 *   /no-referer/<file>   403 to any request that carries a Referer
 *   /own-referer/<file>  403 unless the Referer is this server's own site
 *   /pixel-unless-referer/<file>  a 1×1 GIF (200) unless a Referer is sent
 *   /hang/<file>         accepts the request and never answers
 *   /status/<code>       that status, a short HTML body
 *   /favicon.ico         an ICO built by the test (see `icons`)
 *   /same/<name>         photo.jpg under any name (two URLs, one content)
 * Everything else: the file from test/fixtures/images.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startFixtureServer, type FixtureServer, type Route } from '../../scripts/fixture-server.ts';
import { FIXTURES } from '../support/tmp.ts';

export const IMAGES = path.join(FIXTURES, 'images');

export interface ImageServer extends FixtureServer {
  /** Requests in flight right now, and the most seen at once. */
  concurrency: { now: number; max: number };
  /** Serve this body at /favicon.ico (404 while null). */
  favicon: Buffer | null;
}

/** `extra` routes run first (e.g. a feed that links to these images). */
export async function startImageServer(extra: Route[] = []): Promise<ImageServer> {
  const hanging = new Set<http.ServerResponse>();
  const state = { concurrency: { now: 0, max: 0 }, favicon: null as Buffer | null };
  // Routes read the returned object, so tests can change `favicon` between requests.
  let self: ImageServer | null = null;
  const file = (name: string) => readFile(path.join(IMAGES, path.basename(name)));
  const send = (res: http.ServerResponse, type: string, body: Buffer) => res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
  const server = await startFixtureServer(IMAGES, [
    (req, res) => {
      state.concurrency.now++;
      state.concurrency.max = Math.max(state.concurrency.max, state.concurrency.now);
      res.on('close', () => state.concurrency.now--);
      return false;
    },
    ...extra,
    async (req, res, origin) => {
      const url = new URL(req.url ?? '/', origin);
      const [, prefix, rest] = /^\/([^/]+)\/(.*)$/.exec(url.pathname) ?? [];
      const referer = req.headers.referer;
      if (url.pathname === '/favicon.ico') {
        if (self?.favicon) send(res, 'image/x-icon', self.favicon);
        else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
        return true;
      }
      switch (prefix) {
        case 'no-referer':
          if (referer) res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Forbidden: hotlinking</h1>');
          else send(res, 'image/jpeg', await file(rest!));
          return true;
        case 'own-referer':
          if (referer?.startsWith(`${origin}/`)) send(res, 'image/jpeg', await file(rest!));
          else res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Forbidden</h1>');
          return true;
        case 'pixel-unless-referer':
          send(res, 'image/gif', referer ? await file(rest!) : await file('spacer.gif'));
          return true;
        case 'hang':
          hanging.add(res);
          return true;
        case 'status':
          res.writeHead(Number(rest), { 'content-type': 'text/html' }).end(`<h1>${rest}</h1>`);
          return true;
        case 'same':
          send(res, 'image/jpeg', await file('photo.jpg'));
          return true;
        default:
          return false;
      }
    },
  ]);
  const close = server.close;
  self = Object.assign(server, state, {
    async close() {
      for (const res of hanging) res.destroy();
      await close();
    },
  });
  return self;
}
