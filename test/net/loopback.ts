/**
 * A publisher's server for the ingestion tests: 127.0.0.1, a route table
 * keyed by path, raw control over status, headers and bytes (nothing is
 * added that a route does not write, beyond what Node's http module always
 * sends), and a log of every request with its headers, for asserting what
 * the client sent. Also a forward proxy (CONNECT and absolute-URI GET) that
 * logs what passed through it.
 */
import http from 'node:http';
import net from 'node:net';
import type { TestContext } from 'node:test';

export interface LoggedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, log: LoggedRequest) => void | Promise<void>;

export interface Loopback {
  origin: string;
  requests: LoggedRequest[];
  /** Requests for one path. */
  hits(path: string): LoggedRequest[];
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startLoopback(t: Pick<TestContext, 'after'>, routes: Record<string, Handler> = {}): Promise<Loopback> {
  const table = new Map(Object.entries(routes));
  const requests: LoggedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const log = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: Date.now() };
    requests.push(log);
    const handler = table.get(new URL(req.url ?? '/', 'http://x').pathname);
    try {
      if (handler) await handler(req, res, log);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const loopback: Loopback = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    hits: (p) => requests.filter((r) => new URL(r.path, 'http://x').pathname === p),
    route: (p, h) => void table.set(p, h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  t.after(() => loopback.close());
  return loopback;
}

/** Sends exactly these bytes with exactly these headers. */
export function bytes(body: Buffer | string, headers: Record<string, string | number> = {}, status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

export interface Proxy {
  url: string;
  /** "CONNECT host:port" or "GET http://…", in order. */
  seen: string[];
  close(): Promise<void>;
}

/** A forward proxy, as squid would be: tunnels CONNECT, forwards absolute-URI requests. */
export async function startProxy(t: Pick<TestContext, 'after'>): Promise<Proxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: net.Socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: Proxy = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  t.after(() => proxy.close());
  return proxy;
}
