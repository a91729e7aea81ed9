/**
 * `feed-digest init [DIR]`: starts a site repository in DIR: feeds.json,
 * package.json (pinning this feed-digest), the hourly workflow (using the
 * Action), .gitignore and a short README. It never replaces a file: one that
 * exists is left as it is and reported as skipped, so running it again
 * changes nothing. It asks nothing; its choices come from options (site URL,
 * language, title, an OPML export), else from the folder's GitHub remote
 * (site.url), else defaults. Options are checked and every file is made
 * before the first one is written.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT, PACKAGE_VERSION, PACKAGE_REPOSITORY_URL } from '../package-root.ts';
import { UsageError } from '../model/errors.ts';
import { readOpmlFile } from '../opml/index.ts';
import { createFileExclusive } from '../io/create-file.ts';
import { githubRepo, pagesUrl } from './github.ts';
import { packageName, scaffoldFiles } from './files.ts';
import { feedsJson } from './feeds-json.ts';

export interface InitOptions {
  dir: string;
  opml?: string | undefined;
  siteUrl?: string | undefined;
  language?: string | undefined;
  title?: string | undefined;
}

export interface InitResult {
  dir: string;
  /** Relative paths, in the order written. */
  created: string[];
  /** Files that already existed, left untouched. */
  skipped: string[];
  siteUrl: string;
  /** Where site.url came from: the option, the folder's GitHub remote, or a placeholder to replace. */
  siteUrlFrom: 'option' | 'git remote' | 'placeholder';
  /** Feeds listed in the new feeds.json (from the OPML, or the examples). */
  feeds: number;
  /** What the user should know: what the OPML import left out or found wrong, what a skipped file lacks. */
  notes: string[];
}

const PLACEHOLDER_URL = 'https://USER.github.io/REPO/';

export async function initSite(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.dir);
  const language = checkLanguage(options.language ?? 'en');
  const title = options.title?.trim() || 'My Feed Digest';
  const optionUrl = options.siteUrl === undefined ? null : checkSiteUrl(options.siteUrl);
  const remoteUrl = optionUrl ? null : await remotePagesUrl(dir);
  const siteUrl = optionUrl ?? remoteUrl ?? PLACEHOLDER_URL;
  const siteUrlFrom: InitResult['siteUrlFrom'] = optionUrl ? 'option' : remoteUrl ? 'git remote' : 'placeholder';
  const opml = options.opml === undefined ? undefined : await readOpmlFile(options.opml);

  const configFile = path.join(dir, 'feeds.json');
  const feeds = feedsJson({ file: configFile, schema: './node_modules/feed-digest/feeds.schema.json', title, siteUrl, language, ...(opml ? { opml } : {}) });
  const home = githubRepo(PACKAGE_REPOSITORY_URL);
  if (!home) throw new Error(`feed-digest's package.json: "repository" is not a GitHub repository (${PACKAGE_REPOSITORY_URL})`);
  const read = (name: string) => readFile(path.join(PACKAGE_ROOT, 'scaffold', name), 'utf8');
  const files = [
    { path: 'feeds.json', content: feeds.text },
    ...scaffoldFiles({
      templates: { workflow: await read('digest.yml'), readme: await read('README.md'), gitignore: await read('gitignore') },
      packageName: packageName(path.basename(dir)),
      title,
      siteUrl,
      version: PACKAGE_VERSION,
      action: `${home.owner}/${home.name}@v${PACKAGE_VERSION}`,
      home: `https://github.com/${home.owner}/${home.name}`,
    }),
  ];

  await mkdir(dir, { recursive: true });
  const result: InitResult = {
    dir,
    created: [],
    skipped: [],
    siteUrl,
    siteUrlFrom,
    feeds: feeds.feeds,
    notes: [...feeds.problems, ...feeds.skipped.map((s) => `${s.url}: ${s.reason}`)],
  };
  for (const file of files) {
    const created = await createFileExclusive(path.join(dir, ...file.path.split('/')), file.content);
    (created ? result.created : result.skipped).push(file.path);
  }
  if (result.skipped.includes('feeds.json') && options.opml !== undefined) {
    result.notes.push(`--opml not applied: feeds.json exists (add the feeds to it with: feed-digest import-opml ${options.opml})`);
  }
  if (result.skipped.includes('package.json') && !(await dependsOnFeedDigest(path.join(dir, 'package.json')))) {
    result.notes.push(`package.json exists but does not depend on feed-digest: run "npm install feed-digest@${PACKAGE_VERSION}" (the workflow then installs the version package.json names)`);
  }
  return result;
}

async function dependsOnFeedDigest(file: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { name?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    return manifest.name === 'feed-digest' || Boolean(manifest.dependencies?.['feed-digest'] ?? manifest.devDependencies?.['feed-digest']);
  } catch {
    return false; // unreadable: the note tells what to do
  }
}

function checkLanguage(tag: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag.trim());
    if (canonical) return canonical;
  } catch {
    // reported below
  }
  throw new UsageError(`--language expects a BCP 47 language tag such as "en" or "zh-CN", got "${tag}"`);
}

function checkSiteUrl(raw: string): string {
  let url: URL | null = null;
  try {
    url = new URL(raw.trim());
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new UsageError(`--site-url expects the http(s) address the site will be served at, got "${raw}"`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** The Pages address of the folder's "origin" remote, when it is a GitHub repository. */
async function remotePagesUrl(dir: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', dir, 'remote', 'get-url', 'origin'], { timeout: 5000 });
    const repo = githubRepo(stdout);
    return repo ? pagesUrl(repo) : null;
  } catch {
    return null; // no git, not a repository, no origin, or DIR does not exist yet
  }
}
