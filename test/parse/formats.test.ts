/**
 * Every format the issue lists, one fixture each (test/fixtures/feeds,
 * README there says what a correct reader yields), served over loopback and
 * read through fetch + parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fixtureReader, ok } from './serve.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('RSS 2.0: dates, authors, categories, guid vs link, escaped and CDATA HTML', async (t) => {
  const doc = ok(await (await fixtureReader(t))('rss2-basic.xml'));
  assert.equal(doc.format, 'rss');
  assert.equal(doc.title, 'Example Basic Feed');
  assert.deepEqual(
    doc.items.map((i) => [i.title, i.published]),
    [
      ['Third post', '2026-11-24T09:00:00.000Z'],
      ['Second post', '2026-11-23T17:30:00.000Z'],
      ['First post', '2026-11-22T17:00:00.000Z'],
    ],
  );
  const [third, second] = doc.items;
  assert.equal(third!.author, 'alice@example.com (Alice Example)');
  assert.deepEqual(third!.categories, ['news', 'release']);
  assert.equal(third!.contentHtml, '<p>The <b>third</b> post, with escaped HTML.</p>');
  assert.equal(second!.author, 'Bob Example');
  assert.equal(second!.link, 'https://example.com/posts/2');
  assert.equal(second!.guid, 'example-post-2');
  assert.equal(second!.id, md5('https://example.com/posts/2'), 'the id is the MD5 of the link');
});

test('RSS 0.91 (with a DOCTYPE) and 0.92 (every element optional)', async (t) => {
  const read = await fixtureReader(t);
  const v091 = ok(await read('rss091.xml'));
  assert.equal(v091.title, 'Example 0.91 Channel');
  assert.deepEqual(v091.items.map((i) => i.title), ['Giant robots smash into each other', 'Moon landing footage restored']);
  assert.equal(v091.items[0]!.contentHtml, 'Details of the robot tournament.');
  assert.deepEqual(v091.items.map((i) => i.published), [null, null]);

  const v092 = ok(await read('rss092.xml'));
  assert.equal(v092.title, 'Example 0.92 Channel');
  assert.equal(v092.items.length, 3);
  const [episode, untitled, titleOnly] = v092.items;
  assert.deepEqual(episode!.attachments, [{ url: 'http://example.org/audio/ep12.mp3', mimeType: 'audio/mpeg', sizeBytes: 12216320, title: null }]);
  assert.deepEqual(episode!.categories, ['Podcasts']);
  assert.equal(untitled!.title, '');
  assert.match(untitled!.contentHtml, /description only/);
  assert.match(untitled!.link, /^urn:feed-digest:[0-9a-f]{32}$/, 'no link: a stand-in id');
  assert.equal(titleOnly!.title, 'Just a title');
  assert.notEqual(untitled!.id, titleOnly!.id);
});

test('RSS 1.0 (RDF): items beside the channel, dc:date, dc:creator, content:encoded', async (t) => {
  const doc = ok(await (await fixtureReader(t))('rdf.xml'));
  assert.equal(doc.format, 'rdf');
  assert.equal(doc.title, 'Example RDF Site');
  const [a, b] = doc.items;
  assert.deepEqual([a!.title, a!.published, a!.author], ['RDF item A', '2026-11-20T07:00:00.000Z', 'Carol']);
  assert.equal(a!.contentHtml, '<p>Full <strong>HTML</strong> body of A.</p>');
  assert.deepEqual([b!.title, b!.published], ['RDF item B', '2026-11-18T23:30:00.000Z']);
});

test('Atom 1.0: xml:base, xhtml/html/text content, inherited author, enclosure, icon', async (t) => {
  const doc = ok(await (await fixtureReader(t))('atom10.xml'));
  assert.equal(doc.format, 'atom');
  assert.equal(doc.title, 'Example Atom 1.0');
  assert.equal(doc.iconUrl, 'https://example.com/favicon.ico');
  assert.equal(doc.homeUrl, 'https://example.com/blog/');
  const [xhtml, html, text] = doc.items;

  assert.equal(xhtml!.link, 'https://example.com/blog/posts/xhtml-content');
  assert.equal(xhtml!.published, '2026-11-24T08:00:00.000Z');
  assert.equal(xhtml!.updated, '2026-11-24T10:00:00.000Z');
  assert.equal(xhtml!.author, 'Dana Feedwriter', 'an entry without an author has the feed\'s');
  assert.doesNotMatch(xhtml!.contentHtml, /<div|xmlns/, 'the xhtml wrapper div is removed');
  assert.match(xhtml!.contentHtml, /^\s*<p>Inline <strong>XHTML<\/strong> with a <a href="posts\/other">relative link<\/a>/);
  assert.match(xhtml!.contentHtml, /<img src="images\/pic.png" alt="relative image"\s*\/?>/);
  assert.equal(xhtml!.baseUrl, 'https://example.com/blog/', 'relative URLs in content resolve against xml:base');
  assert.equal(new URL('/contact', xhtml!.baseUrl).href, 'https://example.com/contact');
  assert.deepEqual(xhtml!.attachments, [{ url: 'https://example.com/media/diagram.png', mimeType: 'image/png', sizeBytes: 20480, title: null }]);

  assert.equal(html!.title, 'HTML content with markup in the title');
  assert.equal(html!.link, 'https://cdn.example.org/2026/entry-2.html');
  assert.equal(html!.author, 'Guest Writer');
  assert.equal(new URL('notes/a', html!.baseUrl).href, 'https://cdn.example.org/2026/notes/a');
  assert.match(html!.contentHtml, /<a href="notes\/a">this link<\/a>/);

  assert.equal(text!.title, 'Plain text with a summary only');
  assert.equal(text!.published, '2026-11-22T12:00:00.000Z');
  assert.equal(
    text!.contentHtml,
    'Text summary &lt;not a tag&gt; that must be escaped when rendered, not interpreted.',
    'type="text" is text: its "<" is escaped, not markup',
  );
});

test('Atom 0.3: issued/modified, tagline, escaped, base64 and inline XML content', async (t) => {
  const doc = ok(await (await fixtureReader(t))('atom03.xml'));
  assert.equal(doc.format, 'atom');
  assert.equal(doc.title, 'Example Atom 0.3');
  assert.equal(doc.description, 'Legacy Atom 0.3 (pre-standard) feed');
  assert.equal(doc.homeUrl, 'http://example.org/');
  assert.deepEqual(
    doc.items.map((i) => [i.title, i.contentHtml.trim(), i.published, i.author]),
    [
      ['Escaped HTML content', '<p>Entry one, <b>escaped</b> HTML.</p>', '2005-07-31T12:29:29.000Z', 'Mark Example'],
      ['Base64 content', '<p>Entry two, <i>base64</i> encoded HTML.</p>', '2005-07-30T10:00:00.000Z', 'Mark Example'],
      ['Inline XML content', '<p>Entry three, inline <em>XHTML</em>.</p>', '2005-07-29T10:00:00.000Z', 'Mark Example'],
    ],
  );
});

test('JSON Feed 1.0: singular author (item and feed), id as link, content_text', async (t) => {
  const doc = ok(await (await fixtureReader(t))('jsonfeed10.json'));
  assert.equal(doc.format, 'json');
  assert.equal(doc.title, 'Example JSON Feed 1.0');
  const [html, text] = doc.items;
  assert.deepEqual(
    [html!.title, html!.guid, html!.published, html!.updated, html!.author, html!.thumbnail, html!.categories],
    ['HTML item', '2', '2026-11-24T18:00:00.000Z', '2026-11-24T20:00:00.000Z', 'Erin Example', 'https://example.com/images/2.jpg', ['json', 'test']],
  );
  assert.equal(text!.title, '');
  assert.equal(text!.link, 'https://example.com/posts/1', 'an id that is a URL is the permalink');
  assert.equal(text!.author, 'Guest Author');
  assert.equal(text!.published, '2026-11-20T09:00:00.000Z');
  assert.equal(text!.contentHtml, '<p>A text-only item with no title and no url. The id is a URL and can serve as the link.</p>\n<p>Second paragraph.</p>');
});

test('JSON Feed 1.1: authors, language, attachments, content_html preferred, no date', async (t) => {
  const doc = ok(await (await fixtureReader(t))('jsonfeed11.json'));
  assert.equal(doc.language, 'en-GB');
  const [episode, both, undated] = doc.items;
  assert.equal(episode!.title, 'Episode 3 with an attachment');
  assert.equal(episode!.author, 'Frank Example, Gita Example');
  assert.deepEqual(
    episode!.attachments.map((a) => [a.url, a.mimeType, a.sizeBytes]),
    [
      ['https://example.com/episodes/3.mp3', 'audio/mpeg', 43200000],
      ['https://example.com/episodes/3.m4a', 'audio/x-m4a', 38000000],
    ],
  );
  assert.equal(both!.contentHtml, '<p>HTML version <em>preferred</em>.</p>');
  assert.equal(undated!.published, null);
});

test('Media RSS: pictures, a video group, a podcast enclosure, an image enclosure', async (t) => {
  const doc = ok(await (await fixtureReader(t))('media-rss.xml'));
  const [photo, video, podcast, imageOnly] = doc.items;
  assert.equal(photo!.thumbnail, 'https://cdn.example.com/photos/1-full.jpg');
  assert.deepEqual(photo!.attachments, [], 'an image is a picture, not an attachment');
  assert.equal(video!.thumbnail, 'https://cdn.example.com/video/2-poster.jpg');
  assert.deepEqual(video!.attachments.map((a) => [a.url, a.mimeType]), [['https://cdn.example.com/video/2-1080.mp4', 'video/mp4']], 'the default rendition only');
  assert.deepEqual(podcast!.attachments, [{ url: 'https://cdn.example.com/audio/ep3.mp3', mimeType: 'audio/mpeg', sizeBytes: 28734112, title: null }]);
  assert.equal(podcast!.thumbnail, 'https://cdn.example.com/ep3-square.jpg');
  assert.equal(imageOnly!.thumbnail, 'https://cdn.example.com/photos/4.png');
  assert.equal(imageOnly!.attachments[0]!.sizeBytes, null, 'length="0" means unknown');
});

test('link fallbacks: guid permalink, guid id only, no link at all (stable)', async (t) => {
  const read = await fixtureReader(t);
  const doc = ok(await read('no-link.xml'));
  const [guidOnly, permalink, notPermalink, nothing] = doc.items;
  assert.equal(guidOnly!.link, 'https://example.com/posts/guid-only');
  assert.equal(permalink!.link, 'https://example.com/posts/guid-permalink');
  assert.match(notPermalink!.link, /^urn:feed-digest:/, 'an isPermaLink="false" guid is never a link');
  assert.match(nothing!.link, /^urn:feed-digest:/);
  const again = ok(await read('no-link.xml'));
  assert.deepEqual(again.items.map((i) => i.id), doc.items.map((i) => i.id), 'the same ids on every run');
  assert.equal(new Set(doc.items.map((i) => i.id)).size, 4);
});

test('tracking parameters, fragments, case and default ports do not change an article\'s id', async (t) => {
  const doc = ok(await (await fixtureReader(t))('tracking-links.xml'));
  assert.deepEqual(doc.items.map((i) => i.link), [
    'https://example.com/Posts/Hello-World?id=42',
    'https://example.com/posts/2',
    'https://www.example.cn/item.htm?id=675123456789',
    'https://example.com/posts/4',
    'https://example.com/posts/5?ref=homepage&page=2',
  ]);
  assert.equal(doc.items.length, 5, 'item 6 is item 1 with another utm_source: one article');
  assert.equal(doc.homeUrl, 'https://example.com/');
});

test('an HTML page is "not a feed", with a hint', async (t) => {
  const r = await (await fixtureReader(t))('html-page.html');
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'not-a-feed');
  assert.match(r.error.hint ?? '', /RSS, Atom or JSON feed/);
});
