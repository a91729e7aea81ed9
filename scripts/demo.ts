/**
 * npm run demo: builds the demo site from the sample feeds in demo/feeds,
 * served by a local HTTP server this script starts and stops (no internet
 * needed). Writes _site/ and keeps its state in .cache/demo/.
 *
 * npm run demo -- --lang zh-CN: the same feeds as a site in that language,
 * from demo/feeds.<lang>.json when there is one (zh-CN: Chinese title and
 * categories), else demo/feeds.json with site.language set; written to
 * _site-<lang>/ with its state in .cache/demo-<lang>/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFixtureServer } from './fixture-server.ts';
import { main } from '../src/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { lang: { type: 'string' } } });
const lang = values.lang;
const own = lang ? path.join('demo', `feeds.${lang}.json`) : null;
const configSource = own && existsSync(path.join(root, own)) ? own : path.join('demo', 'feeds.json');
const out = lang ? `_site-${lang}` : '_site';
const cache = path.join(root, '.cache', lang ? `demo-${lang}` : 'demo');
// A fixed port keeps the sample articles' links, and so their ids, the same from run to run.
const DEMO_PORT = 47180;
const server = await startFixtureServer(path.join(root, 'demo', 'feeds'), [], DEMO_PORT);
let code = 1;
try {
  const config = JSON.parse((await readFile(path.join(root, configSource), 'utf8')).replaceAll('__ORIGIN__', server.origin)) as { $schema?: string; site: { language?: string } };
  config.$schema = path.join(root, 'feeds.schema.json');
  if (lang) config.site.language = lang;
  const configFile = path.join(cache, 'feeds.json');
  await mkdir(cache, { recursive: true });
  await writeFile(configFile, JSON.stringify(config, null, 2));
  console.error(`Sample feeds served at ${server.origin}/`);
  code = await main(['build', '--config', configFile, '--out', path.join(root, out), '--cache', cache]);
} finally {
  await server.close();
}
if (code === 0) {
  console.error(`
Demo site written to ${out}/. To view it:
  npx feed-digest serve --config ${configSource} --out ${out}
then open http://127.0.0.1:8080/`);
}
process.exitCode = code;
