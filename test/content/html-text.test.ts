/**
 * HTML → text with an HTML parser that knows blocks from inline elements
 * (src/text/html-text.ts): used for titles, names and excerpts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToLine, htmlToText, looksLikeHtml, textToLine } from '../../src/text/html-text.ts';

test('only block boundaries and <br> separate words; inline elements add no space', () => {
  assert.equal(htmlToLine('<em>強調</em>人工知能'), '強調人工知能');
  assert.equal(htmlToLine('<ruby>漢<rt>かん</rt></ruby>字の<b>読み</b>'), '漢かん字の読み');
  assert.equal(htmlToLine('un<b>believ</b>able'), 'unbelievable');
  assert.equal(htmlToText('<p>第一段</p><p>第二段</p>'), '第一段\n第二段');
  assert.equal(htmlToLine('<p>第一段</p><p>第二段</p>'), '第一段 第二段');
  assert.equal(htmlToText('one<br>two<br/>three'), 'one\ntwo\nthree');
  assert.equal(htmlToLine('<table><tr><td>a</td><td>b</td></tr></table>'), 'a b');
});

test('script, style and other unrendered contents are dropped; text is decoded once; attributes never leak', () => {
  assert.equal(htmlToLine('<script>document.title = "x > y"</script>Breaking <b>news</b><style>b{}</style>'), 'Breaking news');
  assert.equal(htmlToLine('<a title="x > y" href="/?a=1&amp;b=2">Quoted</a> title'), 'Quoted title');
  assert.equal(htmlToLine('AT&amp;amp;T &lt;b&gt;'), 'AT&amp;T <b>');
});

test('whitespace collapses as in CSS, except in <pre>; a no-break space is kept', () => {
  assert.equal(htmlToLine('  a \n\t b  '), 'a b');
  assert.equal(htmlToText('<pre>line 1\n  line 2</pre>'), 'line 1\n  line 2');
  assert.equal(htmlToLine('x&nbsp;y'), 'x\u00a0y');
  assert.equal(textToLine(' plain <b> text \n kept '), 'plain <b> text kept');
});

test('looksLikeHtml: a closed HTML element or an entity reference, and no unknown tag (feedparser\'s rule)', () => {
  for (const html of ['<b>New</b> release', 'Q&amp;A', 'Caf&eacute;', 'a<br/>b <i>c</i>']) assert.ok(looksLikeHtml(html), html);
  for (const text of ['History of the <blink> tag', 'AT&T', '1 < 2 > 0', '&bogus; entity', 'Use <br> for breaks', 'plain']) assert.ok(!looksLikeHtml(text), text);
});
