/**
 * Builds the demo site (demo/feeds served on 127.0.0.1, as `npm run demo`
 * does) into a temp folder with a given site URL, for the output and
 * browser tests. The clock is fixed so dates on pages are stable.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { build, type BuildResult } from '../../src/build.ts';
import { REPO_ROOT } from '../support/tmp.ts';

export const DEMO_NOW = new Date('2026-11-27T09:30:00Z');
/** The demo's search index in parts of this many articles, so tests (and the browser) search across parts. */
export const DEMO_SEARCH_PART_SIZE = 12;

export interface DemoSite {
  out: string;
  siteUrl: string;
  result: BuildResult;
}

/** `site`: settings over the demo's own (e.g. a smaller itemsPerPage). */
export async function buildDemoSite(dir: string, siteUrl: string, site: Record<string, unknown> = {}): Promise<DemoSite> {
  const server = await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds'));
  try {
    const config = JSON.parse((await readFile(path.join(REPO_ROOT, 'demo', 'feeds.json'), 'utf8')).replaceAll('__ORIGIN__', server.origin)) as {
      $schema?: string;
      site: Record<string, unknown>;
    };
    delete config.$schema;
    config.site = { ...config.site, ...site, url: siteUrl };
    const configFile = path.join(dir, 'feeds.json');
    await writeFile(configFile, JSON.stringify(config, null, 2));
    const out = path.join(dir, 'site');
    const result = await build({ config: configFile, out, cache: path.join(dir, 'cache'), quiet: true, now: DEMO_NOW, searchPartSize: DEMO_SEARCH_PART_SIZE });
    return { out, siteUrl, result };
  } finally {
    await server.close();
  }
}
