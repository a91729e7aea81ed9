/**
 * On GitHub Actions: `feed-digest build` with $GITHUB_STEP_SUMMARY set
 * appends a Markdown report (feed health table, new articles, image
 * savings) and prints a `::warning::` annotation per failing feed; the site
 * is ready for Pages (.nojekyll, CNAME, links under the project path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { stepSummary, warningAnnotations, type SummaryReport } from '../../src/deploy/index.ts';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';
import { readGithubOutput } from '../support/github-output.ts';

const run = promisify(execFile);

test('a CLI build with GITHUB_STEP_SUMMARY set writes the report table and warns about the failing feed', async (t) => {
  const dir = await tempDir(t);
  const server = await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds'));
  t.after(() => server.close());
  const config = path.join(dir, 'feeds.json');
  await writeFile(
    config,
    JSON.stringify({
      site: { title: 'Digest', url: 'https://user.github.io/repo/', cname: 'news.example.org' },
      fetch: { allowPrivateNetworks: true, retries: 0 },
      feeds: [
        { id: 'science', url: `${server.origin}/science-rdf.xml` },
        { id: 'gone', url: `${server.origin}/gone.xml` },
      ],
    }),
  );
  const summary = path.join(dir, 'step-summary.md');
  // Other steps of the job may have written their own sections: the build appends.
  await writeFile(summary, '# Earlier step\n\n');
  const out = path.join(dir, '_site');
  const outputs = path.join(dir, 'github-output');
  const { stdout } = await run(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'feed-digest.js'), 'build', '--config', config, '--out', out, '--cache', path.join(dir, '.cache'), '--no-restore', '--quiet'],
    { env: { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs } },
  );

  const md = await readFile(summary, 'utf8');
  assert.ok(md.startsWith('# Earlier step\n\n## Feed digest: '), 'appended after what was there');
  assert.match(md, /^\| \| Feed \| Result \| HTTP \| New \| Archived \| Time \| Problem \|$/m, 'the feed health table');
  const rows = md.split('\n').filter((l) => /^\| (✅|❌) \|/.test(l));
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^\| ❌ \| gone \| failed \| 404 \| 0 \| 0 \| \d+ ms \| .*gone\.xml.*404/, 'the failing feed first, with its error');
  const science = /^\| ✅ \| science \| fetched \| 200 \| (\d+) \| (\d+) \|/.exec(rows[1]!);
  assert.ok(science, rows[1]);
  const added = Number(science[1]);
  assert.ok(added > 0);

  // New articles, linked to their pages on the site.
  const all = JSON.parse(await readFile(path.join(out, 'api', 'all.json'), 'utf8')) as { items: { id: string; title: string }[] };
  assert.match(md, new RegExp(`### New articles \\(${added}\\)`));
  for (const item of all.items.slice(0, 3)) assert.ok(md.includes(`](https://user.github.io/repo/articles/${item.id}/) · science`), `${item.title} is listed`);

  // Image savings: the same figures as api/report.json.
  const report = JSON.parse(await readFile(path.join(out, 'api', 'report.json'), 'utf8'));
  const images = md.slice(md.indexOf('### Images'));
  assert.match(images, new RegExp(`^\\| ${report.totals.images.converted} \\| \\d+ \\| ${report.totals.images.failed} \\| `, 'm'));
  assert.ok(report.totals.images.converted > 0);

  // The step's outputs, for the steps after it (the Action passes them on).
  assert.deepEqual(readGithubOutput(await readFile(outputs, 'utf8')), {
    'site-dir': out,
    'articles-new': String(report.totals.articles.new),
    'articles-total': String(report.totals.articles.total),
    'feeds-failed': '1',
  });
  assert.equal(report.totals.articles.new, added);

  // The annotation GitHub shows on the run, on stdout (the runner reads workflow commands there).
  const warnings = stdout.split('\n').filter((l) => l.startsWith('::warning'));
  assert.equal(warnings.length, 1, stdout);
  assert.match(warnings[0]!, /^::warning title=Feed gone failed::.*gone\.xml.*404/);

  // Ready for GitHub Pages: no Jekyll, the custom domain, every link under /repo/.
  assert.equal(await readFile(path.join(out, '.nojekyll'), 'utf8'), '');
  assert.equal(await readFile(path.join(out, 'CNAME'), 'utf8'), 'news.example.org\n');
  const pages = (await readdir(out, { recursive: true })).filter((f) => f.endsWith('.html'));
  for (const f of pages) {
    const html = await readFile(path.join(out, f), 'utf8');
    for (const [, href] of html.matchAll(/\s(?:href|src)="(\/[^"]*)"/g)) assert.ok(href!.startsWith('/repo/'), `${f}: ${href}`);
  }
});

test('the summary escapes what would break a table or a workflow command', () => {
  const report: SummaryReport = {
    durationMs: 1234,
    totals: {
      feeds: { total: 2, fetched: 1, notModified: 0, failed: 1, disabled: 0 },
      articles: { new: 1, updated: 0, total: 3 },
      images: { converted: 2, reused: 0, cached: 1, failed: 0, sourceBytes: 400_000, bytes: 100_000 },
      pages: 12,
    },
    feeds: [
      { id: 'ok', url: 'http://a.example/', outcome: 'fetched', status: 200, ms: 40, new: 1, total: 3, error: null, movedTo: null },
      {
        id: 'bad',
        url: 'http://b.example/feed',
        outcome: 'failed',
        status: null,
        ms: 5,
        new: 0,
        total: 0,
        error: { message: 'parse: a | b\nline 2: 100% broken, really', hint: 'fix: the feed' },
        movedTo: null,
      },
    ],
  };
  const md = stepSummary(report, { siteUrl: 'https://x.example/', newArticles: [{ feedId: 'ok', title: 'A [title] | with\nbreaks', url: 'https://x.example/articles/1/' }] });
  const row = md.split('\n').find((l) => l.includes('| bad |'))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 10, `a pipe in the message does not add a column: ${row}`);
  assert.ok(row.includes('a \\| b line 2: 100% broken, really (fix: the feed)'));
  assert.ok(md.includes('- [A \\[title\\] | with breaks](https://x.example/articles/1/) · ok'));
  assert.ok(md.includes('| 2 | 1 | 0 | 390.6 KB | 97.7 KB | 293.0 KB (75%) |'), md);
  assert.deepEqual(warningAnnotations(report), ['::warning title=Feed bad failed::parse: a | b%0Aline 2: 100%25 broken, really%0Afix: the feed']);
});
