/**
 * One fixture per defect of issue 17 in each format it applies to
 * (test/fixtures/cases, README there), served over loopback and read
 * through fetch + parse (and the content step where the defect shows only
 * there: relative URLs, srcset). Every expected value is written by hand.
 * test/parse/published.test.ts checks some of them again in a real build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load } from 'cheerio';
import { prepareContent } from '../../src/content/index.ts';
import { parseFeed } from '../../src/parse/index.ts';
import { repairXml } from '../../src/parse/xml-repair.ts';
import type { FeedDoc, ParsedItem } from '../../src/model/feed.ts';
import { FIXTURES } from '../support/tmp.ts';
import { fixtureReader, ok, type Reader } from './serve.ts';

const CASES = path.join(FIXTURES, 'cases');

interface ItemExpectation {
  title?: string;
  link?: string;
  /** The parsed (not yet sanitized) content, exactly. */
  content?: string;
  summary?: string | null;
  published?: string | null;
  updated?: string | null;
  /** The base for the content's relative URLs. */
  base?: string;
  /** After the content step: these attributes, found by selector. */
  prepared?: { selector: string; attr: string; value: string }[];
  /** After the content step: the images to fetch. */
  images?: string[];
}

interface Case {
  format: FeedDoc['format'];
  title?: string;
  homeUrl?: string | null;
  items: ItemExpectation[];
}

async function check(read: Reader, file: string, expected: Case): Promise<void> {
  const doc = ok(await read(file));
  assert.equal(doc.format, expected.format, `${file}: format`);
  if (expected.title !== undefined) assert.equal(doc.title, expected.title, `${file}: feed title`);
  if (expected.homeUrl !== undefined) assert.equal(doc.homeUrl, expected.homeUrl, `${file}: home page`);
  assert.equal(doc.items.length, expected.items.length, `${file}: items`);
  expected.items.forEach((want, i) => checkItem(`${file} item ${i + 1}`, doc.items[i]!, want));
}

function checkItem(where: string, item: ParsedItem, want: ItemExpectation): void {
  for (const key of ['title', 'link', 'content', 'summary', 'published', 'updated', 'base'] as const) {
    if (want[key] === undefined) continue;
    const actual = key === 'content' ? item.contentHtml : key === 'base' ? item.baseUrl : item[key];
    assert.equal(actual, want[key], `${where}: ${key}`);
  }
  if (want.prepared || want.images) {
    const prepared = prepareContent(item.contentHtml, item.baseUrl, item.summary);
    const $ = load(prepared.html, null, false);
    for (const { selector, attr, value } of want.prepared ?? []) assert.equal($(selector).attr(attr), value, `${where}: ${selector} ${attr}`);
    if (want.images) assert.deepEqual(prepared.images, want.images, `${where}: images`);
  }
}

test('1: a comment holding markup (a test harness\'s) before the root, with no XML declaration, cuts nothing', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c1-comment-before-root-rss20.xml', {
    format: 'rss',
    title: 'Comment before the root (RSS 2.0)',
    items: [
      { title: 'First item', link: 'https://example.com/c1/rss20/1', content: '<p>Body of the <b>first</b> item.</p>', published: '2026-11-03T10:00:00.000Z' },
      { title: 'Second item', link: 'https://example.com/c1/rss20/2', content: 'Body of the second item.' },
    ],
  });
  await check(read, 'c1-comment-before-root-rss10.xml', {
    format: 'rdf',
    title: 'Comment before the root (RSS 1.0)',
    items: [{ title: 'First item', link: 'https://example.com/c1/rss10/1', content: 'Body of the first item.', published: '2026-11-03T10:00:00.000Z' }],
  });
  await check(read, 'c1-comment-before-root-atom10.xml', {
    format: 'atom',
    title: 'Comment before the root (Atom 1.0)',
    items: [{ title: 'First entry', link: 'https://example.com/c1/atom10/1', content: '<p>Body of the first entry.</p>' }],
  });
  await check(read, 'c1-comment-before-root-atom03.xml', {
    format: 'atom',
    title: 'Comment before the root (Atom 0.3)',
    items: [{ title: 'First entry', link: 'https://example.com/c1/atom03/1', content: '<p>Body of the first entry.</p>', published: '2026-11-03T10:00:00.000Z' }],
  });
});

