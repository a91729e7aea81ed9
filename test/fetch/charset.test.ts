/**
 * The charset matrix (test/fixtures/charsets/cases.json), each file served
 * by a loopback server exactly as a publisher would: Content-Type
 * application/rss+xml, with a charset parameter only where the case says
 * the charset is given by HTTP (gb18030-http). Fetched and parsed by the
 * real stages; the item title must come out exactly right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveConfig } from '../../src/config/index.ts';
import { createFeedFetcher, type FetchOutcome } from '../../src/fetch/index.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { emptyFeedState } from '../../src/model/archive.ts';
import { bytes, startLoopback, type Loopback } from '../net/loopback.ts';
import { FIXTURES } from '../support/tmp.ts';

interface Case {
  file: string;
  httpCharset: string | null;
  expectedTitle: string;
  declaredEncoding: string | null;
  bom: boolean;
}

const DIR = path.join(FIXTURES, 'charsets');
const cases = JSON.parse(await readFile(path.join(DIR, 'cases.json'), 'utf8')) as Case[];

async function fetchAndParse(t: { after(fn: () => unknown): void }, server: Loopback, paths: string[]) {
  const config = resolveConfig({ feeds: paths.map((p, i) => ({ id: `f${i}`, url: server.origin + p })) }, '/tmp/feeds.json');
  const client = createHttpClient({ userAgent: 'test' });
  t.after(() => client.close());
  const fetcher = createFeedFetcher(client, config.fetch);
  return Promise.all(
    config.feeds.map(async (feed) => {
      const fetched = await fetcher.fetch(feed, emptyFeedState(feed.id, feed.url).http);
      assert.ok(fetched.kind === 'fetched', `${feed.url}: ${JSON.stringify(fetched)}`);
      const parsed = await parseFeed(fetched.text, fetched.url);
      assert.ok(parsed.ok, `${feed.url}: ${JSON.stringify(!parsed.ok && parsed.error)}`);
      return { fetched: fetched as Extract<FetchOutcome, { kind: 'fetched' }>, doc: parsed.value };
    }),
  );
}

test('every charset in the matrix decodes to the exact title', async (t) => {
  const routes: Record<string, ReturnType<typeof bytes>> = {};
  for (const c of cases) {
    const body = await readFile(path.join(DIR, c.file));
    routes[`/${c.file}`] = bytes(body, {
      'content-type': c.httpCharset ? `application/rss+xml; charset=${c.httpCharset}` : 'application/rss+xml',
      'content-length': body.length,
    });
  }
  const server = await startLoopback(t, routes);
  const results = await fetchAndParse(t, server, cases.map((c) => `/${c.file}`));
  assert.equal(results.length, 12);
  for (const [i, c] of cases.entries()) {
    const { fetched, doc } = results[i]!;
    const title = doc.items[0]?.title;
    assert.equal(title, c.expectedTitle, `${c.file} (decoded as ${fetched.charset} from ${fetched.charsetSource})`);
    assert.equal(doc.title, 'Charset fixture', c.file);
    assert.doesNotMatch(fetched.text, /[\uFFFD\u0080-\u009F]/, `${c.file}: no replacement or C1 control characters`);
    assert.doesNotMatch(fetched.text, /^\uFEFF/, `${c.file}: the BOM is not part of the text`);
    if (c.bom) assert.equal(fetched.charsetSource, 'bom', c.file);
  }
  const by = (file: string) => results[cases.findIndex((c) => c.file === file)]!.fetched;
  assert.deepEqual([by('gb18030-http.xml').charset, by('gb18030-http.xml').charsetSource], ['gb18030', 'http']);
  assert.deepEqual([by('gbk-xmldecl.xml').charset, by('gbk-xmldecl.xml').charsetSource], ['gb18030', 'declaration']);
  assert.deepEqual([by('iso-8859-1.xml').charset, by('iso-8859-1.xml').charsetSource], ['windows-1252', 'declaration']);
  assert.deepEqual([by('shift_jis.xml').charset, by('big5.xml').charset, by('euc-kr.xml').charset], ['shift_jis', 'big5', 'euc-kr']);
  // Labelled UTF-8, but not UTF-8: the label is ignored and the bytes recognized.
  assert.notEqual(by('gbk-labelled-utf8.xml').charset, 'utf-8');
});

test('harder cases: UTF-16 without a BOM, a server default that lies, a wrong HTTP label', async (t) => {
  const utf16 = await readFile(path.join(DIR, 'utf16le-bom.xml'));
  const gbkDeclared = await readFile(path.join(DIR, 'gbk-xmldecl.xml'));
  const cp1252 = await readFile(path.join(DIR, 'windows-1252.xml'));
  const server = await startLoopback(t, {
    // The same UTF-16LE bytes, BOM removed: a UTF-8 reading would "succeed" with NULs everywhere.
    '/utf16-nobom.xml': bytes(utf16.subarray(2), { 'content-type': 'application/xml' }),
    // The server's generic Latin-1 default against a document that declares GBK.
    '/latin1-header.xml': bytes(gbkDeclared, { 'content-type': 'text/xml; charset=ISO-8859-1' }),
    // HTTP claims UTF-8 for windows-1252 bytes; the declaration is right.
    '/utf8-header.xml': bytes(cp1252, { 'content-type': 'application/rss+xml; charset=utf-8' }),
  });
  const [u16, latin1, utf8] = await fetchAndParse(t, server, ['/utf16-nobom.xml', '/latin1-header.xml', '/utf8-header.xml']);
  assert.equal(u16!.fetched.charset, 'utf-16le');
  assert.equal(u16!.doc.items[0]!.title, 'UTF-16LE: naïve café – 中文标题 😀');
  assert.equal(latin1!.doc.items[0]!.title, '中文标题：钛媒体');
  assert.equal(utf8!.doc.items[0]!.title, '“Smart quotes” – café €5');
});
