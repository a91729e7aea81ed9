/**
 * Hostile images, and the address guard for everything feed content points at.
 *
 * 1. One feed whose articles each carry one hostile image (corrupt,
 *    truncated, empty, HTML served as image/jpeg, a PNG declaring
 *    50000×50000, 30 MB declared and chunked, a gzip bomb, hanging,
 *    dripping, reset, 404, a redirect loop, an SVG with script) next to a
 *    good one. The build runs in its own process (time and peak memory are
 *    its own): every image fails on its own with its reason, every article
 *    is published, the good image is converted, no SVG is ever served from
 *    the site.
 * 2. With fetch.allowPrivateNetworks false (the default), image and icon
 *    URLs that point at loopback, private, link-local or metadata addresses
 *    are refused, by IP literal, after DNS, and on every redirect hop; the
 *    test server sees none of those requests. The same build runs through
 *    proxies configured with credentials (HTTP_PROXY and a per-feed proxy)
 *    and per-feed secret headers: none of those secrets reaches the site
 *    folder, the cache or the build's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { tempDir } from '../support/tmp.ts';
import {
  brokenJsonFiles,
  closeServer,
  filesContaining,
  gzipBomb,
  listFiles,
  listen,
  makeImages,
  rss,
  runBuildChild,
  runCli,
  startTunnelProxy,
  xmlText,
} from './corpus.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const MB = 1024 * 1024;

function send(type: string, body: Buffer, extra: http.OutgoingHttpHeaders = {}): Handler {
  return (_req, res) => void res.writeHead(200, { 'content-type': type, 'content-length': body.length, ...extra }).end(body);
}

/** Streams `total` bytes starting with `head` (a JPEG header), with or without a Content-Length. */
function big(total: number, head: Buffer, declared: boolean): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', ...(declared ? { 'content-length': total } : {}) });
    let sent = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    res.on('error', () => undefined);
    const chunk = Buffer.alloc(MB, 0x55);
    head.copy(chunk);
    const pump = () => {
      while (!closed && sent < total) {
        sent += MB;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!closed) res.end();
    };
    pump();
  };
}

