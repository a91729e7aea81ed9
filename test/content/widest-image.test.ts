/**
 * The image an article shows is fetched at its widest: the widest candidate
 * of a srcset, or of a <picture>'s sources in a format the image stage can
 * read, becomes the <img> src, from which our own variants (and our own
 * srcset) are made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareContent } from '../../src/content/index.ts';

const BASE = 'https://blog.example/2026/11/post.html';
const images = (html: string) => prepareContent(html, BASE).images;

test('width descriptors: the widest candidate, wherever it is in the list, replaces a narrower src', () => {
  assert.deepEqual(images('<img src="/a-480.jpg" srcset="/a-480.jpg 480w, /a-1450.jpg 1450w" alt="a">'), ['https://blog.example/a-1450.jpg']);
  assert.deepEqual(images('<img src="/a-480.jpg" srcset="/a-1450.jpg 1450w, /a-300.jpg 300w, /a-960.jpg 960w">'), ['https://blog.example/a-1450.jpg']);
  // URLs with commas (image CDNs) are single candidates.
  assert.deepEqual(images('<img src="https://cdn.example/w_424,c_limit/x.jpg" srcset="https://cdn.example/w_424,c_limit/x.jpg 424w, https://cdn.example/w_1456,c_limit/x.jpg 1456w">'), ['https://cdn.example/w_1456,c_limit/x.jpg']);
});

test('density descriptors: the highest density above 1x; a 1x-only srcset leaves a real src alone', () => {
  assert.deepEqual(images('<img src="/b.jpg" srcset="/b.jpg 1x, /b@2x.jpg 2x, /b@1.5x.jpg 1.5x">'), ['https://blog.example/b@2x.jpg']);
  assert.deepEqual(images('<img src="/b.jpg" srcset="/other.jpg 1x">'), ['https://blog.example/b.jpg']);
  assert.deepEqual(images('<img src="/spacer.gif" srcset="/only.jpg">'), ['https://blog.example/only.jpg'], 'but it replaces a placeholder');
});

test('<picture>: the widest candidate of its readable sources and its img; a format we cannot decode is skipped; ties go to the img', () => {
  const out = prepareContent(
    '<picture><source type="image/jxl" srcset="/p-4000.jxl 4000w"><source type="image/avif" srcset="/p-1200.avif 1200w"><source srcset="/p-800.jpg 800w, /p-1600.jpg 1600w" media="(min-width: 40em)"><img src="/p-800.jpg" alt="p"></picture>',
    BASE,
  );
  assert.deepEqual(out.images, ['https://blog.example/p-1600.jpg']);
  assert.doesNotMatch(out.html, /<picture|<source/, 'collapsed to its img');
  const tie = images('<picture><source type="image/webp" srcset="/q-1456.webp 1456w"><img src="/q-1456.jpg" srcset="/q-424.jpg 424w, /q-1456.jpg 1456w"></picture>');
  assert.deepEqual(tie, ['https://blog.example/q-1456.jpg']);
});

test('an img without a srcset keeps its src', () => {
  assert.deepEqual(images('<img src="/plain.jpg" width="640">'), ['https://blog.example/plain.jpg']);
});
