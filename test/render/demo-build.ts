/**
 * Builds the demo site (demo/feeds served on 127.0.0.1, as `npm run demo`
 * does) into a temp folder with a given site URL, for the output and
 * browser tests. The clock is fixed so dates on pages are stable.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from '../../scripts/fixture-server.ts';
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

export interface DemoOptions {
  /** The config under demo/ (default feeds.json). */
  config?: string;
  /** Changes to the config before the build (site language, strings, feeds). */
  edit?: (config: DemoConfig) => void;
  /**
   * Another demo build's folder: its archive state and image cache are copied
   * first, as a scheduled build finds them (feeds answer 304, no image is
   * converted again); the site is still rendered whole.
   */
  cacheFrom?: string;
  /** The sample feeds' server to use (the same origin gives the same article ids); else one is started and stopped. */
  feeds?: FixtureServer;
}

export interface DemoConfig {
  $schema?: string;
  site: Record<string, unknown>;
  feeds: Record<string, unknown>[];
}

export async function buildDemoSite(dir: string, siteUrl: string, options: DemoOptions = {}): Promise<DemoSite> {
  const server = options.feeds ?? (await startFixtureServer(path.join(REPO_ROOT, 'demo', 'feeds')));
  try {
    const text = await readFile(path.join(REPO_ROOT, 'demo', options.config ?? 'feeds.json'), 'utf8');
    const config = JSON.parse(text.replaceAll('__ORIGIN__', server.origin)) as DemoConfig;
    delete config.$schema;
    config.site.url = siteUrl;
    options.edit?.(config);
    const configFile = path.join(dir, 'feeds.json');
    await writeFile(configFile, JSON.stringify(config, null, 2));
    const out = path.join(dir, 'site');
    for (const part of options.cacheFrom ? ['state', 'images'] : []) await cp(path.join(options.cacheFrom!, 'cache', part), path.join(dir, 'cache', part), { recursive: true });
    const result = await build({ config: configFile, out, cache: path.join(dir, 'cache'), quiet: true, now: DEMO_NOW, searchPartSize: DEMO_SEARCH_PART_SIZE });
    return { out, siteUrl, result };
  } finally {
    if (!options.feeds) await server.close();
  }
}
