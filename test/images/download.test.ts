/**
 * The Referer policy against real servers on 127.0.0.1: no Referer first;
 * on a refusal or a placeholder answer, the host's known Referer; then the
 * article page. Each attempt is recorded with its status; what cannot
 * change with a Referer (404, timeouts) is not retried with one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHttpClient } from '../../src/net/http.ts';
import { downloadImage, refererChain, type DownloadOptions } from '../../src/images/download.ts';
import { tempDir } from '../support/tmp.ts';
import { startImageServer, type ImageServer } from './servers.ts';
import type { Route } from '../../scripts/fixture-server.ts';

async function setup(t: { after(fn: () => unknown): void }, routes: Route[] = []): Promise<{
  server: ImageServer;
  options: (extra?: Partial<DownloadOptions>) => DownloadOptions;
  /** The files downloads left in their folder (a success's is the caller's to remove). */
  files: () => Promise<string[]>;
}> {
  const server = await startImageServer(routes);
  const client = createHttpClient({ userAgent: 'feed-digest-test', retryBaseMs: 5 });
  const dir = await tempDir(t);
  let n = 0;
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return {
    server,
    options: (extra = {}) => ({
      client,
      referers: {},
      guardPrivate: false,
      maxBytes: 5_000_000,
      timeoutMs: 5000,
      tempFile: async () => path.join(dir, `source-${n++}`),
      ...extra,
    }),
    files: async () => (await readdir(dir)).map((f) => path.join(dir, f)),
  };
}

const refererOf = (server: ImageServer, p: string) => server.requests.filter((r) => r.path === p).map((r) => r.referer ?? null);

test('the Referer chain: none, the most specific host entry, then the article page', () => {
  const map = { 'sinaimg.cn': 'https://weibo.com/', 'wx1.sinaimg.cn': 'https://special.example/', 'cdnfile.sspai.com': 'https://sspai.com/' };
  assert.deepEqual(refererChain('https://wx1.sinaimg.cn/large/a.jpg', 'https://blog.example/post', map), [null, 'https://special.example/', 'https://blog.example/post']);
  assert.deepEqual(refererChain('https://tvax2.sinaimg.cn/a.jpg', null, map), [null, 'https://weibo.com/']);
  assert.deepEqual(refererChain('https://cdnfile.sspai.com/a.png', 'https://sspai.com/', map), [null, 'https://sspai.com/']);
  assert.deepEqual(refererChain('https://notsinaimg.cn/a.jpg', null, map), [null], 'suffix match is on a dot boundary');
});

test('a server that refuses any Referer gets a request without one, and only that', async (t) => {
  const { server, options } = await setup(t);
  const url = `${server.origin}/no-referer/photo.jpg`;
  const got = await downloadImage(url, `${server.origin}/article/1`, options());
  assert.ok(got.ok);
  assert.equal(got.format, 'jpeg');
  assert.equal(got.referer, null);
  assert.deepEqual(got.attempts, [{ referer: null, status: 200, error: null }]);
  assert.deepEqual(refererOf(server, '/no-referer/photo.jpg'), [null]);
});

test('a server that wants its own site as Referer: 403 without, then the host map, then the article page', async (t) => {
  const { server, options } = await setup(t);
  const page = `${server.origin}/article/7`;
  const url = `${server.origin}/own-referer/photo.jpg`;

  const viaPage = await downloadImage(url, page, options());
  assert.ok(viaPage.ok);
  assert.equal(viaPage.referer, page);
  assert.deepEqual(viaPage.attempts, [
    { referer: null, status: 403, error: 'HTTP 403' },
    { referer: page, status: 200, error: null },
  ]);

  // The host map is tried before the page (as sinaimg.cn → weibo.com).
  const viaMap = await downloadImage(url, 'https://elsewhere.example/post', options({ referers: { '127.0.0.1': `${server.origin}/` } }));
  assert.ok(viaMap.ok);
  assert.equal(viaMap.referer, `${server.origin}/`);
  assert.deepEqual(viaMap.attempts.map((a) => [a.referer, a.status]), [[null, 403], [`${server.origin}/`, 200]]);

  // A wrong Referer everywhere: every attempt recorded, the failure says 403.
  const refused = await downloadImage(url, 'https://elsewhere.example/post', options({ referers: { '127.0.0.1': 'https://wrong.example/' } }));
  assert.ok(!refused.ok);
  assert.equal(refused.error.code, 'http-status');
  assert.equal(refused.error.status, 403);
  assert.deepEqual(refused.attempts.map((a) => [a.referer, a.status]), [[null, 403], ['https://wrong.example/', 403], ['https://elsewhere.example/post', 403]]);
});