test('1: junk with tags of its own before the declaration (a PHP warning) is skipped; an HTML page is still not a feed', async () => {
  const junk = '<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/feed.php</b> on line <b>8</b><br />\n';
  const doc = ok(await parseFeed(`${junk}<?xml version="1.0"?>\n<rss version="2.0"><channel><title>After junk</title><item><title>Kept</title><link>https://example.com/junk/1</link></item></channel></rss>`, 'https://example.com/feed'));
  assert.deepEqual([doc.title, doc.items.map((i) => i.title)], ['After junk', ['Kept']]);
  const page = await parseFeed('<!DOCTYPE html><html><body><!-- <rss version="2.0"> --><p>Home</p></body></html>', 'https://example.com/');
  assert.ok(!page.ok && page.error.code === 'not-a-feed' && /an HTML page/.test(page.error.message), JSON.stringify(page));
});

test('1: the declaration written back before the root carries only values XML allows (no DOCTYPE smuggled through it)', () => {
  const smuggled = '<?xml version="1.0&quot;?&gt;&lt;!DOCTYPE r [&lt;!ENTITY x &quot;INJECTED&quot;&gt;]&gt;&lt;?y z=&quot;" standalone="yes"?>\n<!-- <b>harness</b> -->\n<rss version="2.0"/>';
  assert.equal(repairXml(smuggled), '<?xml standalone="yes"?><rss version="2.0"/>');
});

test('2: <rss> without a version is RSS 2.0', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c2-no-version-rss20.xml', {
    format: 'rss',
    title: 'RSS without a version attribute',
    homeUrl: 'https://example.com/c2/',
    items: [
      { title: 'Item one', link: 'https://example.com/c2/1', content: 'First body.', published: '2026-11-03T10:00:00.000Z' },
      { title: 'Item two', link: 'https://example.com/c2/2', content: 'Second body.', published: '2026-11-02T10:00:00.000Z' },
    ],
  });
});

test('3: HTML written as elements in description, content:encoded, Atom summary and content is the content', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c3-naked-html-rss20.xml', {
    format: 'rss',
    items: [
      {
        title: 'Naked description',
        content: '<p>Hello <b>world</b>, and <a href="https://example.com/more">more</a>.</p><p>Second&nbsp;paragraph<br>with a break.</p>',
        summary: null,
      },
      {
        title: 'Naked content:encoded beside a description',
        content: '<div><h2>Heading</h2><p>The <em>full</em> text.</p><ul><li>one</li><li>two</li></ul></div>',
        summary: 'A short teaser.',
      },
    ],
  });
  await check(read, 'c3-naked-html-rss10.xml', {
    format: 'rdf',
    items: [
      { title: 'Naked description', content: '<p>Hello <strong>RDF</strong> world.</p>' },
      { title: 'Naked content:encoded', content: '<p>Encoded <i>as elements</i>.</p>' },
    ],
  });
  await check(read, 'c3-naked-html-atom10.xml', {
    format: 'atom',
    items: [
      { title: 'type="html" summary written as elements', content: '<p>Hello <b>world</b></p>' },
      { title: 'Content with no type written as elements', content: '<p>Untyped <em>content</em>.</p>' },
    ],
  });
  await check(read, 'c3-naked-html-atom03.xml', {
    format: 'atom',
    items: [{ title: 'text/html content in the default mode (xml)', content: '<p>Hello <b>world</b></p>' }],
  });
});

test('4: xhtml:body, fullitem, dc:description and media:description in a media:group are read', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c4-content-elements-rss20.xml', {
    format: 'rss',
    items: [
      { title: 'xhtml:body', content: '<p>Body in <em>XHTML</em>.</p>', summary: null },
      { title: 'fullitem', content: '<p>The full item.</p>', summary: 'The teaser.' },
      { title: 'dc:description only', content: 'Described in Dublin Core.' },
      { title: 'description beats dc:description', content: 'The RSS description.' },
      { title: 'media:description in a media:group', content: 'What the video shows.<br>A second line &lt;with brackets&gt;.' },
    ],
  });
  await check(read, 'c4-content-elements-rss10.xml', {
    format: 'rdf',
    items: [
      { title: 'xhtml:body under the prefix h', content: '<p>Body in <strong>XHTML</strong>.</p>' },
      { title: 'dc:description only', content: 'Described in Dublin Core.' },
    ],
  });
  await check(read, 'c4-content-elements-atom10.xml', {
    format: 'atom',
    homeUrl: 'https://www.youtube.example/channel/UC123',
    items: [
      {
        title: 'How feeds work',
        link: 'https://www.youtube.example/watch?v=abc123',
        content: '<p>In this video: feeds.</p>\n<p>Links &amp; notes below.</p>',
        published: '2026-11-03T10:00:00.000Z',
        updated: '2026-11-04T11:00:00.000Z',
      },
    ],
  });
  await check(read, 'c4-content-elements-atom03.xml', {
    format: 'atom',
    items: [{ title: 'Only a media:description', content: '<p>Media <b>HTML</b> description.</p>' }],
  });
});

