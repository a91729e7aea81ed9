/**
 * jsDelivr shards: packing respects the per-shard cap and jsDelivr's
 * per-file limit over a large synthetic asset set; a shard, once sealed,
 * never changes however many images are added later; the layout on disk
 * (one folder per tag) matches the manifest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assignShards, emptyManifest, layoutShards, MAX_FILE_BYTES, shardUrls, type AssetFile, type AssetManifest } from '../../src/assets/index.ts';
import { tempDir } from '../support/tmp.ts';

const MB = 1_000_000;
const HOUR = 3_600_000;
const T0 = new Date('2026-01-01T00:00:00Z');

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A realistic mix: mostly small WebPs, some large ones, a few near and above jsDelivr's 20 MB file limit. */
function syntheticAssets(count: number, seed: number, scale = 1): AssetFile[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const r = next();
    const bytes = r < 0.9 ? 8_000 + next() * 400_000 : r < 0.985 ? 1 * MB + next() * 14 * MB : r < 0.995 ? 19 * MB + next() * 0.9 * MB : 21 * MB + next() * 10 * MB;
    const hash = createHash('sha256').update(String(next())).digest('hex').slice(0, 24);
    return { path: `img/${hash.slice(0, 2)}/${hash}-960.webp`, bytes: Math.max(1, Math.round(bytes * scale)) };
  });
}

function shardContents(m: AssetManifest): Map<string, string> {
  const byShard = new Map<string, string[]>();
  for (const [p, e] of Object.entries(m.files)) {
    let list = byShard.get(e.shard);
    if (!list) byShard.set(e.shard, (list = []));
    list.push(`${p}:${e.bytes}`);
  }
  return new Map([...byShard].map(([ref, list]) => [ref, list.sort().join('\n')]));
}

const OPTIONS = { repo: 'me/digest-assets', shardBytes: 45 * MB, tagPrefix: 'assets-', sealAfterMs: 24 * HOUR };

test('packing 6,000 synthetic assets: every shard below 45 MB, no file above 20 MB, everything else placed', () => {
  const live = syntheticAssets(6000, 42);
  const plan = assignShards(emptyManifest(OPTIONS.repo), live, { ...OPTIONS, now: T0 });
  const m = plan.manifest;
  const tooBig = live.filter((f) => f.bytes > MAX_FILE_BYTES).map((f) => f.path).sort();
  assert.ok(tooBig.length > 10, 'the set has files above the limit');
  assert.deepEqual([...plan.tooLarge].sort(), tooBig, 'files above 20 MB stay on the site');
  assert.equal(plan.added, live.length - tooBig.length);
  assert.ok(m.shards.length > 20, `${m.shards.length} shards`);

  const sums = new Map<string, { bytes: number; files: number }>();
  for (const [p, e] of Object.entries(m.files)) {
    assert.ok(e.bytes <= MAX_FILE_BYTES, `${p} fits jsDelivr's file limit`);
    const s = sums.get(e.shard) ?? { bytes: 0, files: 0 };
    s.bytes += e.bytes;
    s.files++;
    sums.set(e.shard, s);
  }
  for (const shard of m.shards) {
    const s = sums.get(shard.ref)!;
    assert.ok(s.bytes <= OPTIONS.shardBytes, `${shard.ref}: ${s.bytes} bytes is under the cap`);
    assert.deepEqual({ bytes: shard.bytes, files: shard.files }, s, `${shard.ref}: its recorded size is its content`);
  }
  // Shards are full before a new one opens: all but the open one are sealed, and none is wastefully small.
  assert.equal(m.shards.filter((s) => !s.sealedAt).length, 1);
  const sealed = m.shards.filter((s) => s.sealedAt);
  const average = sealed.reduce((n, s) => n + s.bytes, 0) / sealed.length;
  assert.ok(average > 0.7 * OPTIONS.shardBytes, `shards are well filled (average ${(average / MB).toFixed(1)} MB)`);
  assert.deepEqual(m.shards.map((s) => s.ref), m.shards.map((_, i) => `assets-${String(i + 1).padStart(5, '0')}`));

  // URLs: a file in a sealed shard is on the CDN under that shard's tag; the open shard's are still the site's.
  const url = shardUrls(m, 'fastly.jsdelivr.net');
  for (const [p, e] of Object.entries(m.files)) {
    const open = !m.shards.find((s) => s.ref === e.shard)!.sealedAt;
    assert.equal(url(p), open ? null : `https://fastly.jsdelivr.net/gh/me/digest-assets@${e.shard}/${p}`);
  }
  for (const p of plan.tooLarge) assert.equal(url(p), null);
});

