/**
 * prepareContent: what publishers really send (lazy-load attributes,
 * noscript fallbacks, picture elements, spacer GIFs, tracking pixels,
 * relative URLs, tracking parameters) → safe HTML with absolute URLs and
 * the list of images to fetch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'cheerio';
import { prepareContent } from '../../src/content/index.ts';

const BASE = 'https://blog.example/2024/05/post.html';
const imgs = (html: string) => load(html, null, false)('img').toArray().map((el) => ({ ...el.attribs }));

test('lazy-load attributes are promoted before sanitizing (they would be dropped)', () => {
  const attrs = ['data-src', 'data-original', 'data-actualsrc', 'data-lazy-src', 'data-orig-file', 'data-url'];
  for (const attr of attrs) {
    const out = prepareContent(`<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" ${attr}="/img/${attr}.jpg" alt="x"></p>`, BASE);
    assert.deepEqual(out.images, [`https://blog.example/img/${attr}.jpg`], attr);
    assert.equal(imgs(out.html)[0]!.src, `https://blog.example/img/${attr}.jpg`, attr);
    assert.deepEqual(Object.keys(imgs(out.html)[0]!), ['src', 'alt'], `${attr}: no data- attribute left`);
  }
  // WeChat style: a placeholder src and the real one in data-src.
  const wx = prepareContent('<img src="https://res.wx.qq.com/mmbizwap/zh_CN/htmledition/images/pic/common/pic_blank.gif" data-src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg">', BASE);
  assert.deepEqual(wx.images, ['https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg']);
  const set = prepareContent('<img data-srcset="/a-480.jpg 480w, /a-960.jpg 960w" data-src="/a.jpg">', BASE);
  assert.equal(imgs(set.html)[0]!.srcset, 'https://blog.example/a-480.jpg 480w, https://blog.example/a-960.jpg 960w');
  // Only a srcset: its largest candidate becomes the src.
  const only = prepareContent('<img data-srcset="/s.jpg 480w, /l.jpg 1200w">', BASE);
  assert.deepEqual(only.images, ['https://blog.example/l.jpg']);
});

test('<noscript><img></noscript> fallbacks replace a placeholder; a real image is not duplicated', () => {
  const fallback = prepareContent('<img src="/spacer.gif" class="lazy"><noscript><img src="/real.jpg" alt="real"></noscript>', BASE);
  assert.deepEqual(fallback.images, ['https://blog.example/real.jpg']);
  assert.equal(imgs(fallback.html).length, 1);
  const both = prepareContent('<img data-src="/real.jpg"><noscript><img src="/real.jpg"></noscript>', BASE);
  assert.deepEqual(both.images, ['https://blog.example/real.jpg']);
  assert.equal(imgs(both.html).length, 1);
  const text = prepareContent('<noscript>Enable JavaScript</noscript><p>body</p>', BASE);
  assert.equal(text.html, '<p>body</p>');
});

test('<picture> collapses to its <img> (we serve our own srcset), taking a source when the img is a placeholder', () => {
  const p = prepareContent('<picture><source data-srcset="/p.webp 800w, /p-big.webp 1600w" type="image/webp"><img src="data:image/gif;base64,R0lGOD" alt="p"></picture>', BASE);
  assert.deepEqual(p.images, ['https://blog.example/p-big.webp']);
  assert.doesNotMatch(p.html, /<picture|<source/);
});

test('placeholders and tracking pixels are dropped; links left empty go with them', () => {
  const out = prepareContent(
    [
      '<p>text</p>',
      '<img src="/spacer.gif">',
      '<img src="/images/blank.gif">',
      '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">',
      '<img src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E">',
      '<img src="https://blog.example/t.gif" width="1" height="1">',
      '<img src="https://feeds.feedburner.com/~r/blog/~4/abc">',
      '<img src="https://pixel.wp.com/g.gif?blog=1">',
      '<img src="https://www.google-analytics.com/collect?v=1">',
      '<a href="https://ads.example/"><img src="https://hm.baidu.com/hm.gif?x"></a>',
      '<img src="/real.jpg" alt="kept">',
    ].join(''),
    BASE,
  );
  assert.deepEqual(out.images, ['https://blog.example/real.jpg']);
  assert.equal(imgs(out.html).length, 1);
  assert.doesNotMatch(out.html, /ads\.example/, 'the link around a tracker is gone');
});

test('every URL is made absolute against the item base; tracking parameters leave links, not images', () => {
  const out = prepareContent(
    '<a href="../other.html?utm_campaign=x&amp;page=2">o</a><a href="#notes">n</a><img src="img/a.jpg?utm_source=x"><video src="/v.mp4" poster="p.jpg"></video><blockquote cite="/src">q</blockquote><a href="javascript:alert(1)">bad</a>',
    BASE,
  );
  const $ = load(out.html, null, false);
  assert.equal($('a').eq(0).attr('href'), 'https://blog.example/2024/other.html?page=2');
  assert.equal($('a').eq(1).attr('href'), '#notes');
  assert.equal($('a').eq(2).attr('href'), undefined);
  assert.equal($('img').attr('src'), 'https://blog.example/2024/05/img/a.jpg?utm_source=x', 'image URLs are identities: untouched');
  assert.equal($('video').attr('src'), 'https://blog.example/v.mp4');
  assert.equal($('video').attr('poster'), 'https://blog.example/2024/05/p.jpg');
  assert.equal($('blockquote').attr('cite'), 'https://blog.example/src');
  assert.deepEqual(out.images, ['https://blog.example/2024/05/img/a.jpg?utm_source=x']);
});

test('images are listed once, in document order, http(s) only, entities decoded', () => {
  const out = prepareContent('<img src="/b.jpg"><img src="/a.jpg?x=1&amp;y=2"><img src="/b.jpg"><img src="data:image/png;base64,' + 'A'.repeat(300) + '">', BASE);
  assert.deepEqual(out.images, ['https://blog.example/b.jpg', 'https://blog.example/a.jpg?x=1&y=2']);
});

test('the excerpt is plain text', () => {
  const out = prepareContent('<p>Hello <b>world</b> &amp; <script>evil()</script>friends</p><figure><img src="/a.jpg"><figcaption>caption</figcaption></figure>', BASE);
  assert.equal(out.excerpt, 'Hello world & friends');
});