test('5: xml:base on the content element, or on an ancestor nearer than the feed, resolves its relative URLs', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c5-xml-base-rss20.xml', {
    format: 'rss',
    homeUrl: 'https://base.example.com/blog/',
    items: [
      {
        link: 'https://base.example.com/blog/posts/1.html',
        base: 'https://base.example.com/blog/',
        prepared: [
          { selector: 'a', attr: 'href', value: 'https://base.example.com/blog/notes/a.html' },
          { selector: 'img', attr: 'src', value: 'https://base.example.com/blog/img/1.jpg' },
        ],
      },
      {
        link: 'https://example.com/c5/rss20/2',
        base: 'https://cdn.example.org/media/2026/',
        prepared: [
          { selector: 'img', attr: 'src', value: 'https://cdn.example.org/media/2026/pic-2.jpg' },
          { selector: 'a', attr: 'href', value: 'https://cdn.example.org/media/about' },
        ],
      },
    ],
  });
  await check(read, 'c5-xml-base-rss10.xml', {
    format: 'rdf',
    items: [
      { base: 'https://items.example.net/2026/11/', images: ['https://items.example.net/2026/11/one.png'] },
      { base: 'https://base.example.com/rdf/media/', images: ['https://base.example.com/rdf/media/two.png'] },
    ],
  });
  await check(read, 'c5-xml-base-atom10.xml', {
    format: 'atom',
    homeUrl: 'https://base.example.com/',
    items: [
      {
        link: 'https://base.example.com/feed/entries/one.html',
        base: 'https://base.example.com/static/2026/',
        prepared: [
          { selector: 'img', attr: 'src', value: 'https://base.example.com/static/2026/one.jpg' },
          { selector: 'a', attr: 'href', value: 'https://base.example.com/static/2026/page.html' },
        ],
      },
      {
        content: '<p><a href="top.html">top</a></p><p><a href="https://other.example.org/deep/inner.html">inner</a></p>',
        base: 'https://base.example.com/feed/',
        prepared: [
          { selector: 'p:first-child a', attr: 'href', value: 'https://base.example.com/feed/top.html' },
          { selector: 'p:last-child a', attr: 'href', value: 'https://other.example.org/deep/inner.html' },
        ],
      },
    ],
  });
  await check(read, 'c5-xml-base-atom03.xml', {
    format: 'atom',
    items: [
      { content: 'Example <a href="test.html">test</a>', base: 'https://base.example.com/test/', summary: 'blah', prepared: [{ selector: 'a', attr: 'href', value: 'https://base.example.com/test/test.html' }] },
      { base: 'https://base.example.com/parent/', prepared: [{ selector: 'a', attr: 'href', value: 'https://base.example.com/parent/test.html' }] },
    ],
  });
});

test('6: titles are plain text, read by their type: literal "<" kept in text, HTML parsed, only blocks separate words', async (t) => {
  const read = await fixtureReader(t, CASES);
  const titles = async (file: string) => ok(await read(file));
  const rss20 = await titles('c6-titles-rss20.xml');
  assert.equal(rss20.title, 'Titles (RSS 2.0): plain text');
  assert.deepEqual(rss20.items.map((i) => i.title), [
    'History of the <blink> tag',
    'Breaking news',
    'Quoted attribute',
    '強調人工知能',
    'First line second line',
    'AT&T, 1 < 2 & "quotes"',
    'Café au lait',
    'Naked bold title',
  ]);
  assert.deepEqual((await titles('c6-titles-rss10.xml')).items.map((i) => i.title), ['History of the <blink> tag', '日本語の記事', 'Styled title']);
  const atom10 = await titles('c6-titles-atom10.xml');
  assert.equal(atom10.title, 'Titles (Atom 1.0)');
  assert.deepEqual(atom10.items.map((i) => i.title), ['History of the <blink> tag', 'Untyped <b>is</b> text', 'Safe & sound', '強調人工知能', '第一段 第二段']);
  const atom03 = await titles('c6-titles-atom03.xml');
  assert.equal(atom03.title, 'Titles (Atom 0.3)');
  assert.deepEqual(atom03.items.map((i) => i.title), ['Bold move', '1 < 2 && <tag>', '日本語', 'Default <b>text/plain</b>']);
});

