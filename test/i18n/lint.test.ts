/**
 * No word the site writes itself is written in a template or a browser
 * script: every one comes from the catalog (src/i18n). The linter
 * (test/support/ui-lint.ts) parses templates (Nunjucks, then the markup as
 * HTML) and scripts (TypeScript's parser); it is first shown to catch what
 * it must, then run on templates/ and public/*.js.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { STRING_KEYS } from '../../src/i18n/index.ts';
import { lintScript, lintTemplate } from '../support/ui-lint.ts';
import { REPO_ROOT } from '../support/tmp.ts';

test('the linter finds text in markup, attributes, printed literals, front matter and script sinks, and lets catalog text through', () => {
  const template = [
    '---',
    'pageTitle: Not found',
    'titleKey: notFound.pageTitle',
    '---',
    '<p>Hello {{ name }}</p>',
    '<a title="Open it" href="{{ url }}">{{ "nav.latest" | t }}</a>',
    '{% if x %}<span>{{ "health.ok" | t }}</span>{% else %}<span>Failing</span>{% endif %}',
    '<img sizes="{{ sizes or \'(max-width: 40rem) 10rem\' }}" alt="">',
    '<input placeholder="{{ "search.placeholder" | t }}" aria-label="Search">',
    '{{ att.title or "Download" }} {{ ("health.error." + code) | t }}',
    '{% macro m() %}<td data-label="Articles">{{ n }}</td>{% endmacro %}',
    '{% set link %}<a href="/">{{ "notFound.latest" | t }}</a>{% endset %}{{ "notFound.lede" | t({ latest: link | safe, generator: "feed-digest" }) }}',
    '<script src="x.js">var a = "not text";</script>',
  ].join('\n');
  const { findings, keys } = lintTemplate('sample.njk', template);
  assert.deepEqual(
    findings.map((f) => f.text),
    ['Not found', 'Hello {{…}}', 'Open it', 'Failing', 'Search', '{{…}}Download {{…}}', 'Articles'],
  );
  assert.deepEqual(keys.sort(), ['health.error.…', 'health.ok', 'nav.latest', 'notFound.latest', 'notFound.lede', 'notFound.pageTitle', 'search.placeholder']);

  const script = [
    "mark.textContent = 'Read';",
    'mark.textContent = label;',
    "el.setAttribute('aria-label', cond ? 'Search articles' : other);",
    "el.setAttribute('data-x', 'not visible');",
    "root.insertAdjacentHTML('beforebegin', '<p class=\"notice\">The index is missing.</p>');",
    "new PagefindUI({ bundlePath: 'pagefind/', translations: { placeholder: 'Search' } });",
    "notice.textContent = root.dataset.missing || '';",
    "const key = 'feed-digest:read';",
  ].join('\n');
  assert.deepEqual(
    lintScript('sample.js', script).map((f) => `${f.where} ${f.text}`),
    ['sample.js:1 Read', 'sample.js:3 Search articles', 'sample.js:5 The index is missing.', 'sample.js:6 Search'],
  );
});

test('templates/ and public/*.js write no text of their own, and every catalog key they use exists', async () => {
  const templatesDir = path.join(REPO_ROOT, 'templates');
  const files = (await readdir(templatesDir, { recursive: true })).filter((f) => f.endsWith('.njk')).sort();
  const findings: string[] = [];
  const keys = new Set<string>();
  let linted = 0;
  for (const file of files) {
    const source = await readFile(path.join(templatesDir, file), 'utf8');
    // Machine-readable outputs (Atom, OPML, robots.txt) have no layout: their text is element names, URLs and the
    // generator's name; their titles come from the view model, which takes them from the catalog.
    if (!file.startsWith('_includes') && !/^layout: layout\.njk$/m.test(source)) continue;
    linted++;
    const result = lintTemplate(file, source);
    findings.push(...result.findings.map((f) => `${f.where}: ${JSON.stringify(f.text)}`));
    for (const k of result.keys) keys.add(k);
  }
  assert.ok(linted >= 14, `HTML templates linted: ${linted}`);
  for (const file of ['app.js', 'search.js']) {
    findings.push(...lintScript(`public/${file}`, await readFile(path.join(REPO_ROOT, 'public', file), 'utf8')).map((f) => `${f.where}: ${JSON.stringify(f.text)}`));
  }
  assert.deepEqual(findings, []);

  const known = new Set<string>(STRING_KEYS);
  const missing = [...keys].filter((k) => (k.endsWith('…') ? !STRING_KEYS.some((s) => s.startsWith(k.slice(0, -1))) : !known.has(k)));
  assert.deepEqual(missing, []);
  assert.ok(keys.size > 80, `keys used: ${keys.size}`);
});
