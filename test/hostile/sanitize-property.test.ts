/**
 * Property tests (fast-check) for the sanitizer: random HTML assembled from
 * dangerous fragments (script-bearing tags, event handlers, obfuscated
 * javascript:/vbscript:/data: URLs in every URL attribute, namespace
 * confusion, comments, CDATA and raw-text elements, broken quoting) goes
 * through `sanitize` and through the whole content step (`prepareContent`).
 * The output is parsed the way a browser parses it (parse5, through
 * cheerio) and must contain nothing executable; re-sanitizing must change
 * nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { load } from 'cheerio';
import { prepareContent, sanitize } from '../../src/content/index.ts';

const TAGS = [
  'script', 'img', 'svg', 'math', 'iframe', 'object', 'embed', 'base', 'meta', 'form', 'style', 'link', 'a', 'video', 'audio', 'source', 'track',
  'template', 'noscript', 'xmp', 'textarea', 'title', 'noembed', 'noframes', 'plaintext', 'details', 'input', 'button', 'select', 'option', 'table',
  'td', 'p', 'div', 'span', 'mglyph', 'mtext', 'malignmark', 'foreignObject', 'animate', 'set', 'use', 'image', 'frameset', 'frame', 'applet',
  'isindex', 'marquee', 'body', 'html', 'head', 'picture', 'figure', 'blockquote', 'q', 'del', 'iframe', 'SCRIPT', 'ScRiPt', 'IMG', 'scr\0ipt',
];
const HANDLERS = ['onerror', 'onload', 'onclick', 'onfocus', 'ontoggle', 'onbegin', 'onmouseover', 'onanimationstart', 'OnErRoR', 'ONLOAD', 'onpageshow', 'onstart'];
const URL_ATTRS = ['href', 'src', 'srcset', 'action', 'formaction', 'poster', 'data', 'background', 'xlink:href', 'cite', 'codebase', 'dynsrc', 'lowsrc', 'ping', 'srcdoc', 'style'];
const JS = 'alert(1)';
const URLS = [
  `javascript:${JS}`, `JaVaScRiPt:${JS}`, ` javascript:${JS}`, `\u0001javascript:${JS}`, `java\tscript:${JS}`, `java&#x09;script:${JS}`,
  `java&#10;script:${JS}`, `&#106;avascript:${JS}`, `&#x6A;avascript&colon;${JS}`, `&#0000106;avascript:${JS}`, `javascript&#58;${JS}`,
  `vbscript:msgbox(1)`, `VBScript:msgbox(1)`, 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'data:text/html,<script>alert(1)</script>',
  'DATA:text/html,x', 'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+', 'data:application/x-javascript,alert(1)', 'livescript:x', 'mocha:x',
  'http://ok.example/a.png', 'https://ok.example/a.png 1x, javascript:alert(1) 2x', '//evil.example/x', 'x" onerror="alert(1)', "x' onerror='alert(1)",
  'url(javascript:alert(1))', 'expression(alert(1))', '&lt;script&gt;', 'https://ok.example/', 'data:image/png;base64,iVBORw0KGgo=',
];
const TEXT = ['<', '>', '"', "'", '</', '<!--', '-->', '--!>', ']]>', '<![CDATA[', '&', '&lt;script&gt;alert(1)&lt;/script&gt;', '</p>', '</style>', '</title>', '</textarea>', '</noscript>', '`', '\u0000', 'text', ' '];

const quote = fc.constantFrom('"', "'", '', '`');
const attribute = fc.oneof(
  fc.tuple(fc.constantFrom(...HANDLERS), quote).map(([name, q]) => `${name}=${q}${JS}${q}`),
  fc.tuple(fc.constantFrom(...URL_ATTRS), fc.constantFrom(...URLS), quote).map(([name, value, q]) => `${name}=${q}${value}${q}`),
  fc.constantFrom('http-equiv="refresh" content="0;url=javascript:alert(1)"', 'type="text/html"', 'rel="stylesheet"', 'open', 'autofocus', 'id="x"', 'class="y"', 'xmlns="http://www.w3.org/1999/xhtml"', 'is="x"'),
);
const openTag = fc
  .tuple(fc.constantFrom(...TAGS), fc.array(attribute, { maxLength: 4 }), fc.constantFrom('>', '/>', ' >', ''))
  .map(([tag, attrs, end]) => `<${tag}${attrs.map((a) => ` ${a}`).join('')}${end}`);
const closeTag = fc.constantFrom(...TAGS).map((t) => `</${t}>`);
const fragment = fc.oneof(
  { weight: 4, arbitrary: openTag },
  { weight: 2, arbitrary: closeTag },
  { weight: 2, arbitrary: fc.constantFrom(...TEXT) },
  { weight: 1, arbitrary: fc.constantFrom(...TEXT).map((t) => `<!--${t}-->`) },
);
const html = fc.array(fragment, { minLength: 1, maxLength: 25 }).map((parts) => parts.join(''));

const FORBIDDEN_ELEMENTS = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'form', 'style', 'link', 'svg', 'math', 'template', 'noscript', 'input', 'button', 'select', 'textarea', 'isindex', 'xmp', 'plaintext']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'poster', 'data', 'background', 'xlink:href', 'cite', 'codebase', 'dynsrc', 'lowsrc', 'ping']);

/** What is executable in `out`, parsed as a browser parses HTML inserted into a page. */
function executable(out: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(out)) found.push('"<script" in the output');
  const $ = load(out, null, false);
  $('*').each((_, el) => {
    if (el.type !== 'tag' && el.type !== 'script' && el.type !== 'style') return;
    const tag = el.name.toLowerCase();
    if (FORBIDDEN_ELEMENTS.has(tag)) found.push(`<${tag}>`);
    if (tag === 'iframe' && 'srcdoc' in el.attribs) found.push('<iframe srcdoc>');
    for (const [name, value] of Object.entries(el.attribs)) {
      const n = name.toLowerCase();
      if (n.startsWith('on')) found.push(`${n}= on <${tag}>`);
      if (n === 'style' || n === 'srcdoc' || n === 'formaction' || n === 'action') found.push(`${n}= on <${tag}>`);
      const candidates: string[] = n === 'srcset' ? value.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '') : URL_ATTRIBUTES.has(n) ? [value] : [];
      for (const v of candidates) {
        // Browsers drop ASCII whitespace and control characters from a URL's scheme.
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v.replace(/[\u0000-\u0020]/g, ''))?.[1]?.toLowerCase();
        if (scheme && !['http', 'https', 'mailto'].includes(scheme) && !(scheme === 'data' && tag === 'img' && /^data:image\/(png|gif|jpe?g|webp|avif);/i.test(v))) {
          found.push(`${n}="${v.slice(0, 30)}" on <${tag}>`);
        }
        if (/^\s*\/\//.test(v)) found.push(`protocol-relative ${n} on <${tag}>`);
      }
    }
  });
  return found;
}

