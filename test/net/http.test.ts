/**
 * The HTTP client against a real loopback server: retries and Retry-After,
 * per-attempt timeout vs whole-request deadline, byte caps after
 * decompression, the idle-body timeout, redirects, proxies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { createHttpClient, type HttpRequest } from '../../src/net/http.ts';
import { bytes, startLoopback, startProxy } from './loopback.ts';

const base = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  url,
  timeoutMs: 5000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  guardPrivate: false,
  ...extra,
});

function client(t: { after(fn: () => unknown): void }, options: { retryBaseMs?: number; maxRetryDelayMs?: number } = {}) {
  const c = createHttpClient({ userAgent: 'test-agent/1', retryBaseMs: 50, ...options });
  t.after(() => c.close());
  return c;
}

test('5xx is retried with a doubling backoff, then succeeds', async (t) => {
  let n = 0;
  const server = await startLoopback(t, {
    '/flaky': (_req, res) => {
      n++;
      if (n < 3) res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
  });
  const res = await client(t, { retryBaseMs: 100 }).get(base(`${server.origin}/flaky`, { retries: 3 }));
  assert.ok(res.ok);
  assert.equal(res.value.status, 200);
  assert.equal(res.value.attempts, 3);
  assert.equal(res.value.body.toString(), 'ok');
  const [a, b, c] = server.hits('/flaky').map((r) => r.at);
  assert.ok(b! - a! >= 90, `first wait ${b! - a!} ms`);
  assert.ok(c! - b! >= 190, `second wait doubles: ${c! - b!} ms`);
});

test('429 with Retry-After in seconds is honoured', async (t) => {
  let n = 0;
  const server = await startLoopback(t, {
    '/limited': (_req, res) => {
      if (n++ === 0) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200).end('fine');
    },
  });
  const res = await client(t).get(base(`${server.origin}/limited`, { retries: 1 }));
  assert.ok(res.ok);
  assert.equal(res.value.status, 200);
  const [a, b] = server.hits('/limited').map((r) => r.at);
  assert.ok(b! - a! >= 950, `waited ${b! - a!} ms for Retry-After: 1`);
});

test('Retry-After is bounded by maxRetryDelayMs, and never waited past the deadline', async (t) => {
  const server = await startLoopback(t, { '/slow-down': bytes('', { 'retry-after': '3600' }, 429) });
  const started = Date.now();
  const bounded = await client(t, { maxRetryDelayMs: 150 }).get(base(`${server.origin}/slow-down`, { retries: 1 }));
  assert.ok(bounded.ok);
  assert.equal(bounded.value.status, 429);
  assert.equal(bounded.value.attempts, 2);
  assert.ok(Date.now() - started < 2000);

  // A wait that would end after the deadline is not started: the 429 comes back at once.
  const t0 = Date.now();
  const refused = await client(t).get(base(`${server.origin}/slow-down`, { retries: 3, timeoutMs: 500 }));
  assert.ok(refused.ok);
  assert.equal(refused.value.status, 429);
  assert.equal(refused.value.attempts, 1);
  assert.ok(Date.now() - t0 < 400);
});

test('an attempt that times out is retried within the deadline', async (t) => {
  let n = 0;
  const server = await startLoopback(t, {
    '/sometimes-silent': (_req, res) => {
      if (n++ === 0) return; // never answers
      res.writeHead(200).end('late but fine');
    },
  });
  const res = await client(t).get(base(`${server.origin}/sometimes-silent`, { timeoutMs: 300, deadlineMs: 3000, retries: 2 }));
  assert.ok(res.ok, JSON.stringify(!res.ok && res.error));
  assert.equal(res.value.attempts, 2);
  assert.equal(res.value.body.toString(), 'late but fine');
});

test('the deadline bounds every attempt and retry together', async (t) => {
  const server = await startLoopback(t, { '/black-hole': () => undefined });
  const attempts: number[] = [];
  const started = Date.now();
  const res = await client(t).get(
    base(`${server.origin}/black-hole`, { timeoutMs: 300, deadlineMs: 800, retries: 10, onAttempt: (n) => attempts.push(n) }),
  );
  const took = Date.now() - started;
  assert.ok(!res.ok);
  assert.equal(res.error.code, 'timeout');
  assert.ok(took < 1500, `gave up after ${took} ms`);
  assert.ok(attempts.length >= 2 && attempts.length <= 3, `attempts: ${attempts.join(',')}`);
  assert.ok(server.hits('/black-hole').length <= 3);
});

test('a gzip bomb stops at the byte cap, counted after decompression', async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024)); // 50 MB of zeros, ~50 KB on the wire
  const small = zlib.gzipSync(Buffer.from('<rss>small</rss>'));
  const server = await startLoopback(t, {
    '/bomb': bytes(bomb, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': bomb.length }),
    '/small': bytes(small, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': small.length }),
    '/br': bytes(zlib.brotliCompressSync(Buffer.from('brotli body')), { 'content-encoding': 'br' }),
    '/deflate': bytes(zlib.deflateSync(Buffer.from('deflate body')), { 'content-encoding': 'deflate' }),
  });
  const c = client(t);
  const before = process.memoryUsage().rss;
  const res = await c.get(base(`${server.origin}/bomb`, { maxBytes: 1024 * 1024 }));
  assert.ok(!res.ok);
  assert.equal(res.error.code, 'too-large');
  assert.ok(process.memoryUsage().rss - before < 40 * 1024 * 1024, 'the bomb was not inflated in memory');

  const ok = await c.get(base(`${server.origin}/small`));
  assert.ok(ok.ok);
  assert.equal(ok.value.body.toString(), '<rss>small</rss>');
  assert.equal(ok.value.wireBytes, small.length);
  for (const [p, text] of [['/br', 'brotli body'], ['/deflate', 'deflate body']] as const) {
    const r = await c.get(base(server.origin + p));
    assert.ok(r.ok);
    assert.equal(r.value.body.toString(), text);
  }
});

test('a declared Content-Length over the cap is refused before reading', async (t) => {
  const server = await startLoopback(t, {
    '/huge': (_req, res) => {
      res.writeHead(200, { 'content-length': 50 * 1024 * 1024, 'content-type': 'application/xml' });
      res.write('<rss>'); // and then nothing: a client that waits for the body would hang
    },
  });
  const started = Date.now();
  const res = await client(t).get(base(`${server.origin}/huge`, { maxBytes: 1024 * 1024 }));
  assert.ok(!res.ok);
  assert.equal(res.error.code, 'too-large');
  assert.ok(Date.now() - started < 2000);
});

test('a server that drips one byte a second is cut off: by the idle timeout, or by the attempt timeout', async (t) => {
  const drip = (everyMs: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.write('<rss>');
    const timer = setInterval(() => res.write(' '), everyMs);
    res.on('close', () => clearInterval(timer));
  };
  const server = await startLoopback(t, { '/drip': drip(1000), '/trickle': drip(100) });
  const c = client(t);

  let started = Date.now();
  const stalled = await c.get(base(`${server.origin}/drip`, { timeoutMs: 20_000, idleTimeoutMs: 700 }));
  assert.ok(!stalled.ok);
  assert.equal(stalled.error.code, 'timeout');
  assert.match(stalled.error.message, /stalled/);
  assert.ok(Date.now() - started < 2500, `idle cut-off after ${Date.now() - started} ms`);

  // Never idle long enough for the idle timeout, but the attempt has a total budget.
  started = Date.now();
  const trickled = await c.get(base(`${server.origin}/trickle`, { timeoutMs: 1200, idleTimeoutMs: 700 }));
  assert.ok(!trickled.ok);
  assert.equal(trickled.error.code, 'timeout');
  assert.ok(Date.now() - started < 3000, `attempt cut-off after ${Date.now() - started} ms`);
});

test('redirects: loops detected, too many refused, permanent moves reported', async (t) => {
  const go = (to: string, status = 302) => bytes('', { location: to }, status);
  const server = await startLoopback(t, {
    '/a': go('/b'),
    '/b': go('/a'),
    '/r1': go('/r2'),
    '/r2': go('/r3'),
    '/r3': go('/r4'),
    '/r4': bytes('end'),
    '/old': go('/older', 301),
    '/older': go('/new', 308),
    '/new': bytes('<rss/>', { 'content-type': 'application/rss+xml' }),
    '/temp': go('/old', 302),
  });
  const c = client(t);
  const loop = await c.get(base(`${server.origin}/a`));
  assert.ok(!loop.ok);
  assert.equal(loop.error.code, 'redirect-loop');
  assert.match(loop.error.message, /\/a → .*\/b → .*\/a/);

  const many = await c.get(base(`${server.origin}/r1`, { maxRedirects: 2 }));
  assert.ok(!many.ok);
  assert.equal(many.error.code, 'too-many-redirects');

  const moved = await c.get(base(`${server.origin}/old`));
  assert.ok(moved.ok);
  assert.equal(moved.value.url, `${server.origin}/new`);
  assert.equal(moved.value.movedPermanentlyTo, `${server.origin}/new`);
  assert.deepEqual(moved.value.redirects.map((r) => r.status), [301, 308]);

  // One temporary hop in the chain: the config must keep the original URL.
  const temp = await c.get(base(`${server.origin}/temp`));
  assert.ok(temp.ok);
  assert.equal(temp.value.movedPermanentlyTo, null);
});

test('a per-request proxy carries the request (CONNECT tunnel)', async (t) => {
  const server = await startLoopback(t, { '/feed.xml': bytes('<rss>via proxy</rss>', { 'content-type': 'application/rss+xml' }) });
  const proxy = await startProxy(t);
  const res = await client(t).get(base(`${server.origin}/feed.xml`, { proxy: proxy.url }));
  assert.ok(res.ok, JSON.stringify(!res.ok && res.error));
  assert.equal(res.value.body.toString(), '<rss>via proxy</rss>');
  assert.deepEqual(proxy.seen, [`CONNECT ${new URL(server.origin).host}`]);
  assert.equal(server.hits('/feed.xml').length, 1);
});

test('HTTP_PROXY is honoured, NO_PROXY is respected, and the address guard still applies to direct hosts', async (t) => {
  const proxied = await startLoopback(t, { '/feed.xml': bytes('<rss>proxied</rss>') });
  const direct = await startLoopback(t, { '/feed.xml': bytes('<rss>direct</rss>') });
  const proxy = await startProxy(t);
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  delete process.env.http_proxy;
  delete process.env.no_proxy;
  process.env.HTTP_PROXY = proxy.url;
  process.env.NO_PROXY = `${new URL(direct.origin).host},localhost`;
  const c = client(t);

  const a = await c.get(base(`${proxied.origin}/feed.xml`));
  assert.ok(a.ok, JSON.stringify(!a.ok && a.error));
  assert.equal(a.value.body.toString(), '<rss>proxied</rss>');
  const b = await c.get(base(`${direct.origin}/feed.xml`));
  assert.ok(b.ok);
  assert.equal(b.value.body.toString(), '<rss>direct</rss>');
  assert.deepEqual(proxy.seen, [`CONNECT ${new URL(proxied.origin).host}`]);

  // "localhost" goes direct (NO_PROXY), and direct connections still resolve through the guard.
  const guarded = await c.get(base(`http://localhost:${new URL(direct.origin).port}/feed.xml`, { guardPrivate: true }));
  assert.ok(!guarded.ok);
  assert.equal(guarded.error.code, 'blocked-address');
});
