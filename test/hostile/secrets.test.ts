/**
 * Credentials in the config stay with the server they are for: a feed URL's
 * user:password is sent as an Authorization header and never published
 * (site pages, OPML, api/feeds.json, report) nor logged; per-feed
 * Authorization and Cookie headers are not handed on when the feed's
 * server redirects to another origin. (Proxy credentials and per-feed
 * headers through a proxy: images.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { build } from '../../src/build.ts';
import { tempDir } from '../support/tmp.ts';
import { closeServer, filesContaining, listen, rss } from './corpus.ts';

test('feed URL credentials and secret headers reach only the feed\'s own server, and never the site or the logs', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const secrets = { password: `urlPass${process.pid}`, token: `bearer${process.pid}`, cookie: `cookie${process.pid}` };
  const seen: { server: string; path: string; authorization?: string; cookie?: string }[] = [];

  let other = '';
  const elsewhere = http.createServer((req, res) => {
    seen.push({ server: 'other', path: req.url ?? '', authorization: req.headers.authorization, cookie: req.headers.cookie });
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Moved', [{ title: `Moved ${req.url}`, link: `http://example.com/moved${req.url}` }], `${other}/`));
  });
  other = await listen(elsewhere);
  t.after(() => closeServer(elsewhere));

  let origin = '';
  const server = http.createServer((req, res) => {
    seen.push({ server: 'feed', path: req.url ?? '', authorization: req.headers.authorization, cookie: req.headers.cookie });
    if (req.url === '/private.xml') {
      const expected = `Basic ${Buffer.from(`alice:${secrets.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Private', [{ title: 'Members only', link: 'http://example.com/private/1' }], `${origin}/`));
    }
    // The feed's server sends its readers to another origin.
    if (req.url === '/moving.xml' || req.url === '/private-moving.xml') return void res.writeHead(302, { location: `${other}${req.url}` }).end();
    res.writeHead(404).end();
  });
  origin = await listen(server);
  t.after(() => closeServer(server));
  const port = new URL(origin).port;

  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'Secrets', url: 'http://localhost:8080/' },
      feeds: [
        { id: 'private', url: `http://alice:${secrets.password}@127.0.0.1:${port}/private.xml` },
        { id: 'moving', url: `${origin}/moving.xml`, headers: { Authorization: `Bearer ${secrets.token}`, Cookie: `session=${secrets.cookie}` } },
        { id: 'private-moving', url: `http://alice:${secrets.password}@127.0.0.1:${port}/private-moving.xml` },
      ],
    }),
  );
  const logs: string[] = [];
  const { report, config: loaded } = await build({ config, out, cache, quiet: false, log: (line) => logs.push(line) });

  assert.deepEqual(report.feeds.map((f) => [f.id, f.outcome]), [['private', 'fetched'], ['moving', 'fetched'], ['private-moving', 'fetched']]);
  assert.equal(loaded.feeds[0]!.url, `${origin}/private.xml`, 'the URL keeps no user:password');
  // The credentials went to the feed's server, and not one step further.
  assert.ok(seen.some((s) => s.server === 'feed' && s.path === '/moving.xml' && s.authorization === `Bearer ${secrets.token}` && s.cookie?.includes(secrets.cookie)));
  assert.deepEqual(seen.filter((s) => s.server === 'other' && (s.authorization || s.cookie)), [], 'nothing is handed on across origins');
  assert.ok(seen.some((s) => s.server === 'other' && s.path === '/moving.xml'), 'the redirect was followed');

  const needles = [...Object.values(secrets), Buffer.from(`alice:${secrets.password}`).toString('base64')];
  for (const needle of needles) {
    assert.deepEqual(await filesContaining(out, needle), [], `${needle} is not in the site`);
    assert.deepEqual(await filesContaining(cache, needle), [], `${needle} is not in the cache`);
    assert.ok(!logs.join('\n').includes(needle), `${needle} is not in the build's output`);
  }
  t.diagnostic(`reliability: secrets checked ${needles.length} (feed URL password, bearer token, cookie), leaked 0; credential hand-offs across origins 0`);
});
