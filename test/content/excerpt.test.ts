/** Excerpts: plain text, cut by display width (CJK counts double), at a sentence or word boundary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excerpt, htmlToText } from '../../src/content/index.ts';

const width = (s: string) => [...s].reduce((n, c) => n + (/[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFF00-\uFF60]/u.test(c) ? 2 : 1), 0);

test('short text is returned whole', () => {
  assert.equal(excerpt('A short note.'), 'A short note.');
  assert.equal(excerpt('  spaced \n\n out  '), 'spaced out');
});

test('Latin text is cut at a word boundary within the width', () => {
  const text = 'lorem ipsum dolor sit amet '.repeat(30);
  const out = excerpt(text, 100);
  assert.ok(out.endsWith('…'));
  assert.ok(width(out) <= 101, `${width(out)}`);
  assert.ok(width(out) > 60);
  assert.match(out, /[a-z]…$/, 'no word cut in half, no trailing space');
  assert.ok(text.startsWith(out.slice(0, -1)));
});

test('CJK counts double: the same width holds half as many characters', () => {
  const zh = '国产大模型厂商密集发布推理模型价格战进入毫秒级竞争'.repeat(10);
  const out = excerpt(zh, 100);
  assert.equal([...out.slice(0, -1)].length, 50);
  assert.ok(width(out.slice(0, -1)) <= 100);
  const ja = 'これは日本語の文章です'.repeat(20);
  assert.equal([...excerpt(ja, 40).slice(0, -1)].length, 20);
  const ko = '한국어 문장입니다 '.repeat(30);
  assert.ok(width(excerpt(ko, 60)) <= 61);
});

test('a sentence end late enough is preferred', () => {
  const text = `${'字'.repeat(40)}。${'后'.repeat(100)}`;
  assert.equal(excerpt(text, 100), `${'字'.repeat(40)}。…`);
});

test('HTML to text: tags gone, entities decoded, scripts and captions skipped, blocks separated', () => {
  assert.equal(htmlToText('<p>a &amp; b</p><p>c&nbsp;d</p><script>x()</script><figure><figcaption>cap</figcaption></figure><ul><li>e</li></ul>'), 'a & b\nc d\ne');
});