test('a 1×1 answer is a hotlink placeholder: the next Referer gets the real image', async (t) => {
  const { server, options, files } = await setup(t);
  const page = `${server.origin}/article/1`;
  const got = await downloadImage(`${server.origin}/pixel-unless-referer/photo.jpg`, page, options());
  assert.ok(got.ok);
  assert.equal(got.format, 'jpeg');
  assert.equal(got.referer, page);
  assert.deepEqual(got.attempts, [
    { referer: null, status: 200, error: 'placeholder 1×1 image' },
    { referer: page, status: 200, error: null },
  ]);
  // A real spacer stays a spacer: the body comes back, for the converter to call it a placeholder.
  const spacer = await downloadImage(`${server.origin}/spacer.gif`, page, options());
  assert.ok(spacer.ok);
  assert.equal(spacer.attempts.length, 2);
  assert.equal(spacer.bytes, 43);
  assert.equal((await readFile(spacer.file)).length, 43);
  // The body is on disk, the first placeholder's; the other attempts' files are gone.
  assert.deepEqual((await files()).sort(), [got.ok ? got.file : '', spacer.file].sort());
});

test('HTML served as image/jpeg is not an image, whatever the Referer', async (t) => {
  const { server, options, files } = await setup(t);
  const page = `${server.origin}/article/1`;
  const got = await downloadImage(`${server.origin}/html-as.jpg`, page, options());
  assert.ok(!got.ok);
  assert.equal(got.error.code, 'image-unsupported');
  assert.match(got.error.message, /html-as\.jpg: the server answered with an HTML page, not an image/);
  assert.deepEqual(got.attempts.map((a) => [a.referer, a.status, a.error]), [
    [null, 200, 'not an image: an HTML page'],
    [page, 200, 'not an image: an HTML page'],
  ]);
  const empty = await downloadImage(`${server.origin}/empty.jpg`, null, options());
  assert.ok(!empty.ok);
  assert.equal(empty.error.code, 'image-decode');
  assert.match(empty.error.message, /an empty body/);
  assert.deepEqual(await files(), [], 'a failed download leaves no file');
});

test('404 and network failures are not retried with a Referer', async (t) => {
  const { server, options } = await setup(t);
  const gone = await downloadImage(`${server.origin}/status/404`, `${server.origin}/article/1`, options());
  assert.ok(!gone.ok);
  assert.equal(gone.error.status, 404);
  assert.deepEqual(gone.attempts, [{ referer: null, status: 404, error: 'HTTP 404' }]);

  const closed = await downloadImage('http://127.0.0.1:1/x.jpg', null, options());
  assert.ok(!closed.ok);
  assert.equal(closed.error.code, 'network');
  assert.equal(closed.attempts.length, 1);
  assert.equal(closed.attempts[0]!.status, null);
});

test('a hanging server times out after the configured time, not 30 s', async (t) => {
  const { server, options } = await setup(t);
  const started = Date.now();
  const got = await downloadImage(`${server.origin}/hang/photo.jpg`, `${server.origin}/a`, options({ timeoutMs: 400 }));
  const took = Date.now() - started;
  assert.ok(!got.ok);
  assert.equal(got.error.code, 'timeout');
  assert.ok(took >= 350 && took < 3000, `took ${took} ms`);
  assert.equal(got.attempts.length, 1, 'a timeout is not retried with a Referer');
});

test('the byte cap stops a large image', async (t) => {
  const { server, options, files } = await setup(t);
  const got = await downloadImage(`${server.origin}/photo.tiff`, null, options({ maxBytes: 10_000 }));
  assert.ok(!got.ok);
  assert.equal(got.error.code, 'too-large');
  assert.deepEqual(await files(), [], 'the part written before the cap is removed');
});

/** A JPEG-looking body of `size` bytes (the magic, then deterministic noise): what matters is every byte arriving. */
function largeBody(size: number): Buffer {
  const body = Buffer.alloc(size);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(body);
  for (let i = 4, x = 7; i < size; i++) body[i] = x = (x * 1103515245 + 12345) & 0xff;
  return body;
}

test('a large body reaches its file whole, in order, hashed as it arrived; a cut first attempt leaves nothing of itself', async (t) => {
  const body = largeBody(3_456_789);
  let cuts = 0;
  const { server, options, files } = await setup(t, [
    (req, res) => {
      if (req.url !== '/large.jpg' && req.url !== '/cut-once.jpg') return false;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length });
      if (req.url === '/cut-once.jpg' && cuts++ === 0) {
        // Half the body, then the connection drops: the retry must start the file again.
        res.write(body.subarray(0, 1_700_001), () => res.destroy());
        return true;
      }
      // Odd-sized pieces, so batches never line up with the network's chunks.
      for (let at = 0; at < body.length; at += 99_991) res.write(body.subarray(at, Math.min(at + 99_991, body.length)));
      res.end();
      return true;
    },
  ]);
  const sha = createHash('sha256').update(body).digest('hex');
  for (const name of ['large.jpg', 'cut-once.jpg']) {
    const got = await downloadImage(`${server.origin}/${name}`, null, options({ maxBytes: 10_000_000 }));
    assert.ok(got.ok, name);
    assert.equal(got.bytes, body.length);
    assert.ok((await readFile(got.file)).equals(body), `${name}: the file holds the body`);
    assert.equal(got.hash.digest('hex'), sha);
  }
  assert.equal(cuts, 2, 'the cut download was tried twice');
  assert.equal((await files()).length, 2, 'one file per download: the cut attempt wrote into the file its retry rewrote');
});