const RUNS = 10_000;

test('the scan used by these properties sees executable markup', () => {
  for (const bad of ['<script>x</script>', '<img src=x onerror=alert(1)>', '<a href="jav&#x09;ascript:alert(1)">x</a>', '<iframe srcdoc="x">', '<p style="x:y">', '<img srcset="a 1x, javascript:alert(1) 2x">', '<svg></svg>', '<form action="x"></form>', '<a href="//evil.example/">x</a>']) {
    assert.ok(executable(bad).length > 0, bad);
  }
  assert.deepEqual(executable('<p><a href="https://ok.example/" rel="noopener">x</a><img src="data:image/png;base64,iVBORw0KGgo="></p>'), []);
});

test(`sanitize: nothing executable survives, and sanitizing again changes nothing (${RUNS} random documents)`, (t) => {
  // Counterexamples the property found once, kept so they are checked on every run.
  for (const found of ['<a><table><a><script>']) {
    const out = sanitize(found);
    assert.deepEqual(executable(out), []);
    assert.equal(sanitize(out), out, `not a fixed point: ${JSON.stringify(found)}`);
  }
  fc.assert(
    fc.property(html, (input) => {
      const out = sanitize(input);
      assert.deepEqual(executable(out), [], `input: ${JSON.stringify(input)}\noutput: ${JSON.stringify(out)}`);
      assert.equal(sanitize(out), out, `not a fixed point\ninput: ${JSON.stringify(input)}`);
    }),
    { numRuns: RUNS },
  );
  t.diagnostic(`reliability: sanitizer property runs ${RUNS}, executable outputs 0`);
});

test(`prepareContent (lazy images, absolute URLs, sanitizer): nothing executable survives (${RUNS} random documents)`, (t) => {
  fc.assert(
    fc.property(html, fc.constantFrom('https://blog.example/post/1', 'http://127.0.0.1:9/x'), (input, base) => {
      const out = prepareContent(input, base);
      assert.deepEqual(executable(out.html), [], `input: ${JSON.stringify(input)}\noutput: ${JSON.stringify(out.html)}`);
      assert.equal(sanitize(out.html), out.html, `not a fixed point\ninput: ${JSON.stringify(input)}`);
      for (const src of out.images) assert.match(src, /^https?:\/\//, 'image references are http(s) only');
    }),
    { numRuns: RUNS },
  );
  t.diagnostic(`reliability: content-step property runs ${RUNS}, executable outputs 0`);
});
