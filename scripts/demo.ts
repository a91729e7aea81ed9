/**
 * npm run demo: builds the demo site from the sample feeds in demo/feeds,
 * served by a local HTTP server this script starts and stops (no internet
 * needed). Writes _site/ and keeps its state in .cache/demo/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureServer } from './fixture-server.ts';
import { main } from '../src/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A fixed port keeps the sample articles' links, and so their ids, the same from run to run.
const DEMO_PORT = 47180;
const server = await startFixtureServer(path.join(root, 'demo', 'feeds'), [], DEMO_PORT);
let code = 1;
try {
  const template = await readFile(path.join(root, 'demo', 'feeds.json'), 'utf8');
  const configFile = path.join(root, '.cache', 'demo', 'feeds.json');
  await mkdir(path.dirname(configFile), { recursive: true });
  await writeFile(configFile, template.replaceAll('__ORIGIN__', server.origin).replace('"../feeds.schema.json"', `"${path.join(root, 'feeds.schema.json')}"`));
  console.error(`Sample feeds served at ${server.origin}/`);
  code = await main(['build', '--config', configFile, '--out', path.join(root, '_site'), '--cache', path.join(root, '.cache', 'demo')]);
} finally {
  await server.close();
}
if (code === 0) {
  console.error(`
Demo site written to _site/. To view it:
  npx feed-digest serve --config demo/feeds.json
then open http://127.0.0.1:8080/`);
}
process.exitCode = code;
