/**
 * `feed-digest init`: the files of a new site repository, valid as written
 * (feeds.json loads, the workflow uses the Action at this version); never a
 * file replaced, so a second run changes nothing; --opml lists the export's
 * feeds; site.url from the option, else the folder's GitHub remote; bad
 * options and bad OPML write nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { initSite } from '../../src/init/index.ts';
import { githubRepo, pagesUrl } from '../../src/init/github.ts';
import { createFileExclusive } from '../../src/io/create-file.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError, UsageError } from '../../src/model/errors.ts';
import { REPO_ROOT, tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const FILES = ['feeds.json', 'package.json', '.github/workflows/digest.yml', '.gitignore', 'README.md'];
const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** Every file under dir, path → content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, file).split(path.sep).join('/')] = await readFile(file, 'utf8');
    }
  }
  return out;
}

test('init writes a site repository whose files are valid as they are', async (t) => {
  const dir = path.join(await tempDir(t), 'my-digest');
  const result = await initSite({ dir, language: 'zh-cn', title: '我的文摘' });
  assert.deepEqual(result.created, FILES);
  assert.deepEqual(result.skipped, []);
  assert.deepEqual(Object.keys(await snapshot(dir)).sort(), [...FILES].sort(), 'nothing else (no temp file left)');

  const config = await loadConfig(path.join(dir, 'feeds.json'));
  assert.equal(config.site.language, 'zh-CN', 'the language tag, canonical');
  assert.equal(config.site.title, '我的文摘');
  assert.equal(config.site.url, 'https://user.github.io/REPO/', 'a placeholder to replace');
  assert.equal(result.siteUrlFrom, 'placeholder');
  assert.equal(config.feeds.length, 2, 'example feeds');
  const json = JSON.parse(await readFile(path.join(dir, 'feeds.json'), 'utf8'));
  assert.equal(json.$schema, './node_modules/feed-digest/feeds.schema.json', 'the installed package\'s schema');
  assert.ok(json.$comment.some((line: string) => line.includes('examples')), 'says the feeds are examples');

  const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'my-digest');
  assert.equal(manifest.private, true);
  assert.deepEqual(manifest.dependencies, { 'feed-digest': pkg.version }, 'pinned to this version');

  const workflow = parse(await readFile(path.join(dir, '.github/workflows/digest.yml'), 'utf8'));
  const steps = workflow.jobs.build.steps as { id?: string; uses?: string; with?: Record<string, string> }[];
  const digest = steps.find((s) => s.id === 'digest')!;
  assert.equal(digest.uses, `feed-digest/feed-digest@v${pkg.version}`, 'the published Action, this version');
  assert.equal(steps.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))?.with?.path, '${{ steps.digest.outputs.site-dir }}');
  assert.ok(workflow.jobs.deploy.steps.some((s: { uses?: string }) => s.uses?.startsWith('actions/deploy-pages@')));
  assert.deepEqual((await readFile(path.join(dir, '.gitignore'), 'utf8')).split('\n').filter(Boolean), ['node_modules/', '_site/', '.cache/']);
  const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
  assert.match(readme, /^# 我的文摘$/m);
  assert.match(readme, /Settings → Pages/);
  assert.doesNotMatch(readme, /__[A-Z_]+__/, 'every placeholder filled');
});

test('init never replaces a file: what exists is skipped, and a second run changes nothing', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'README.md'), '# Mine\n');
  await writeFile(path.join(dir, 'package.json'), '{ "name": "mine" }\n');
  const first = await initSite({ dir });
  assert.deepEqual(first.skipped, ['package.json', 'README.md']);
  assert.deepEqual(first.created, ['feeds.json', '.github/workflows/digest.yml', '.gitignore']);
  assert.equal(await readFile(path.join(dir, 'README.md'), 'utf8'), '# Mine\n');
  assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), '{ "name": "mine" }\n');
  assert.deepEqual(first.notes, [`package.json exists but does not depend on feed-digest: run "npm install feed-digest@${pkg.version}" (the workflow then installs the version package.json names)`]);

  const before = await snapshot(dir);
  const opml = path.join(await tempDir(t), 'subs.opml');
  await writeFile(opml, '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed.xml"/></body></opml>');
  const second = await initSite({ dir, title: 'Another title', siteUrl: 'https://example.org/news', opml });
  assert.deepEqual(second.created, []);
  assert.deepEqual(second.skipped, FILES);
  assert.ok(second.notes.some((n) => n.startsWith('--opml not applied: feeds.json exists')), second.notes.join('\n'));
  assert.deepEqual(await snapshot(dir), before, 'byte for byte the same files');
});

test('a file created at the same moment is never replaced: exactly one writer wins', async (t) => {
  const file = path.join(await tempDir(t), 'x', 'feeds.json');
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((v) => createFileExclusive(file, v)));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(await readFile(file, 'utf8'), ['a', 'b', 'c', 'd'][results.indexOf(true)]);
  assert.deepEqual(await readdir(path.dirname(file)), ['feeds.json'], 'no temp file left');
});

test('--opml lists the export\'s feeds (folders as categories) instead of the examples', async (t) => {
  const dir = await tempDir(t);
  const opml = path.join(dir, 'subs.opml');
  await writeFile(
    opml,
    `<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="Tech"><outline text="Alpha" xmlUrl="https://alpha.example/feed.xml"/><outline text="Alpha again" xmlUrl="http://alpha.example/feed.xml/"/></outline>
      <outline text="Beta" xmlUrl="https://beta.example/rss"/>
    </body></opml>`,
  );
  const site = path.join(dir, 'site');
  const result = await initSite({ dir: site, opml, siteUrl: 'https://me.example/news' });
  assert.equal(result.feeds, 2);
  assert.equal(result.notes.length, 1);
  assert.match(result.notes[0]!, /alpha\.example.*listed twice/);
  const config = await loadConfig(path.join(site, 'feeds.json'));
  assert.deepEqual(
    config.feeds.map((f) => [f.url, f.title, f.category]),
    [
      ['https://alpha.example/feed.xml', 'Alpha', 'Tech'],
      ['https://beta.example/rss', 'Beta', null],
    ],
  );
  assert.equal(config.site.url, 'https://me.example/news/', '--site-url, with its trailing slash');
  const json = JSON.parse(await readFile(path.join(site, 'feeds.json'), 'utf8'));
  assert.ok(!json.$comment.some((line: string) => line.includes('examples')));
});

test('bad options and an unreadable OPML are refused before anything is written', async (t) => {
  const dir = path.join(await tempDir(t), 'site');
  await assert.rejects(initSite({ dir, language: 'not a tag' }), (err: Error) => err instanceof UsageError && /--language/.test(err.message));
  await assert.rejects(initSite({ dir, siteUrl: 'ftp://example.org/' }), (err: Error) => err instanceof UsageError && /--site-url/.test(err.message));
  await assert.rejects(initSite({ dir, opml: path.join(dir, '..', 'missing.opml') }), (err: Error) => err instanceof ConfigError && /missing\.opml/.test(err.message));
  await writeFile(path.join(dir, '..', 'page.opml'), '<html><body>not OPML</body></html>');
  await assert.rejects(initSite({ dir, opml: path.join(dir, '..', 'page.opml') }), /not an OPML file/);
  await assert.rejects(readdir(dir), { code: 'ENOENT' }, 'the folder was not even created');
});

test('site.url is the GitHub Pages address of the folder\'s git remote when no --site-url is given', async (t) => {
  const dir = await tempDir(t);
  await run('git', ['init', '-q', dir]);
  await run('git', ['-C', dir, 'remote', 'add', 'origin', 'git@github.com:Alice/news.git']);
  const result = await initSite({ dir });
  assert.equal(result.siteUrlFrom, 'git remote');
  assert.equal((await loadConfig(path.join(dir, 'feeds.json'))).site.url, 'https://alice.github.io/news/');

  const other = path.join(dir, 'nested');
  await mkdir(other);
  assert.equal((await initSite({ dir: other, siteUrl: 'https://news.example.org/' })).siteUrl, 'https://news.example.org/', 'the option wins');
});

test('GitHub remotes in git\'s spellings, and their Pages addresses', () => {
  for (const remote of ['git@github.com:Alice/news.git', 'https://github.com/Alice/news', 'https://github.com/Alice/news.git\n', 'ssh://git@github.com/Alice/news.git', 'git+https://github.com/Alice/news.git', 'git://github.com/Alice/news.git']) {
    assert.deepEqual(githubRepo(remote), { owner: 'Alice', name: 'news' }, remote);
  }
  for (const remote of ['git@gitlab.com:Alice/news.git', 'https://github.com/Alice', 'https://github.com/Alice/news/tree/main', '/srv/git/news.git', 'news']) {
    assert.equal(githubRepo(remote), null, remote);
  }
  assert.equal(pagesUrl({ owner: 'Alice', name: 'news' }), 'https://alice.github.io/news/');
  assert.equal(pagesUrl({ owner: 'Alice', name: 'alice.github.io' }), 'https://alice.github.io/', 'a user site lives at the root');
});
