/**
 * Restoring an empty --cache from the deployed site before a build, so an
 * evicted CI cache never costs an article.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { Config } from '../model/config.ts';
import { createHttpClient } from '../net/http.ts';
import { saveArchive, stateDir } from '../archive/index.ts';
import { createImageProcessor } from '../images/index.ts';
import { writeFileAtomic } from '../io/atomic-file.ts';
import { formatBytes } from '../format/bytes.ts';
import { manifestFile, parseManifest, SITE_MANIFEST_PATH } from '../assets/index.ts';
import type { HttpTuning } from './ingest-publish.ts';

/** A localhost site.url is a preview, not a deployment: there is nothing to restore from it. */
function defaultRestoreSource(siteUrl: string): string | null {
  const host = new URL(siteUrl).hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host) || host === '0.0.0.0';
  return local ? null : siteUrl;
}

export async function hasState(cacheDir: string): Promise<boolean> {
  return stat(path.join(stateDir(cacheDir), 'status.json')).then(
    () => true,
    () => false,
  );
}

/**
 * A CI cache that was evicted must not cost articles: when --cache holds no
 * state, the deployed site's JSON archive is read back into it (articles,
 * validators, image index, image files, asset manifest). Returns the ms it
 * took, or null when nothing was restored. Throws RestoreError when the
 * site has an archive that cannot be read.
 */
export async function restoreIfEmpty(options: {
  config: Config;
  cacheDir: string;
  now: Date;
  from: string | boolean | undefined;
  log: (line: string) => void;
  http?: HttpTuning;
  /** Aborts every request (the build is being stopped); the restore then fails and saves nothing. */
  stop?: AbortSignal | undefined;
}): Promise<number | null> {
  const { config, cacheDir, log } = options;
  const from = options.from === true ? defaultRestoreSource(config.site.url) : options.from || null;
  if (!from || (await hasState(cacheDir))) return null;
  const started = performance.now();
  // Loaded only for a restore: it brings sharp, which a build's own process otherwise never needs.
  const { downloadFiles, readDeployedSite } = await import('../restore/index.ts');
  const client = createHttpClient({ userAgent: config.fetch.userAgent, ...options.http }, options.stop);
  try {
    const site = await readDeployedSite({
      from,
      feeds: config.feeds,
      client,
      timeoutMs: config.fetch.timeoutMs,
      assetsRepo: config.assets?.repo ?? null,
      now: options.now,
    });
    if (!site) {
      log(`Nothing to restore: ${from} has no api/feeds.json yet; starting a new archive.`);
      return null;
    }
    const images = createImageProcessor(
      { config: config.images, client, dir: path.join(cacheDir, 'images'), allowPrivateNetworks: false, timeoutMs: config.fetch.timeoutMs, now: options.now },
      site.images,
    );
    const got = await downloadFiles(site.files, site.images, { client, timeoutMs: config.fetch.timeoutMs, dest: (p) => images.filePath(p) });
    await images.save();
    if (site.assetManifest && config.assets) {
      parseManifest(site.assetManifest, `${from}${SITE_MANIFEST_PATH}`);
      await writeFileAtomic(manifestFile(cacheDir), site.assetManifest);
    }
    // Cut short, some images may be missing: never mark the cache as holding state then.
    options.stop?.throwIfAborted();
    // The archive last: its status file is what marks the cache as holding state.
    await saveArchive(cacheDir, { feeds: site.feeds, fingerprints: new Map() });
    log(
      `Restored ${site.articles} articles of ${site.feeds.size} feeds (${site.pages} JSON pages) and ${got.files} image files (${formatBytes(got.bytes)}) from ${from}`,
    );
    for (const w of [...site.warnings, ...got.warnings]) log(`  ! ${w}`);
    return performance.now() - started;
  } finally {
    await client.close();
  }
}
