/**
 * The sanitizer's allowlist, payload by payload: what a feed reader needs
 * survives, everything that could run, restyle or phone home does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'cheerio';
import { sanitize, IFRAME_HOSTS, IFRAME_SANDBOX } from '../../src/content/sanitize.ts';
import { parseSrcset, safeSrcset, safeUrl } from '../../src/content/url-policy.ts';
import { IFRAME_HOSTS_FOR_CSP } from '../../src/render/csp.ts';

test('the structure a reader needs survives', () => {
  const html = [
    '<h1>T</h1><h2>a</h2><h3>b</h3><h4>c</h4><h5>d</h5><h6>e</h6>',
    '<p>para <strong>b</strong> <em>i</em> <sup>2</sup> <sub>x</sub> <code>c</code> <mark>m</mark></p>',
    '<ul><li>one</li></ul><ol start="3"><li>three</li></ol><dl><dt>t</dt><dd>d</dd></dl>',
    '<table><caption>cap</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2">v</td></tr></tbody></table>',
    '<figure><img src="https://e.example/a.jpg" alt="A" width="640" height="480"><figcaption>cap</figcaption></figure>',
    '<blockquote cite="https://e.example/src"><p>q</p></blockquote><pre><code>x &lt; y</code></pre>',
    '<picture><source srcset="https://e.example/a.avif" type="image/avif"><img src="https://e.example/a.jpg" alt=""></picture>',
    '<audio src="https://e.example/a.mp3"></audio><video src="https://e.example/v.mp4" poster="https://e.example/p.jpg" controls></video>',
  ].join('');
  const out = sanitize(html);
  const $ = load(out, null, false);
  for (const tag of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'strong', 'em', 'sup', 'sub', 'code', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'figure', 'figcaption', 'img', 'blockquote', 'pre', 'picture', 'source', 'audio', 'video']) {
    assert.ok($(tag).length > 0, `<${tag}> kept`);
  }
  assert.equal($('ol').attr('start'), '3');
  assert.equal($('td').attr('colspan'), '2');
  assert.deepEqual([$('img').first().attr('width'), $('img').first().attr('height'), $('img').first().attr('alt')], ['640', '480', 'A']);
  assert.ok($('audio').is('[controls]'), 'audio always gets controls');
  assert.ok($('video').is('[controls]'));
  assert.equal($('video').attr('poster'), 'https://e.example/p.jpg');
  assert.equal($('source').attr('type'), 'image/avif');
  assert.match(out, /x &lt; y/);
});

test('no script, no style, no handlers, no forms, no ids or classes', () => {
  const out = sanitize(
    '<script>alert(1)</script><style>body{display:none}</style><p style="color:red" class="x" id="y" onclick="alert(1)" onmouseover="x()">t</p>' +
      '<img src="https://e.example/a.jpg" onerror="alert(1)" style="width:1px">' +
      '<form action="https://evil.example"><input name="q"><button>go</button></form>' +
      '<object data="x.swf"></object><embed src="x.swf"><svg><script>alert(1)</script></svg><math><mi>x</mi></math>' +
      '<meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/"><link rel="stylesheet" href="x.css">' +
      '<template><img src=x onerror=alert(1)></template><noscript><p>n</p></noscript>',
  );
  assert.doesNotMatch(out, /script|style|onclick|onmouseover|onerror|class=|id=|<form|<input|<button|<object|<embed|<svg|<math|<meta|<base|<link|<template|alert|refresh/i);
  assert.match(out, /<p>t<\/p>/);
  assert.match(out, /<img src="https:\/\/e\.example\/a\.jpg" \/>/);
});

test('iframes only from the video hosts, always sandboxed and lazy, https only', () => {
  const ok = [
    'https://www.youtube.com/embed/abc',
    'https://youtube.com/embed/abc',
    'https://www.youtube-nocookie.com/embed/abc',
    'https://player.vimeo.com/video/1',
    'https://player.bilibili.com/player.html?bvid=BV1',
  ];
  for (const src of ok) {
    const $ = load(sanitize(`<iframe src="${src}" width="560" height="315" allowfullscreen onload="x()" srcdoc="<script>"></iframe>`), null, false);
    const f = $('iframe');
    assert.equal(f.length, 1, src);
    assert.equal(f.attr('src'), src);
    assert.equal(f.attr('sandbox'), IFRAME_SANDBOX);
    assert.equal(f.attr('loading'), 'lazy');
    assert.equal(f.attr('onload'), undefined);
    assert.equal(f.attr('srcdoc'), undefined);
  }
  // http is upgraded (every allowed player serves https); protocol-relative too.
  assert.match(sanitize('<iframe src="http://player.vimeo.com/video/1"></iframe>'), /src="https:\/\/player\.vimeo\.com\/video\/1"/);
  assert.match(sanitize('<iframe src="//www.youtube.com/embed/x"></iframe>'), /src="https:\/\/www\.youtube\.com\/embed\/x"/);
  for (const src of ['https://evil.example/embed', 'https://youtube.com.evil.example/x', 'https://evil.example/?https://www.youtube.com/', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '/relative']) {
    assert.doesNotMatch(sanitize(`<iframe src="${src}"></iframe>`), /<iframe/, src);
  }
  // The CSP of the rendered pages allows exactly the same players.
  assert.deepEqual(IFRAME_HOSTS.map((h) => `https://${h}`).sort(), [...IFRAME_HOSTS_FOR_CSP].sort());
});

test('links: rel="noopener noreferrer nofollow", tracking parameters stripped, only http(s) and mailto', () => {
  const $ = load(
    sanitize(
      '<a href="https://e.example/p?id=3&utm_source=feed&utm_medium=rss&fbclid=abc#sec" rel="opener" target="_blank">a</a>' +
        '<a href="mailto:me@e.example">m</a><a href="ftp://e.example/f">f</a><a href="tel:123">t</a>',
    ),
    null,
    false,
  );
  const a = $('a');
  assert.equal(a.eq(0).attr('href'), 'https://e.example/p?id=3#sec');
  for (let i = 0; i < a.length; i++) assert.equal(a.eq(i).attr('rel'), 'noopener noreferrer nofollow');
  assert.equal(a.eq(0).attr('target'), undefined);
  assert.equal(a.eq(1).attr('href'), 'mailto:me@e.example');
  assert.equal(a.eq(2).attr('href'), undefined, 'ftp dropped');
  assert.equal(a.eq(3).attr('href'), undefined, 'tel dropped');
});

test('obfuscated javascript: is seen through (entities, tabs, newlines, case, leading junk)', () => {
  const payloads = [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '&#x01;javascript:alert(1)',
    'jav&#x09;ascript:alert(1)',
    'jav&#9;ascript:alert(1)',
    'java&#x0A;script:alert(1)',
    'java&#13;script:alert(1)',
    '&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)',
    '&#0000106&#0000097vascript:alert(1)',
    'javascript&colon;alert(1)',
    'jav\tascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  ];
  for (const p of payloads) {
    const out = sanitize(`<a href="${p}">x</a><img src="${p}"><video src="${p}" poster="${p}"></video><blockquote cite="${p}">q</blockquote>`);
    assert.doesNotMatch(out, /javascript|vbscript|data:text|alert|msgbox/i, p);
  }
  assert.equal(safeUrl('java\nscript:alert(1)', 'link'), null);
  assert.equal(safeUrl('java\u0000script:alert(1)', 'link'), null, 'hidden control characters');
  assert.equal(safeUrl('HTTPS://E.example/a', 'link'), 'https://e.example/a');
});

test('data: URIs only for raster images, only in images', () => {
  const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  assert.match(sanitize(`<img src="${png}">`), /<img src="data:image\/png;base64,/);
  for (const bad of ['data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+', 'data:image/svg+xml,<svg onload=alert(1)>', 'data:text/html,<b>x</b>', 'data:image/png,notbase64<>']) {
    assert.doesNotMatch(sanitize(`<img src="${bad}">`), /<img/, bad);
  }
  assert.doesNotMatch(sanitize(`<a href="${png}">x</a>`), /data:/, 'not in links');
  assert.doesNotMatch(sanitize(`<video src="${png}"></video>`), /data:/, 'not in media');
});

test('srcset is checked candidate by candidate', () => {
  const out = sanitize(
    '<img src="https://e.example/a.jpg" srcset="https://e.example/a-480.jpg 480w, javascript:alert(1) 640w, data:image/svg+xml;base64,PHN2Zz4= 800w, https://e.example/a,960.jpg 960w, https://e.example/b.jpg 2x, https://e.example/c.jpg bogus">',
  );
  const srcset = load(out, null, false)('img').attr('srcset');
  assert.equal(srcset, 'https://e.example/a-480.jpg 480w, https://e.example/a,960.jpg 960w, https://e.example/b.jpg 2x');
  assert.deepEqual(parseSrcset('a.jpg, b.jpg 2x,c.jpg 3x'), [
    { url: 'a.jpg', descriptor: '' },
    { url: 'b.jpg', descriptor: '2x' },
    { url: 'c.jpg', descriptor: '3x' },
  ]);
  assert.equal(safeSrcset('javascript:alert(1) 1x'), null);
  // Only bad candidates: the attribute goes, the image stays.
  assert.match(sanitize('<img src="https://e.example/a.jpg" srcset="javascript:alert(1) 2x">'), /^<img src="https:\/\/e\.example\/a\.jpg" \/>$/);
});

test('width and height only as whole pixels', () => {
  const $ = load(sanitize('<img src="https://e.example/a.jpg" width="100%" height=" 240 "><img src="https://e.example/b.jpg" width="auto" height="99999999">'), null, false);
  assert.deepEqual([$('img').eq(0).attr('width'), $('img').eq(0).attr('height')], [undefined, '240']);
  assert.deepEqual([$('img').eq(1).attr('width'), $('img').eq(1).attr('height')], [undefined, undefined]);
});

test('protocol-relative and unparseable URLs are dropped; relative ones kept for the caller to resolve', () => {
  assert.doesNotMatch(sanitize('<a href="//evil.example/x">x</a>'), /href/);
  assert.doesNotMatch(sanitize('<a href="\\\\evil.example/x">x</a>'), /href/);
  assert.match(sanitize('<a href="/local/page">x</a>'), /href="\/local\/page"/);
  assert.doesNotMatch(sanitize('<a href="https://[bad">x</a>'), /href/);
});