test('every hostile image fails on its own with its reason; every article is published; bounded time and memory', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const img = await makeImages();
  const bomb = gzipBomb(1024);

  const cases: Record<string, { serve: Handler; expect: { outcome: 'converted' | 'failed'; code?: string; message?: RegExp } }> = {
    'photo.jpg': { serve: send('image/jpeg', img.photo), expect: { outcome: 'converted' } },
    'corrupt.jpg': { serve: send('image/jpeg', img.corrupt), expect: { outcome: 'failed', code: 'image-decode', message: /decode|corrupt|premature|invalid/i } },
    'truncated.jpg': { serve: send('image/jpeg', img.truncated), expect: { outcome: 'failed', code: 'image-decode', message: /decode|premature|truncated|end of/i } },
    'zero.jpg': { serve: send('image/jpeg', img.empty), expect: { outcome: 'failed', code: 'image-decode', message: /empty/ } },
    'html-as.jpg': { serve: send('image/jpeg', img.html), expect: { outcome: 'failed', code: 'image-unsupported', message: /HTML page/ } },
    'huge-dims.png': { serve: send('image/png', img.hugeDims), expect: { outcome: 'failed', code: 'image-too-large', message: /pixel|megapixel|50000/ } },
    'big-declared.jpg': { serve: big(30 * MB, img.photo.subarray(0, 64), true), expect: { outcome: 'failed', code: 'too-large', message: /larger than 20/ } },
    'big-chunked.jpg': { serve: big(30 * MB, img.photo.subarray(0, 64), false), expect: { outcome: 'failed', code: 'too-large', message: /larger than 20/ } },
    'bomb.jpg': { serve: send('image/jpeg', bomb, { 'content-encoding': 'gzip' }), expect: { outcome: 'failed', code: 'too-large', message: /larger than 20/ } },
    'hang.jpg': { serve: () => undefined, expect: { outcome: 'failed', code: 'timeout', message: /timed out/ } },
    'drip.jpg': {
      serve: (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': img.photo.length });
        let i = 0;
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(img.photo.subarray(i, ++i))), 1000);
        res.on('close', () => clearInterval(timer));
      },
      expect: { outcome: 'failed', code: 'timeout', message: /timed out/ },
    },
    'reset.jpg': {
      serve: (req, res) => {
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': img.photo.length });
        res.write(img.photo.subarray(0, 2000));
        setTimeout(() => req.socket.resetAndDestroy(), 30);
      },
      expect: { outcome: 'failed', code: 'network', message: /could not be fetched/ },
    },
    'missing.jpg': { serve: (_req, res) => void res.writeHead(404).end('gone'), expect: { outcome: 'failed', code: 'http-status', message: /404/ } },
    'loop.jpg': { serve: (req, res) => void res.writeHead(302, { location: req.url!.includes('?b') ? '/img/loop.jpg' : '/img/loop.jpg?b' }).end(), expect: { outcome: 'failed', code: 'redirect-loop', message: /redirect loop/ } },
    // Rasterized by librsvg (which runs no script) or refused: either way never served as SVG.
    'script.svg': { serve: send('image/svg+xml', img.svgScript), expect: { outcome: 'converted' } },
  };

  const server = http.createServer((req, res) => {
    const name = /^\/img\/([^?]+)/.exec(req.url ?? '')?.[1];
    if (name && cases[name]) return cases[name].serve(req, res);
    if (req.url === '/feed.xml') {
      const items = Object.keys(cases).map((n, i) => ({
        title: `Image ${n}`,
        link: `http://example.com/images/${i}`,
        html: `<p>Before the image.</p><img src="${origin}/img/${n}" alt="${n}"><p>After the image.</p>`,
      }));
      const doc = rss('Hostile images', items, `${origin}/`).replace('<channel>', `<channel><image><url>${xmlText(`${origin}/img/script.svg`)}</url><title>i</title><link>${origin}/</link></image>`);
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(doc);
    }
    res.writeHead(404).end();
  });
  const origin = await listen(server);
  t.after(() => closeServer(server));
  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'Hostile images', url: 'https://example.org/' },
      fetch: { allowPrivateNetworks: true, timeoutSeconds: 3 },
      feeds: [{ id: 'images', url: `${origin}/feed.xml` }],
    }),
  );

  const child = await runBuildChild({ config, out, cache });
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(await readFile(path.join(out, 'api', 'report.json'), 'utf8')) as {
    feeds: { id: string; outcome: string; total: number }[];
    images: { url: string; outcome: string; error: { code: string; message: string } | null }[];
  };
  const problems: string[] = [];
  for (const [name, c] of Object.entries(cases)) {
    const entry = report.images.find((i) => i.url === `${origin}/img/${name}`);
    try {
      assert.ok(entry, 'reported');
      assert.equal(entry.outcome, c.expect.outcome, `outcome (${entry.error?.message ?? 'no error'})`);
      if (c.expect.code) assert.equal(entry.error?.code, c.expect.code, `code (${entry.error?.message})`);
      if (c.expect.message) assert.match(entry.error!.message, c.expect.message);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));

  // Every article is published, whatever happened to its image.
  assert.equal(report.feeds[0]!.outcome, 'fetched');
  assert.equal(report.feeds[0]!.total, Object.keys(cases).length);
  const files = await listFiles(out);
  const articlePages = files.filter((f) => /^articles\/[0-9a-f]{32}\/index\.html$/.test(f));
  assert.equal(articlePages.length, Object.keys(cases).length);
  for (const page of articlePages) {
    const html = await readFile(path.join(out, page), 'utf8');
    assert.match(html, /Before the image\.[\s\S]*After the image\./, `${page}: the text around the image is there`);
    for (const tag of html.match(/<img\b[^>]*>/g) ?? []) {
      const src = /\ssrc="([^"]+)"/.exec(tag)?.[1] ?? '';
      // A failed image keeps its source URL, asked for with no Referer; a converted one is a WebP of ours.
      if (src.startsWith(origin)) assert.match(tag, /referrerpolicy="no-referrer"/, `${page}: ${tag}`);
      else if (src.includes('/img/') && !src.endsWith('favicon.svg')) assert.ok(files.includes(src.replace(/^https:\/\/example\.org\//, '').replace(/^\//, '')), `${page}: ${src} exists`);
    }
  }
  // No SVG from the site's origin: every image file is a WebP that sharp reads back as WebP.
  const imageFiles = files.filter((f) => f.startsWith('img/'));
  assert.ok(imageFiles.length >= 2, 'the photo and the rasterized SVG');
  assert.deepEqual(imageFiles.filter((f) => !f.endsWith('.webp')), []);
  for (const f of imageFiles) assert.equal((await sharp(path.join(out, f)).metadata()).format, 'webp', f);
  assert.deepEqual(await filesContaining(out, '<script>document.location'), [], 'the SVG script is nowhere in the site');
  assert.deepEqual(await brokenJsonFiles(cache), []);

  assert.ok(child.ms < 60_000, `build took ${child.ms} ms`);
  assert.ok(child.maxRssMb !== null && child.maxRssMb < 700, `peak memory ${child.maxRssMb} MB`);
  t.diagnostic(`reliability: hostile image cases tried ${Object.keys(cases).length - 1}, crashes 0, articles lost 0`);
  t.diagnostic(`hostile image build: ${child.ms} ms, peak memory ${child.maxRssMb} MB`);
});

