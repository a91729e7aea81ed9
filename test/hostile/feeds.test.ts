/**
 * Hostile feeds: every network and XML case of issue 7 served from one
 * loopback server, in one build. A first build archives three good
 * articles from every URL; then every URL turns hostile and a second build
 * runs in its own process (so its time and peak memory are its own). Each
 * case must be reported on its feed with the expected reason, the control
 * feed must go on as if nothing happened, and nothing archived may be lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { build } from '../../src/build.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { tempDir } from '../support/tmp.ts';
import {
  HOSTILE,
  brokenJsonFiles,
  closeServer,
  filesContaining,
  gzipBomb,
  listen,
  rss,
  runBuildChild,
  startBlackhole,
  startCallbackServer,
  publishedItems,
  type SimpleItem,
} from './corpus.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

interface Case {
  id: string;
  what: string;
  hostile: Handler;
  /** outcome of the hostile build, and for failures the code and a pattern the message must match */
  expect: { outcome: 'failed'; code: string; message: RegExp; status?: number } | { outcome: 'fetched'; check?: (items: JsonItem[]) => void };
}

type JsonItem = Awaited<ReturnType<typeof publishedItems>>[number];

const MB = 1024 * 1024;
/** fetch.feedDeadlineSeconds of the hostile build: no feed may take much longer. */
const DEADLINE_S = 5;
const SECRET = `xxe-secret-${process.pid}-do-not-publish`;
/** The site of every test feed is the test server itself: the build fetches its /favicon.ico. */
let HOME = '';
const xmlHead = () => `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>x</title><link>${HOME}</link>`;

/** Streams `total` bytes of `fill`, stopping quietly when the client hangs up. */
async function stream(res: http.ServerResponse, total: number, fill: Buffer): Promise<void> {
  let sent = 0;
  let closed = false;
  res.on('error', () => undefined);
  res.on('close', () => (closed = true));
  while (sent < total && !closed) {
    const chunk = fill.subarray(0, Math.min(fill.length, total - sent));
    sent += chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!closed) res.end();
}

function fixture(name: string, replace: Record<string, string> = {}): Handler {
  return async (_req, res) => {
    let text = await readFile(path.join(HOSTILE, name), 'utf8');
    for (const [k, v] of Object.entries({ ...replace, 'http://example.com/</link>': `${HOME}</link>` })) text = text.replaceAll(k, v);
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(text);
  };
}

function manyItems(n: number): string {
  const parts = [xmlHead()];
  for (let i = 0; i < n; i++) parts.push(`<item><link>http://example.com/many/${i}</link></item>`);
  parts.push('</channel></rss>');
  return parts.join('');
}

