/**
 * Malformed XML that a reader can recover from, and XML that must never be
 * acted on (entity expansion, external entities). Served over loopback and
 * read through fetch + parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFeed } from '../../src/parse/index.ts';
import { repairXml } from '../../src/parse/xml-repair.ts';
import { FIXTURES } from '../support/tmp.ts';
import { bytes, startLoopback } from '../net/loopback.ts';
import { fixtureReader, ok } from './serve.ts';

test('a bare "&" in titles, links and text', async (t) => {
  const doc = ok(await (await fixtureReader(t))('bare-ampersand.xml'));
  assert.equal(doc.title, 'Bare ampersands & friends');
  const [tom, qa] = doc.items;
  assert.equal(tom!.title, 'Tom & Jerry return');
  assert.equal(tom!.link, 'https://example.com/search?q=tom&jerry=1&page=2');
  assert.equal(tom!.contentHtml, 'Cats & mice. An escaped one too: R&D.');
  assert.match(qa!.title, /^Q&A: ampersand followed by letters & a semicolon-less (&copy|©) entity$/);
  assert.equal(qa!.link, 'https://example.com/qa?id=7&lang=en');
});

test('HTML named entities that XML does not know', async (t) => {
  const doc = ok(await (await fixtureReader(t))('html-entities.xml'));
  const [first, second] = doc.items;
  assert.equal(first!.title, 'Café\u00A0news — part\u00A01…');
  assert.equal(first!.contentHtml, 'Prices from €5 – “quoted” © 2026 & XML\'s own <five>.');
  assert.equal(second!.title, 'Numeric entities are fine: “—” ©');
});

test('invalid control characters are removed', async (t) => {
  const doc = ok(await (await fixtureReader(t))('control-chars.xml'));
  assert.deepEqual(doc.items.map((i) => i.title), ['Startofheading', 'Clean title']);
  for (const i of doc.items) assert.doesNotMatch(i.title + i.contentHtml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/);
});

test('junk before the root element (blank lines, a PHP warning) is skipped', async (t) => {
  const doc = ok(await (await fixtureReader(t))('junk-before-root.xml'));
  assert.equal(doc.title, 'Junk before root');
  assert.deepEqual(doc.items.map((i) => i.title), ['Third post', 'Second post', 'First post']);
});

test('a truncated document keeps the items that parsed, and says so', async (t) => {
  const doc = ok(await (await fixtureReader(t))('truncated.xml'));
  assert.equal(doc.title, 'Truncated feed');
  assert.deepEqual(doc.items.map((i) => i.title), ['Item One', 'Item Two', 'Item Three']);
  assert.match(doc.warnings.join('\n'), /cut off.*kept the 3 items/);
});

test('a document cut off before its first complete item fails with a clear error', async (t) => {
  const full = await readFile(path.join(FIXTURES, 'feeds', 'truncated.xml'), 'utf8');
  const cut = full.slice(0, full.indexOf('</item>') - 20);
  const server = await startLoopback(t, { '/cut.xml': bytes(cut, { 'content-type': 'application/rss+xml' }) });
  const res = await fetch(`${server.origin}/cut.xml`);
  const r = await parseFeed(await res.text(), `${server.origin}/cut.xml`);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'parse');
  assert.match(r.error.message, /cut\.xml: cannot be parsed: malformed XML with no complete item.*cut off/);
});

test('billion laughs: entities are never expanded, quickly and in bounded memory', async (t) => {
  const before = process.memoryUsage().rss;
  const started = Date.now();
  const r = await (await fixtureReader(t))('billion-laughs.xml');
  assert.ok(Date.now() - started < 2000);
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024);
  if (r.ok) {
    const text = JSON.stringify(r.value);
    assert.ok(text.length < 10_000, 'nothing was expanded');
    assert.doesNotMatch(text, /(lol){4}/);
  }
});

test('external entities are never resolved: no file read, no request', async (t) => {
  const server = await startLoopback(t, { '/leak': bytes('SECRET-FROM-NETWORK') });
  const xxe = (await readFile(path.join(FIXTURES, 'feeds', 'xxe.xml'), 'utf8')).replace('http://127.0.0.1:1/xxe-probe', `${server.origin}/leak`);
  server.route('/xxe.xml', bytes(xxe, { 'content-type': 'application/rss+xml' }));
  const res = await fetch(`${server.origin}/xxe.xml`);
  const r = await parseFeed(await res.text(), `${server.origin}/xxe.xml`);
  const text = JSON.stringify(r);
  assert.doesNotMatch(text, /root:|SECRET-FROM-NETWORK/);
  assert.equal(server.hits('/leak').length, 0);
  if (r.ok) assert.match(r.value.items[0]!.title, /^Leak: (&xxe;)?$/);
});

test('repairXml drops the declared encoding: the text is already decoded', () => {
  const fixed = repairXml('<?xml version="1.0" encoding="GB2312" standalone="yes"?><rss version="2.0"/>');
  assert.equal(fixed, '<?xml version="1.0" standalone="yes"?><rss version="2.0"/>');
});

test('one bad Atom date costs neither the entry nor the feed', async (t) => {
  const doc = ok(await (await fixtureReader(t))('atom-bad-date.xml'));
  assert.deepEqual(
    doc.items.map((i) => [i.title, i.published]),
    [
      ['Entry with an unparseable date', null],
      ['Entry with a good date', '2026-11-23T07:15:00.000Z'],
    ],
  );
  assert.match(doc.warnings.join('\n'), /unreadable date "not a date"/);
});