test('feed content cannot reach private addresses, directly, after DNS or by redirect; proxy and header secrets never reach the site or the logs', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');
  const img = await makeImages();
  const secrets = {
    envProxy: `envProxyPass${process.pid}`,
    feedProxy: `feedProxyPass${process.pid}`,
    deadProxy: `deadProxyPass${process.pid}`,
    header: `headerToken${process.pid}`,
    cookie: `cookieValue${process.pid}`,
  };
  const requested: { path: string; host: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    requested.push({ path: req.url ?? '', host: req.headers.host });
    const url = req.url ?? '';
    if (url === '/feed-allowed.xml') {
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Allowed', [{ title: 'Public image', link: 'http://example.com/public', html: `<img src="${allowed}">` }], `${origin}/`));
    }
    if (url === '/img/ok.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(img.photo);
    if (url === '/img/redirect-to-loopback.jpg') return void res.writeHead(302, { location: `${origin}/img/secret.jpg` }).end();
    if (url === '/img/redirect-to-metadata.jpg') return void res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }).end();
    if (url === '/img/redirect-to-localhost.jpg') return void res.writeHead(307, { location: `http://localhost:${port}/img/secret.jpg` }).end();
    if (url.startsWith('/img/')) return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(img.photo); // what the guard must keep us from
    if (url.startsWith('/feed')) {
      const doc = rss(
        'Guarded',
        blocked.map((u, i) => ({ title: `Private ${i}`, link: `http://example.com/private/${i}${url.includes('second') ? '-b' : ''}`, html: `<p>x</p><img src="${u}">` })),
        `${origin}/`,
      ).replace('<channel>', `<channel><image><url>${origin}/img/icon.png</url><title>i</title><link>${origin}/</link></image>`);
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(doc);
    }
    res.writeHead(404).end();
  });
  const origin = await listen(server);
  const port = Number(new URL(origin).port);
  t.after(() => closeServer(server));
  const proxy = await startTunnelProxy(server, origin);
  t.after(() => proxy.close());
  const proxyPort = new URL(proxy.origin).port;

  const blocked = [
    `${origin}/img/direct.jpg`,
    `http://localhost:${port}/img/localhost.jpg`,
    `http://[::1]:${port}/img/v6.jpg`,
    `http://[::ffff:127.0.0.1]:${port}/img/mapped.jpg`,
    `http://2130706433:${port}/img/decimal.jpg`,
    `http://0x7f.1:${port}/img/hex.jpg`,
    `http://127.1.2.3:${port}/img/other-loopback.jpg`,
    'http://169.254.169.254/latest/meta-data/',
    'http://100.100.100.200/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://10.0.0.1/router.jpg',
    'http://192.168.1.1/router.jpg',
    'http://images.example/img/redirect-to-loopback.jpg',
    'http://images.example/img/redirect-to-metadata.jpg',
    'http://images.example/img/redirect-to-localhost.jpg',
  ];
  const allowed = 'http://images.example/img/ok.jpg';
  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      // A localhost site.url: the CLI restores nothing from it (a real URL would make it read the deployed site first).
      site: { title: 'Guarded', url: 'http://localhost:8080/' },
      fetch: { timeoutSeconds: 3, retries: 0 },
      feeds: [
        // One public-looking image, reached through the proxy: allowed.
        { id: 'allowed', url: `${origin}/feed-allowed.xml` },
        { id: 'guarded', url: `${origin}/feed.xml` },
        {
          id: 'through-feed-proxy',
          url: `${origin}/feed-second.xml`,
          proxy: `http://feeduser:${secrets.feedProxy}@127.0.0.1:${proxyPort}`,
          headers: { Authorization: `Bearer ${secrets.header}`, Cookie: `session=${secrets.cookie}` },
        },
        { id: 'dead-proxy', url: `${origin}/feed-third.xml`, proxy: `http://deaduser:${secrets.deadProxy}@127.0.0.1:9` },
      ],
    }),
  );
  const envProxy = `http://proxyuser:${secrets.envProxy}@127.0.0.1:${proxyPort}`;
  const { done } = runCli(['build', '--config', config, '--out', out, '--cache', cache], {
    ...process.env,
    HTTP_PROXY: envProxy,
    HTTPS_PROXY: envProxy,
    NO_PROXY: 'localhost',
    CI: '1',
  });
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(await readFile(path.join(out, 'api', 'report.json'), 'utf8')) as {
    feeds: { id: string; outcome: string; error: { message: string } | null }[];
    images: { url: string; outcome: string; error: { code: string; message: string } | null }[];
  };

  // The guard: every private target refused, none requested.
  const problems: string[] = [];
  for (const u of [...blocked, `${origin}/img/icon.png`]) {
    const entry = report.images.find((i) => i.url === new URL(u).href);
    if (!entry) problems.push(`${u}: not reported`);
    else if (entry.outcome !== 'failed' || entry.error?.code !== 'blocked-address') problems.push(`${u}: ${entry.outcome} ${entry.error?.code} ${entry.error?.message}`);
    else if (!/private|loopback/.test(entry.error.message)) problems.push(`${u}: unclear reason: ${entry.error.message}`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
  const reachedImages = requested.filter((r) => r.path.startsWith('/img/')).map((r) => `${r.host}${r.path}`);
  assert.deepEqual(
    reachedImages.filter((r) => !r.startsWith('images.example')),
    [],
    'no image was fetched from the loopback server by its own address',
  );
  assert.deepEqual(
    reachedImages.filter((r) => r.includes('secret')),
    [],
    'no redirect to a private address was followed',
  );
  assert.equal(report.images.find((i) => i.url === allowed)?.outcome, 'converted', 'a public host (through the proxy) is fine');
  // Feeds are trusted: all fetched, through the environment's proxy or their own.
  assert.deepEqual(
    Object.fromEntries(report.feeds.map((f) => [f.id, f.outcome])),
    { allowed: 'fetched', guarded: 'fetched', 'through-feed-proxy': 'fetched', 'dead-proxy': 'failed' },
  );
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  assert.ok(proxy.requests.some((r) => r.auth === basic('proxyuser', secrets.envProxy)), 'HTTP_PROXY credentials were used');
  assert.ok(proxy.requests.some((r) => r.auth === basic('feeduser', secrets.feedProxy)), 'the per-feed proxy credentials were used');

  // Secrets: nowhere in the site, the cache, or what the build printed.
  const needles = [
    ...Object.values(secrets),
    ...Object.entries({ proxyuser: secrets.envProxy, feeduser: secrets.feedProxy, deaduser: secrets.deadProxy }).map(([u, p]) => Buffer.from(`${u}:${p}`).toString('base64')),
  ];
  for (const needle of needles) {
    assert.deepEqual(await filesContaining(out, needle), [], `${needle} is not in the site`);
    assert.deepEqual(await filesContaining(cache, needle), [], `${needle} is not in the cache`);
    assert.ok(!result.stdout.includes(needle) && !result.stderr.includes(needle), `${needle} is not in the build's output`);
  }
  assert.match(result.stderr, /dead-proxy/, 'the dead proxy is reported (without its password)');
  t.diagnostic(`reliability: private-address cases tried ${blocked.length + 1}, requests that reached a private address 0; secrets checked ${needles.length}, leaked 0`);
});

test('the guard sees through every spelling of a private address', async () => {
  // Unit-level companion of the build above: the literal check and the DNS check.
  const { checkLiteralHost, isBlockedAddress } = await import('../../src/net/address-guard.ts');
  for (const host of ['127.0.0.1', '127.255.255.254', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '100.100.100.200', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '::127.0.0.1', '64:ff9b::7f00:1']) {
    assert.ok(isBlockedAddress(host), `${host} is blocked`);
  }
  for (const host of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1', '11.0.0.1']) assert.ok(!isBlockedAddress(host), `${host} is allowed`);
  for (const url of ['http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/']) {
    assert.ok(checkLiteralHost(new URL(url)), `${url} (${new URL(url).hostname}) is refused`);
  }
  assert.ok(net.isIP('::ffff:7f00:1'));
});
