/**
 * The files of a new site repository, as text: pure, from the templates in
 * scaffold/ (read by init/index.ts) and the user's choices. feeds.json is
 * made in init/feeds-json.ts: it goes through the config's own checks.
 */
export interface ScaffoldInput {
  /** The templates: scaffold/digest.yml, scaffold/README.md, scaffold/gitignore. */
  templates: { workflow: string; readme: string; gitignore: string };
  /** The package.json name (npm's rules: lowercase, no spaces). */
  packageName: string;
  title: string;
  siteUrl: string;
  /** feed-digest's version, pinned in package.json. */
  version: string;
  /** The Action the workflow uses: "owner/name@vX.Y.Z". */
  action: string;
  /** feed-digest's home page, linked from the README. */
  home: string;
}

export interface ScaffoldFile {
  /** Relative to the site folder, with "/" separators. */
  path: string;
  content: string;
}

export function scaffoldFiles(input: ScaffoldInput): ScaffoldFile[] {
  const fill = (template: string, values: Record<string, string>) =>
    template.replace(/__([A-Z_]+)__/g, (whole, key: string) => values[key] ?? whole);
  const packageJson = {
    name: input.packageName,
    private: true,
    description: `${input.title}: a feed digest built by feed-digest`,
    scripts: { build: 'feed-digest build', check: 'feed-digest check', serve: 'feed-digest serve' },
    // Exact: the Action installs this version, and an upgrade is a deliberate change.
    dependencies: { 'feed-digest': input.version },
  };
  return [
    { path: 'package.json', content: `${JSON.stringify(packageJson, null, 2)}\n` },
    { path: '.github/workflows/digest.yml', content: fill(input.templates.workflow, { ACTION: input.action }) },
    { path: '.gitignore', content: input.templates.gitignore },
    { path: 'README.md', content: fill(input.templates.readme, { TITLE: input.title, SITE_URL: input.siteUrl, HOME: input.home }) },
  ];
}

/** A folder name as an npm package name: lowercase, URL-safe, at most 214 characters. */
export function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '')
    .slice(0, 214);
  return name || 'feed-digest-site';
}
