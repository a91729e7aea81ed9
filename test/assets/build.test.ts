/**
 * A build with `assets: { cdn: "jsdelivr", … }`: every image URL in pages
 * and JSON points at the shard the manifest gives its file (or at the site,
 * while its shard is open), `feed-digest assets` lays the sealed shards out
 * with those files, and a later build seals the open shard without
 * touching the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, layoutAssets } from '../../src/build.ts';
import type { AssetManifest } from '../../src/assets/index.ts';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const SITE = 'https://user.github.io/digest/';
const CDN = /^https:\/\/fastly\.jsdelivr\.net\/gh\/me\/digest-assets@(assets-\d{5})\/(img\/.+\.webp)$/;
const T0 = new Date('2026-02-01T08:00:00Z');

async function textFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /\.(html|json|xml)$/.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

/** Every WebP URL anywhere in the site's pages, JSON and feeds (absolute, or under the path prefix). */
async function imageUrls(out: string): Promise<Set<string>> {
  const urls = new Set<string>();
  for (const file of await textFiles(out)) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/(?:https?:\/\/[^"'\s,)<>]+|\/digest\/img\/[^"'\s,)<>]+)\.webp/g)) urls.add(m[0]);
  }
  return urls;
}

test('jsDelivr: pages and JSON link each image on its shard; assets lays the shards out; sealed shards never change', async (t) => {
  const dir = await tempDir(t);
  const server = await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds'));
  t.after(() => server.close());
  const template = JSON.parse((await readFile(path.join(REPO_ROOT, 'demo', 'feeds.json'), 'utf8')).replaceAll('__ORIGIN__', server.origin));
  delete template.$schema;
  template.site.url = SITE;
  // Tiny shards (300 KB) so the demo's images fill several; the mirror host, as for readers where the main one is blocked.
  template.assets = { cdn: 'jsdelivr', repo: 'me/digest-assets', host: 'fastly.jsdelivr.net', shardMB: 0.3, sealAfterHours: 24 };
  const config = path.join(dir, 'feeds.json');
  await writeFile(config, JSON.stringify(template));
  const out = path.join(dir, '_site');
  const cache = path.join(dir, '.cache');

  await build({ config, out, cache, quiet: true, now: T0 });
  const manifest = JSON.parse(await readFile(path.join(cache, 'assets', 'manifest.json'), 'utf8')) as AssetManifest;
  assert.deepEqual(JSON.parse(await readFile(path.join(out, 'api', 'assets.json'), 'utf8')), manifest, 'the manifest is published for restores');
  const sealed = new Set(manifest.shards.filter((s) => s.sealedAt).map((s) => s.ref));
  assert.ok(sealed.size >= 2, `several sealed shards: ${[...sealed].join(' ')}`);
  assert.equal(manifest.shards.filter((s) => !s.sealedAt).length, 1, 'and one open');

  const urls = await imageUrls(out);
  let onCdn = 0;
  let onSite = 0;
  const cdnFiles = new Map<string, string>();
  for (const url of urls) {
    const m = CDN.exec(url);
    if (m) {
      const [, ref, file] = m;
      assert.equal(manifest.files[file!]?.shard, ref, `${url} names the shard holding ${file}`);
      assert.ok(sealed.has(ref!), `${url}: only sealed shards are linked`);
      await assert.rejects(readFile(path.join(out, file!)), `${file} is not copied into the site`);
      cdnFiles.set(file!, ref!);
      onCdn++;
    } else {
      const file = url.replace(/^(https:\/\/user\.github\.io)?\/digest\//, '');
      assert.ok(file.startsWith('img/'), `unexpected image URL ${url}`);
      const entry = manifest.files[file];
      assert.ok(!entry || !sealed.has(entry.shard), `${url}: a file in a sealed shard is linked on the CDN`);
      await readFile(path.join(out, file)); // the site serves it
      onSite++;
    }
  }
  assert.ok(onCdn >= 5 && onSite >= 1, `images on the CDN (${onCdn}) and, while their shard is open, on the site (${onSite})`);
  const all = JSON.parse(await readFile(path.join(out, 'api', 'all.json'), 'utf8'));
  const linked = all.items.flatMap((i: { _digest: { images: Record<string, string> } }) => Object.values(i._digest.images));
  assert.ok(linked.some((u: string) => CDN.test(u)), '_digest.images points at the CDN');

  // feed-digest assets: a folder per sealed shard holding exactly the files pages link there.
  const assetsOut = path.join(dir, '_assets');
  const laid = await layoutAssets({ config, cache, out: assetsOut });
  assert.deepEqual(laid.shards.map((s) => s.ref).sort(), [...sealed].sort());
  for (const s of laid.shards) assert.ok(s.bytes <= 300_000, `${s.ref}: ${s.bytes} bytes`);
  for (const [file, ref] of cdnFiles) {
    const laidOut = await readFile(path.join(assetsOut, ref, file));
    const cached = await readFile(path.join(cache, 'images', 'files', file.replace(/^img\//, '')));
    assert.ok(laidOut.equals(cached), `${ref}/${file} is the image`);
  }

  // A day later: the open shard is sealed and its images move to the CDN; the earlier shards are untouched.
  // (The cache holds state, so no restore is tried: that address would refuse the connection and fail the build.)
  await build({ config, out, cache, quiet: true, now: new Date(T0.getTime() + 25 * 3_600_000), restoreFrom: 'http://127.0.0.1:9/' });
  const later = JSON.parse(await readFile(path.join(cache, 'assets', 'manifest.json'), 'utf8')) as AssetManifest;
  for (const [file, entry] of Object.entries(manifest.files)) {
    if (sealed.has(entry.shard)) assert.deepEqual(later.files[file], entry, `${file} stays in ${entry.shard}`);
  }
  for (const s of manifest.shards.filter((x) => x.sealedAt)) assert.deepEqual(later.shards.find((x) => x.ref === s.ref), s);
  assert.ok(later.shards.every((s) => s.sealedAt), 'the open shard was sealed');
  for (const url of await imageUrls(out)) {
    if (CDN.test(url)) continue;
    // Only files larger than a whole shard are still served by the site.
    const file = url.replace(/^(https:\/\/user\.github\.io)?\/digest\//, '');
    assert.equal(later.files[file], undefined, `${url} has no shard: it is larger than a shard`);
  }
});