test('every hostile feed is reported with its reason; the others go on; nothing archived is lost; bounded time and memory', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const secretFile = path.join(dir, 'secret.txt');
  await writeFile(secretFile, SECRET);
  const callback = await startCallbackServer();
  t.after(() => callback.close());
  const blackhole = await startBlackhole();
  t.after(() => blackhole.close());
  const bomb = gzipBomb(1024);
  const padding = Buffer.alloc(MB, '<!-- padding padding padding -->\n');
  const deep = 10_000;
  const many = Buffer.from(manyItems(100_000));

  const cases: Case[] = [
    // Network
    { id: 'hang-headers', what: 'accepts, reads the request, never answers', hostile: () => undefined, expect: { outcome: 'failed', code: 'timeout', message: /timed out/ } },
    {
      id: 'hang-body', what: 'sends headers and part of the body, then nothing',
      hostile: (_q, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }); res.write(xmlHead()); },
      expect: { outcome: 'failed', code: 'timeout', message: /timed out/ },
    },
    {
      id: 'drip', what: 'one byte per second',
      hostile: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const body = rss('drip', [{ title: 'x', link: 'http://example.com/drip/x' }], HOME);
        let i = 0;
        const timer = setInterval(() => (res.destroyed || i >= body.length ? clearInterval(timer) : res.write(body[i++]!)), 1000);
        res.on('close', () => clearInterval(timer));
      },
      expect: { outcome: 'failed', code: 'timeout', message: /timed out/ },
    },
    {
      id: 'reset', what: 'connection reset mid-body',
      hostile: (req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 50_000 });
        res.write(xmlHead());
        setTimeout(() => req.socket.resetAndDestroy(), 50);
      },
      expect: { outcome: 'failed', code: 'network', message: /could not be fetched/ },
    },
    {
      id: 'redirect-loop', what: 'a → b → a',
      hostile: (req, res) => void res.writeHead(302, { location: req.url!.endsWith('/b') ? '/feed/redirect-loop' : '/feed/redirect-loop/b' }).end(),
      expect: { outcome: 'failed', code: 'redirect-loop', message: /redirect loop/ },
    },
    {
      id: 'huge-declared', what: '60 MB body with Content-Length',
      hostile: (_q, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 60 * MB }); return stream(res, 60 * MB, padding); },
      expect: { outcome: 'failed', code: 'too-large', message: /larger than/ },
    },
    {
      id: 'huge-chunked', what: '60 MB body, chunked (no length given)',
      hostile: (_q, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }); res.write(xmlHead()); return stream(res, 60 * MB, padding); },
      expect: { outcome: 'failed', code: 'too-large', message: /larger than/ },
    },
    {
      id: 'gzip-bomb', what: '1 MB of gzip that inflates to 1 GB',
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb),
      expect: { outcome: 'failed', code: 'too-large', message: /larger than/ },
    },
    {
      id: 'bad-gzip', what: 'says gzip, is not',
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(rss('x', [], HOME)),
      expect: { outcome: 'failed', code: 'network', message: /could not be fetched/ },
    },
    { id: 'empty', what: 'empty 200', hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(), expect: { outcome: 'failed', code: 'not-a-feed', message: /empty/ } },
    {
      id: 'html-page', what: 'an HTML page instead of a feed',
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><head><title>Welcome</title></head><body><p>Our new website!</p></body></html>'),
      expect: { outcome: 'failed', code: 'not-a-feed', message: /not a feed/ },
    },
    {
      id: 'garbage', what: 'binary junk served as RSS',
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff))),
      expect: { outcome: 'failed', code: 'not-a-feed', message: /not a feed/ },
    },
    {
      id: 'wrong-type', what: 'a valid feed served as image/png',
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(rss('Wrong type', [{ title: 'Still a feed', link: 'http://example.com/wrong-type/new' }], HOME)),
      expect: { outcome: 'fetched', check: (items) => assert.ok(items.some((i) => i.title === 'Still a feed')) },
    },
    ...[404, 410, 429, 500, 503].map((status): Case => ({
      id: `status-${status}`, what: `HTTP ${status}`,
      hostile: (_q, res) => void res.writeHead(status, status === 429 || status === 503 ? { 'retry-after': '3600' } : {}).end('no'),
      expect: { outcome: 'failed', code: 'http-status', message: new RegExp(`HTTP ${status}`), status },
    })),
    // XML
    {
      id: 'truncated', what: 'document cut off mid-item', hostile: fixture('truncated.xml'),
      expect: { outcome: 'fetched', check: (items) => assert.ok(['One', 'Two', 'Three'].every((x) => items.some((i) => i.title === x)), 'the complete items are kept') },
    },
    {
      id: 'control-chars', what: 'invalid control characters', hostile: fixture('control-chars.xml'),
      expect: {
        outcome: 'fetched',
        check: (items) => {
          const bell = items.find((i) => i.url === 'http://example.com/control/1');
          assert.ok(bell, 'the item with control characters is archived');
          assert.doesNotMatch(JSON.stringify(items), /\\u000[0-8bcef]|\\u001[0-9a-f]/i, 'no C0 control characters survive');
        },
      },
    },
    {
      id: 'billion-laughs', what: 'nested entity expansion', hostile: fixture('billion-laughs.xml'),
      expect: { outcome: 'fetched', check: (items) => assert.ok(items.some((i) => i.url === 'http://example.com/laughs/1')) },
    },
    {
      id: 'billion-laughs-bracket', what: 'entity expansion with "]>" inside an entity value', hostile: fixture('billion-laughs-bracket.xml'),
      expect: { outcome: 'fetched', check: (items) => assert.ok(items.some((i) => i.url === 'http://example.com/bracket/1')) },
    },
    {
      id: 'xxe-file', what: 'external entity reading a local file', hostile: fixture('xxe-file.xml', { __SECRET_FILE__: secretFile }),
      expect: { outcome: 'fetched', check: (items) => assert.ok(items.some((i) => i.url === 'http://example.com/xxe/1')) },
    },
    {
      id: 'xxe-remote', what: 'external DTD, parameter entity, XInclude and stylesheet on another server', hostile: fixture('xxe-remote.xml', { __CALLBACK__: callback.origin }),
      expect: { outcome: 'fetched', check: (items) => assert.ok(items.some((i) => i.url === 'http://example.com/xxe-remote/1')) },
    },
    {
      id: 'deep-xml', what: `${deep}-deep element nesting`,
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(
        `${xmlHead()}<item><title>Deep</title><link>http://example.com/deep-xml/1</link><description>${'<x>'.repeat(deep)}deep${'</x>'.repeat(deep)}</description></item></channel></rss>`,
      ),
      expect: { outcome: 'failed', code: 'parse', message: /nest/ },
    },
    {
      id: 'deep-html', what: `${deep}-deep HTML nesting in an article`,
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(
        `${xmlHead()}<item><title>Deep HTML</title><link>http://example.com/deep-html/1</link><description><![CDATA[${'<div>'.repeat(deep)}deep text${'</div>'.repeat(deep)}]]></description></item></channel></rss>`,
      ),
      expect: {
        outcome: 'fetched',
        check: (items) => {
          const item = items.find((i) => i.url === 'http://example.com/deep-html/1');
          assert.ok(item, 'the deeply nested article is archived');
          assert.match(item.content_html ?? '', /deep text/, 'its text survives');
          assert.ok((item.content_html!.match(/<div/g) ?? []).length <= 200, 'its nesting is flattened');
        },
      },
    },
    {
      id: 'many-items', what: '100,000 items',
      hostile: (_q, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(many),
      expect: { outcome: 'fetched', check: (items) => assert.ok(items.some((i) => i.url === 'http://example.com/many/0'), 'the first items are read') },
    },
  ];

  // FEED_DIGEST_CASES=regex runs a subset (for debugging one case).
  if (process.env.FEED_DIGEST_CASES) cases.splice(0, cases.length, ...cases.filter((c) => new RegExp(process.env.FEED_DIGEST_CASES!).test(c.id)));
  let hostile = false;
  const requests: string[] = [];
  const t0 = Date.now();
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (process.env.FEED_DIGEST_DEBUG && hostile) {
      console.error(`${Date.now() - t0} ms ← ${req.url}`);
      res.on('finish', () => console.error(`${Date.now() - t0} ms → ${req.url} finished`));
      res.on('close', () => console.error(`${Date.now() - t0} ms × ${req.url} closed`));
    }
    const id = /^\/feed\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '';
    if (id === 'control') {
      const items: SimpleItem[] = [1, 2, 3, ...(hostile ? [4, 5] : [])].map((n) => ({ title: `Control ${n}`, link: `http://example.com/control-feed/${n}` }));
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Control feed', items, HOME));
    }
    const c = cases.find((x) => x.id === id);
    if (!c) return void res.writeHead(404).end();
    if (!hostile) {
      const items = [1, 2, 3].map((n) => ({ title: `${c.id} ${n}`, link: `http://example.com/${c.id}/archived-${n}` }));
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`Good ${c.id}`, items, HOME));
    }
    void Promise.resolve(c.hostile(req, res)).catch(() => res.destroy());
  });
  const origin = await listen(server);
  HOME = `${origin}/`;
  t.after(() => closeServer(server));

  const config = (withBlackhole: boolean) => ({
    site: { title: 'Hostile feeds', url: 'https://example.org/hostile/' },
    fetch: { timeoutSeconds: 3, feedDeadlineSeconds: DEADLINE_S, retries: 1, concurrency: 64, perHost: 64 },
    feeds: [
      { id: 'control', url: `${origin}/feed/control` },
      // 20 here keeps the render small; the default cap (1000) is checked on its own below.
      ...cases.map((c) => ({ id: c.id, url: `${origin}/feed/${c.id}`, ...(c.id === 'many-items' ? { maxItems: 20 } : {}) })),
      ...(withBlackhole ? [{ id: 'blackhole', url: `${blackhole.origin}/feed.xml` }] : []),
    ],
  });
  const config1 = path.join(dir, 'feeds-1.json');
  const config2 = path.join(dir, 'feeds-2.json');
  await writeFile(config1, JSON.stringify(config(false)));
  await writeFile(config2, JSON.stringify(config(true)));

  // 1. Every URL good: three articles each.
  const first = await build({ config: config1, out, cache, quiet: true, http: { retryBaseMs: 10 } });
  assert.equal(first.report.totals.feeds.failed, 0, JSON.stringify(first.report.feeds.filter((f) => f.error)));
  const archived = new Map<string, string[]>();
  for (const f of first.report.feeds) {
    const items = await publishedItems(out, 'https://example.org/hostile/', `api/feeds/${f.id}.json`);
    assert.equal(items.length, 3, `${f.id}: three archived articles`);
    archived.set(f.id, items.map((i) => i.id));
  }

  // 2. Every URL hostile, the build in its own process.
  hostile = true;
  const child = await runBuildChild({ config: config2, out, cache, quiet: !process.env.FEED_DIGEST_DEBUG });
  if (process.env.FEED_DIGEST_DEBUG) t.diagnostic(child.stderr);
  assert.equal(child.code, 0, `the build finishes and writes the site\n${child.stderr}`);
  const report = JSON.parse(await readFile(path.join(out, 'api', 'report.json'), 'utf8')) as Awaited<ReturnType<typeof build>>['report'];
  const byId = new Map(report.feeds.map((f) => [f.id, f]));

  const problems: string[] = [];
  let lost = 0;
  const check = (id: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      problems.push(`${id}: ${(err as Error).message}`);
    }
  };
  const itemsOf = (id: string) => publishedItems(out, 'https://example.org/hostile/', `api/feeds/${id}.json`);

  for (const c of [...cases, { id: 'blackhole', what: 'TCP accept, never a byte back', expect: { outcome: 'failed', code: 'timeout', message: /timed out/ } } as Case]) {
    const f = byId.get(c.id);
    const items = c.id === 'blackhole' ? [] : await itemsOf(c.id);
    check(c.id, () => {
      assert.ok(f, 'reported');
      assert.equal(f.outcome, c.expect.outcome, `${c.what}: outcome (${f.error?.message ?? 'no error'})`);
      if (c.expect.outcome === 'failed') {
        assert.equal(f.error?.code, c.expect.code, `${c.what}: code (${f.error?.message})`);
        assert.match(f.error!.message, c.expect.message, `${c.what}: message`);
        if (c.expect.status) assert.equal(f.status, c.expect.status);
      } else c.expect.check?.(items);
      // Bounded: a feed never takes much longer than its deadline (the slack is for a loaded test machine).
      assert.ok((f.ms ?? 0) <= DEADLINE_S * 1000 + 4000, `${c.what}: took ${f.ms} ms`);
      // Nothing archived is lost.
      const missing = (archived.get(c.id) ?? []).filter((id) => !items.some((i) => i.id === id));
      lost += missing.length;
      assert.deepEqual(missing, [], `${c.what}: archived articles are still published`);
    });
  }
  // The control feed is unaffected.
  const control = byId.get('control')!;
  check('control', () => {
    assert.equal(control.outcome, 'fetched');
    assert.equal(control.new, 2);
    assert.equal(control.total, 5);
  });
  if (problems.length) t.diagnostic(report.feeds.map((f) => `${f.id}: ${f.outcome} ${f.ms} ms ×${f.attempts} ${f.error?.message ?? ''}`).join('\n'));
  assert.deepEqual(problems, [], problems.join('\n'));

  // 100,000 items: read in bounded time and memory, archived up to the per-fetch cap.
  const manyReport = byId.get('many-items')!;
  assert.equal(manyReport.total, 3 + 20, 'many-items archives what it was allowed to read');
  assert.ok(manyReport.warnings.some((w) => /100[,.]?000 items|only the first/i.test(w)), `many-items warns: ${manyReport.warnings.join(' | ')}`);

  // Entities are never expanded, files never read, remote DTDs never fetched.
  assert.deepEqual(await filesContaining(out, SECRET), [], 'the local file never reaches the site');
  assert.deepEqual(await filesContaining(cache, SECRET), [], 'nor the cache');
  assert.deepEqual(await filesContaining(out, 'lollollollol'), [], 'entities are not expanded');
  assert.deepEqual(callback.hits, [], 'no external DTD, entity, stylesheet or XInclude is fetched');

  // Bounded time and memory for the whole build: 1 GB bombs, 60 MB bodies and 100,000 items included.
  assert.ok(child.ms < 60_000, `the hostile build took ${child.ms} ms`);
  assert.ok(child.maxRssMb !== null && child.maxRssMb < 700, `peak memory ${child.maxRssMb} MB`);
  assert.deepEqual(await brokenJsonFiles(cache), []);
  assert.deepEqual(await brokenJsonFiles(out), []);

  t.diagnostic(`reliability: hostile feed cases tried ${cases.length + 1}, crashes 0, articles lost ${lost}`);
  t.diagnostic(`hostile build: ${child.ms} ms, peak memory ${child.maxRssMb} MB; steps ${JSON.stringify(report.steps)}`);
});

test('a feed listing 100,000 items is read up to the default cap, quickly', async (t) => {
  const started = performance.now();
  const parsed = await parseFeed(manyItems(100_000), 'http://example.com/many.xml');
  const ms = performance.now() - started;
  assert.ok(parsed.ok);
  assert.equal(parsed.value.items.length, 1000);
  assert.equal(parsed.value.items[0]!.link, 'http://example.com/many/0', 'the first items in the document');
  assert.match(parsed.value.warnings.join(' '), /lists 100000 items; only the first 1000 are read/);
  assert.ok(ms < 5000, `${Math.round(ms)} ms`);
  t.diagnostic(`100,000 items read in ${Math.round(ms)} ms`);
});
