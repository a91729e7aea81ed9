/**
 * The downloads' thread (src/images/downloader.ts): real downloads from a
 * loopback server on a real worker thread. What it reports is what the
 * build's own download would (file, bytes, the final hash, the attempts);
 * a thread that stops fails the downloads in flight with a message that says
 * so, and the next download gets a new thread; an idle thread does not keep
 * the process alive.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDownloader, type DownloadJob } from '../../src/images/downloader.ts';
import type { HttpClientOptions } from '../../src/net/http.ts';
import { tempDir, REPO_ROOT } from '../support/tmp.ts';
import { IMAGES, startImageServer } from './servers.ts';

const OPTIONS: DownloadJob['options'] = { referers: {}, guardPrivate: false, maxBytes: 5_000_000, timeoutMs: 5000 };

/** The fixture server, a temp folder and a downloader, all gone when the test ends. */
async function setup(t: TestContext, http: HttpClientOptions = { userAgent: 'feed-digest-test' }) {
  const server = await startImageServer();
  const dir = await tempDir(t);
  const downloader = createDownloader(http);
  t.after(async () => {
    await downloader.close();
    await server.close();
  });
  return { server, dir, downloader };
}

test('a download on the thread: the file, its size, the hash of its bytes and the suffix, each attempt', async (t) => {
  const { server, dir, downloader } = await setup(t, { userAgent: 'feed-digest-test', retryBaseMs: 5 });
  const page = `${server.origin}/article/1`;
  const got = await downloader.download({
    url: `${server.origin}/pixel-unless-referer/photo.jpg`,
    pageUrl: page,
    options: OPTIONS,
    tempFiles: [path.join(dir, 'a'), path.join(dir, 'b')],
    hashSuffix: 'webp-q75',
  });
  assert.ok(got.ok);
  const photo = await readFile(path.join(IMAGES, 'photo.jpg'));
  assert.equal(got.file, path.join(dir, 'b'), 'the second attempt (with the page as Referer) wrote the second file');
  assert.ok((await readFile(got.file)).equals(photo));
  assert.equal(got.bytes, photo.length);
  assert.equal(got.hash, createHash('sha256').update(photo).update('webp-q75').digest('hex').slice(0, 24));
  assert.deepEqual(
    got.attempts.map((a) => a.referer),
    [null, page],
  );

  const missing = await downloader.download({ url: `${server.origin}/status/404`, pageUrl: null, options: OPTIONS, tempFiles: [path.join(dir, 'c')], hashSuffix: '' });
  assert.ok(!missing.ok);
  assert.equal(missing.error.code, 'http-status');
});

test('a download that cannot be stored rejects, naming the folder', async (t) => {
  const { server, dir, downloader } = await setup(t);
  const missing = path.join(dir, 'no-such-folder');
  const job = { url: `${server.origin}/photo.jpg`, pageUrl: null, options: OPTIONS, tempFiles: [path.join(missing, 'a')], hashSuffix: '' };
  await assert.rejects(downloader.download(job), (err: Error) => err.message.startsWith(`cannot store the download under ${missing} (`) && /ENOENT/.test(err.message));
  // The thread is still there for the next one.
  const got = await downloader.download({ ...job, tempFiles: [path.join(dir, 'b')] });
  assert.ok(got.ok);
});

test('closing the thread fails the downloads in flight, with a message; the next download gets a new thread', async (t) => {
  const { server, dir, downloader } = await setup(t);
  const hanging = downloader.download({ url: `${server.origin}/hang/photo.jpg`, pageUrl: null, options: OPTIONS, tempFiles: [path.join(dir, 'a')], hashSuffix: '' });
  while (server.concurrency.now === 0) await new Promise((r) => setTimeout(r, 5));
  await downloader.close();
  await assert.rejects(hanging, /the download thread stopped/);
  const got = await downloader.download({ url: `${server.origin}/photo.jpg`, pageUrl: null, options: OPTIONS, tempFiles: [path.join(dir, 'b')], hashSuffix: '' });
  assert.ok(got.ok);
});

test('an idle download thread does not keep the process alive', async (t) => {
  // A process that downloads once and never closes the downloader must still exit by itself.
  const script = `
    import { createDownloader } from './src/images/downloader.ts';
    import { startImageServer } from './test/images/servers.ts';
    const server = await startImageServer();
    const d = createDownloader({ userAgent: 'x' });
    const got = await d.download({ url: server.origin + '/photo.jpg', pageUrl: null, options: { referers: {}, guardPrivate: false, maxBytes: 5e6, timeoutMs: 5000 }, tempFiles: [process.argv[1]], hashSuffix: '' });
    await server.close();
    console.log(got.ok ? 'ok' : 'failed');
  `;
  const out = path.join(await tempDir(t), 'x');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, out], { cwd: REPO_ROOT, timeout: 20_000 });
  assert.equal(stdout.trim(), 'ok');
});