test('adding images never changes a shard once sealed; the open shard is sealed when it is old enough', () => {
  let manifest = emptyManifest(OPTIONS.repo);
  let live: AssetFile[] = [];
  const sealedBefore = new Map<string, string>();
  for (let round = 0; round < 8; round++) {
    const now = new Date(T0.getTime() + round * HOUR);
    // Each build adds images; some old ones stop being referenced (their articles left the archive).
    live = [...live.filter((_, i) => (i + round) % 7 !== 0), ...syntheticAssets(400, 100 + round)];
    const plan = assignShards(manifest, live, { ...OPTIONS, now });
    const contents = shardContents(plan.manifest);
    for (const [ref, content] of sealedBefore) assert.equal(contents.get(ref), content, `round ${round}: sealed ${ref} is unchanged`);
    for (const [p, e] of Object.entries(manifest.files)) {
      const wasSealed = manifest.shards.find((s) => s.ref === e.shard)!.sealedAt;
      if (wasSealed) assert.deepEqual(plan.manifest.files[p], e, 'a sealed file keeps its shard even when no longer used');
    }
    for (const f of live) if (f.bytes <= MAX_FILE_BYTES) assert.ok(plan.manifest.files[f.path], `round ${round}: every live file has a shard`);
    manifest = plan.manifest;
    for (const s of manifest.shards) if (s.sealedAt) sealedBefore.set(s.ref, contents.get(s.ref) ?? '');
  }
  assert.ok(sealedBefore.size >= 10);

  // A small addition stays in the open shard until the shard is a day old, then moves to the CDN.
  const open = manifest.shards.find((s) => !s.sealedAt)!;
  const soon = assignShards(manifest, live, { ...OPTIONS, now: new Date(Date.parse(open.openedAt) + 23 * HOUR) });
  assert.equal(soon.manifest.shards.find((s) => s.ref === open.ref)!.sealedAt, null);
  const later = assignShards(manifest, live, { ...OPTIONS, now: new Date(Date.parse(open.openedAt) + 24 * HOUR) });
  assert.deepEqual(later.sealed, [open.ref]);
  const url = shardUrls(later.manifest, 'cdn.jsdelivr.net');
  const someOpenFile = Object.entries(manifest.files).find(([, e]) => e.shard === open.ref)![0];
  assert.equal(shardUrls(manifest, 'cdn.jsdelivr.net')(someOpenFile), null, 'served by the site while open');
  assert.match(url(someOpenFile)!, new RegExp(`@${open.ref}/${someOpenFile}$`), 'on the CDN once sealed');
});

test('layout: one folder per sealed shard, within the caps, and a shard laid out again is byte-identical', async (t) => {
  const dir = await tempDir(t);
  const cache = path.join(dir, 'cache');
  // Scaled down 1000×: a 45 KB cap and a 20 KB file limit, with real files on disk.
  const scaled = { ...OPTIONS, shardBytes: 45_000, maxFileBytes: 20_000 };
  const write = async (files: AssetFile[]) => {
    for (const f of files) {
      const file = path.join(cache, f.path);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, Buffer.alloc(f.bytes, f.path));
    }
  };
  const first = syntheticAssets(600, 7, 0.001);
  await write(first);
  const plan1 = assignShards(emptyManifest(OPTIONS.repo), first, { ...scaled, now: T0 });
  const out = path.join(dir, '_assets');
  const laid1 = await layoutShards(plan1.manifest, { out, source: (p) => path.join(cache, p) });
  assert.deepEqual(laid1.missing, []);
  const sealed1 = plan1.manifest.shards.filter((s) => s.sealedAt).map((s) => s.ref);
  assert.deepEqual((await readdir(out)).filter((n) => n !== 'manifest.json').sort(), sealed1, 'a folder per sealed shard, none for the open one');
  const tree1 = new Map<string, string>();
  for (const ref of sealed1) {
    const entries = await readdir(path.join(out, ref), { recursive: true, withFileTypes: true });
    let total = 0;
    const hash = createHash('sha256');
    for (const e of entries.filter((x) => x.isFile()).sort((a, b) => (a.parentPath + a.name < b.parentPath + b.name ? -1 : 1))) {
      const file = path.join(e.parentPath, e.name);
      const size = (await stat(file)).size;
      assert.ok(size <= scaled.maxFileBytes, `${file} is under the file limit`);
      total += size;
      hash.update(path.relative(out, file)).update(await readFile(file));
    }
    assert.ok(total <= scaled.shardBytes, `${ref}: ${total} bytes on disk is under the cap`);
    tree1.set(ref, hash.digest('hex'));
  }
  assert.deepEqual(JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')), plan1.manifest);

  // More images arrive; the earlier shards are laid out again exactly as they were pushed.
  const second = syntheticAssets(300, 8, 0.001);
  await write(second);
  const plan2 = assignShards(plan1.manifest, [...first, ...second], { ...scaled, now: new Date(T0.getTime() + HOUR) });
  await layoutShards(plan2.manifest, { out, source: (p) => path.join(cache, p) });
  for (const [ref, digest] of tree1) {
    const entries = await readdir(path.join(out, ref), { recursive: true, withFileTypes: true });
    const hash = createHash('sha256');
    for (const e of entries.filter((x) => x.isFile()).sort((a, b) => (a.parentPath + a.name < b.parentPath + b.name ? -1 : 1))) {
      const file = path.join(e.parentPath, e.name);
      hash.update(path.relative(out, file)).update(await readFile(file));
    }
    assert.equal(hash.digest('hex'), digest, `${ref} is byte-identical`);
  }
  assert.ok(plan2.manifest.shards.filter((s) => s.sealedAt).length > sealed1.length, 'new shards were sealed');

  // Never replaces a folder that is not a shard layout.
  const foreign = path.join(dir, 'project');
  await mkdir(foreign);
  await writeFile(path.join(foreign, 'README.md'), 'mine');
  await assert.rejects(layoutShards(plan2.manifest, { out: foreign, source: (p) => path.join(cache, p) }), /not a shard folder/);
});