test('7: an Atom link without rel is the alternate one; self, edit and other links are never the page', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c7-link-rel-atom10.xml', {
    format: 'atom',
    homeUrl: 'https://example.com/c7/atom10/',
    items: [
      { link: 'https://example.com/c7/atom10/1' },
      { link: 'https://example.com/c7/atom10/2' },
      { link: 'https://example.com/c7/atom10/3' },
    ],
  });
  await check(read, 'c7-link-rel-atom03.xml', { format: 'atom', homeUrl: 'https://example.com/c7/atom03/', items: [{ link: 'https://example.com/c7/atom03/1' }] });
  await check(read, 'c7-link-rel-rss20.xml', { format: 'rss', homeUrl: 'https://example.com/c7/rss20/', items: [{ link: 'https://example.com/c7/rss20/1' }] });
});

test('8: dcterms dates are read; non-text Atom content is linked or left out; a summary beside content is kept', async (t) => {
  const read = await fixtureReader(t, CASES);
  await check(read, 'c8-dates-types-rss20.xml', {
    format: 'rss',
    items: [
      { published: '2026-10-01T06:00:00.000Z', updated: '2026-10-05T09:30:00.000Z', summary: null },
      { published: '2026-09-15T00:00:00.000Z', updated: null },
      { published: '2026-10-03T12:00:00.000Z', content: '<p>The <b>full</b> content.</p>', summary: 'A summary, not the content.' },
    ],
  });
  await check(read, 'c8-dates-types-rss10.xml', {
    format: 'rdf',
    items: [
      { published: '2026-10-01T08:00:00.000Z', updated: '2026-10-02T08:00:00.000Z', content: '<p>Full text.</p>', summary: 'An HTML summary.' },
      { published: '2026-10-01T04:00:00.000Z' },
    ],
  });
  await check(read, 'c8-dates-types-atom10.xml', {
    format: 'atom',
    items: [
      { content: 'A one-pixel image.', summary: null, published: '2026-10-01T08:00:00.000Z', updated: '2026-10-03T08:00:00.000Z' },
      { content: '<p><a href="https://example.com/c8/atom10/report.pdf">https://example.com/c8/atom10/report.pdf</a></p>', published: '2026-10-02T08:00:00.000Z' },
      { content: '<p>The content.</p>', summary: 'The summary.', published: '2026-10-03T08:00:00.000Z', updated: '2026-10-04T08:00:00.000Z' },
      { content: '<p>if (a &lt; b &amp;&amp; c &gt; d) { return; }</p>\n<p>Second paragraph.</p>', published: '2026-10-04T08:00:00.000Z', updated: null },
    ],
  });
  await check(read, 'c8-dates-types-atom03.xml', {
    format: 'atom',
    items: [
      { content: 'A picture.', summary: null, published: '2026-10-01T08:00:00.000Z', updated: '2026-10-02T08:00:00.000Z' },
      { content: '<p>The content.</p>', summary: 'The summary.', published: '2026-09-30T08:00:00.000Z' },
      { content: '<p>Escaped <i>XHTML</i>.</p>', published: '2026-09-29T08:00:00.000Z' },
    ],
  });
});

test('9: the widest srcset or <picture> candidate is the image fetched (the source of our own variants)', async (t) => {
  const read = await fixtureReader(t, CASES);
  const o = read.origin;
  await check(read, 'c9-srcset-rss20.xml', {
    format: 'rss',
    items: [
      { images: [`${o}/img/a-1450.jpg`], prepared: [{ selector: 'img', attr: 'src', value: `${o}/img/a-1450.jpg` }] },
      { images: [`${o}/img/p-1600.jpg`], prepared: [{ selector: 'img', attr: 'alt', value: 'A picture' }] },
      { images: [`${o}/img/b@2x.jpg`] },
    ],
  });
  await check(read, 'c9-srcset-rss10.xml', { format: 'rdf', items: [{ images: ['https://img.example.com/a-1450.jpg'] }] });
  await check(read, 'c9-srcset-atom10.xml', { format: 'atom', items: [{ images: ['https://example.com/img/p-1600.webp'] }] });
  await check(read, 'c9-srcset-atom03.xml', { format: 'atom', items: [{ images: ['https://img.example.com/c-2048.jpg'] }] });
});
