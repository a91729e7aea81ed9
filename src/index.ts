/**
 * The programmatic API (the package's `exports`): for scripts that build a
 * digest without the command line. `build` does what `feed-digest build`
 * does and returns its report instead of printing it; `loadConfig` reads and
 * validates a feeds.json as a build would (a bad one throws `ConfigError`,
 * whose message names the file, the JSON path and what is wrong).
 *
 * Only what is exported here is public; everything else under src/ may change
 * in any release.
 */
import { build as runBuild, type BuildOptions as InternalBuildOptions, type BuildResult } from './build.ts';
import { PACKAGE_VERSION } from './package-root.ts';

export { loadConfig } from './config/index.ts';
export { ConfigError } from './model/errors.ts';
export type { Config, FeedConfig, SiteConfig } from './model/config.ts';
export type { BuildReport, FeedReport, ImageFigures } from './report/index.ts';
export type { BuildResult } from './build.ts';

/** Options of `build`: the command line's, without its test hooks. */
export type BuildOptions = Pick<InternalBuildOptions, 'config' | 'out' | 'cache' | 'concurrency' | 'quiet' | 'now' | 'log' | 'restoreFrom' | 'shard'>;

/** This package's version. */
export const version: string = PACKAGE_VERSION;

/**
 * Fetches every feed of `options.config`, merges new articles into the
 * archive in `options.cache` and writes the site to `options.out`.
 * Resolves when the site is written, even if some feeds failed (they are in
 * `report.feeds` and `report.totals.feeds.failed`); rejects when no site
 * could be written. By default nothing is restored from a deployed site
 * (the command line passes `restoreFrom: true`).
 */
export function build(options: BuildOptions): Promise<BuildResult> {
  return runBuild(options);
}
