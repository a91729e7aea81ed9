/** Where feed-digest's own files live (templates/, public/, package.json), wherever it is run from. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
