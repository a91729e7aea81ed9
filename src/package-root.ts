/** Where feed-digest's own files live (templates/, public/, package.json), wherever it is run from, and what its package.json says. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };

/** feed-digest's version: pages rendered by another version are rendered again. */
export const PACKAGE_VERSION = manifest.version;

/** Where feed-digest's source lives (package.json "repository"): the GitHub Action's address. */
export const PACKAGE_REPOSITORY_URL = manifest.repository.url;
