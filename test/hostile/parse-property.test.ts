/**
 * Property test (fast-check): any document assembled from feed fragments
 * (RSS, Atom, RDF, JSON Feed pieces, broken entities, DOCTYPEs, CDATA, bad
 * dates, lone surrogates, NUL) is either parsed or refused with a reason:
 * `parseFeed` never throws, and the content step never throws on what it
 * returns. A throw would fail the feed as an internal error (build.ts), so
 * this keeps that path for bugs only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFeed } from '../../src/parse/index.ts';
import { prepareContent } from '../../src/content/index.ts';

const FRAGMENTS = [
  '<?xml version="1.0"?>', '<?xml version="1.0" encoding="gbk"?>', '<rss version="2.0">', '</rss>', '<channel>', '</channel>', '<item>', '</item>',
  '<title>', '</title>', '<link>', '</link>', 'http://a.example/x', 'javascript:alert(1)', '<description>', '</description>', '<![CDATA[', ']]>',
  '<feed xmlns="http://www.w3.org/2005/Atom">', '</feed>', '<entry>', '</entry>', '<content type="xhtml">', '<content type="html">', '</content>',
  '<div xmlns="http://www.w3.org/1999/xhtml">', '</div>', '<link href="http://a.example/y"/>', '<link rel="enclosure" href="x"/>',
  '<enclosure url="http://a.example/a.mp3" length="-1"/>', '<enclosure/>', '<pubDate>', '</pubDate>', 'Tue, 99 Foo 2024', '2024-13-45T99:99:99Z',
  '<updated>', '</updated>', '<published>', '</published>', '&', '&amp;', '&nbsp;', '&#0;', '&#x110000;', '&#xD800;', '<!DOCTYPE x [<!ENTITY a "]>">]>',
  '&a;', '<guid isPermaLink="true">', '</guid>', '<media:content url="x" medium="image"/>', '<media:group>', '</media:group>', '<category>',
  '</category>', '<category term=""/>', '<author>', '</author>', '<name>', '</name>', '<dc:creator>', '</dc:creator>', '\u0000', '\uFFFF', '\uD800',
  'x', ' ', '<', '>', '"', '{', '}', '[', ']', '"version":"https://jsonfeed.org/version/1.1"', '"items":', '"title":', '"url":', '"content_html":',
  ':', ',', 'null', '1e999', '"attachments":', '"authors":', '"date_published":', '"tags":', '<img src="', '" onerror="x">',
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', '</rdf:RDF>', 'xml:base="javascript:x"', '<image><url>', '</url></image>',
  '<icon>', '</icon>', '<x>'.repeat(50), '</x>'.repeat(50),
];
const RUNS = Number(process.env.FEED_DIGEST_RUNS ?? 5000);

/** A few fragments: what goes into one field. */
const filler = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 6 }).map((parts) => parts.join(''));
const jsonValue = fc.oneof(filler, fc.constantFrom(null, 0, -1, 1e308, true, [], {}, ['x'], { url: 'javascript:x' }));
const fields = fc.record({ title: filler, link: filler, date: filler, body: filler, author: filler, category: filler, enclosure: filler });

/** A feed skeleton (RSS, Atom, RDF or JSON Feed) with random, often hostile, field contents; or plain fragment soup. */
const doc = fc.oneof(
  fc.tuple(fc.constantFrom('rss', 'atom', 'rdf'), filler, fc.array(fields, { maxLength: 4 })).map(([format, title, items]) => {
    if (format === 'atom') {
      return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title>` +
        items.map((i) => `<entry><title>${i.title}</title><link href="${i.link}"/><id>${i.link}</id><updated>${i.date}</updated><author><name>${i.author}</name></author><category term="${i.category}"/><link rel="enclosure" href="${i.enclosure}"/><content type="html">${i.body}</content></entry>`).join('') + '</feed>';
    }
    const body = items.map((i) => `<item${format === 'rdf' ? ` rdf:about="${i.link}"` : ''}><title>${i.title}</title><link>${i.link}</link><pubDate>${i.date}</pubDate><dc:creator>${i.author}</dc:creator><category>${i.category}</category><enclosure url="${i.enclosure}"/><description>${i.body}</description></item>`).join('');
    return format === 'rdf'
      ? `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>${title}</title></channel>${body}</rdf:RDF>`
      : `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>${title}</title>${body}</channel></rss>`;
  }),
  fc.tuple(jsonValue, fc.array(fc.record({ id: jsonValue, url: jsonValue, title: jsonValue, content_html: jsonValue, date_published: jsonValue, authors: jsonValue, tags: jsonValue, attachments: jsonValue }), { maxLength: 4 }))
    .map(([title, items]) => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title, items })),
  fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 })).map(([json, parts]) => (json ? '{' : '') + parts.join('')),
);

test(`parseFeed never throws, and the content step never throws on what it returns (${RUNS} random documents)`, async (t) => {
  let parsed = 0;
  await fc.assert(
    fc.asyncProperty(doc, async (text) => {
      const result = await parseFeed(text, 'http://feed.example/feed.xml');
      if (!result.ok) {
        assert.ok(result.error.message.length > 0 && ['parse', 'not-a-feed'].includes(result.error.code), JSON.stringify(result.error));
        return;
      }
      parsed++;
      for (const item of result.value.items) {
        assert.match(item.id, /^[0-9a-f]{32}$/);
        prepareContent(item.contentHtml, item.baseUrl);
      }
    }),
    { numRuns: RUNS },
  );
  t.diagnostic(`reliability: parser property runs ${RUNS} (${parsed} parsed, the rest refused with a reason), throws 0`);
});
