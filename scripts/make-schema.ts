/**
 * `npm run schema`: writes feeds.schema.json at the package root from the
 * zod schema in src/config/schema.ts. `--check` only compares, exiting 1
 * when the committed file is stale (test/config/json-schema.test.ts does the
 * same in the suite).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { feedsJsonSchemaText } from '../src/config/json-schema.ts';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'feeds.schema.json');
const text = feedsJsonSchemaText();
if (process.argv.includes('--check')) {
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write(`${file} is out of date: run "npm run schema"\n`);
    process.exitCode = 1;
  }
} else {
  await writeFile(file, text);
  process.stderr.write(`wrote ${file}\n`);
}
