/**
 * Deployed image records → the image index: each `_digest.assets` entry
 * (and each feed's `icon_asset`) says which optimized files a source URL
 * became. The files keep their names (the content hash and the width), so
 * the index built here points at the same paths the site serves; the files
 * themselves are downloaded by the caller. Pure.
 */
import { createHash } from 'node:crypto';
import type { ImageAsset, ImageIndex, ImageVariant } from '../model/image.ts';
import type { DeployedAsset } from './articles.ts';

export interface RestoreFile {
  /** Path below the site root ("img/ab/…webp"): where it goes in the image cache. */
  path: string;
  /** Where to download it from. */
  url: string;
  bytes: number;
}

export interface ImageCollector {
  /** Records one deployed image; returns its variant URLs (for mapping HTML back to sources). */
  add(sourceUrl: string, deployed: DeployedAsset, kind: 'content' | 'icon'): string[];
  index: ImageIndex;
  /** Every variant file, once. */
  files(): RestoreFile[];
}

/**
 * `locate(url)` turns a published variant URL into its site path and the URL
 * to download it from (null: not a URL this restore trusts).
 */
export function collectImages(locate: (url: string) => { path: string; url: string } | null, nowIso: string): ImageCollector {
  const index: ImageIndex = { sources: {}, assets: {} };
  const files = new Map<string, RestoreFile>();
  return {
    index,
    files: () => [...files.values()],
    add(sourceUrl, deployed, kind) {
      const variants: ImageVariant[] = [];
      const urls: string[] = [];
      for (const v of Array.isArray(deployed.variants) ? deployed.variants : []) {
        const where = typeof v?.url === 'string' ? locate(v.url) : null;
        const width = Number(v?.width);
        const height = Number(v?.height);
        const bytes = Number(v?.bytes);
        if (!where || !(width > 0) || !(height > 0) || !(bytes >= 0)) return [];
        variants.push({ width, height, path: where.path, bytes });
        urls.push(v.url as string);
        files.set(where.path, { path: where.path, url: where.url, bytes });
      }
      if (variants.length === 0) return [];
      variants.sort((a, b) => a.width - b.width);
      const full = variants[variants.length - 1]!;
      const hash = hashOf(full.path);
      const asset: ImageAsset = {
        hash,
        width: full.width,
        height: full.height,
        // Not published: only reports show it.
        sourceFormat: 'unknown',
        animated: false,
        sourceBytes: typeof deployed.source_bytes === 'number' ? deployed.source_bytes : 0,
        variants,
        convertMs: 0,
      };
      index.assets[hash] ??= asset;
      // The image index keys an icon apart from the same URL in an article (images/index.ts sourceKey).
      const key = kind === 'icon' ? `icon ${sourceUrl}` : sourceUrl;
      index.sources[key] = {
        url: sourceUrl,
        status: 'ok',
        hash,
        attempts: [],
        referer: null,
        failure: null,
        failures: 0,
        retryAfter: null,
        lastTried: nowIso,
      };
      return urls;
    },
  };
}

/** The asset hash is the file name's stem ("<hash>-<width>.webp"); anything else gets a stable stand-in. */
function hashOf(variantPath: string): string {
  const m = /([0-9a-f]{16,64})-\d+\.webp$/.exec(variantPath);
  return m ? m[1]! : createHash('sha256').update(variantPath).digest('hex').slice(0, 24);
}
