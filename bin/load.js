// Loads one of feed-digest's entry points (src/cli.ts, src/build.ts, the image
// encoder's and the downloads' (src/images/)).
//
// The installed package has no src/: it runs the JavaScript that `npm run
// build` made in dist/ (npm pack runs it), and needs no TypeScript loader.
// A checkout runs dist/ too while it is current (npm ci and npm install build
// it); once a file in src/ is newer, it runs the sources through tsx, a dev
// dependency, so there is no build to forget while working. The build saves
// ~0.5 s of start-up on every run.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

function newestSource() {
  let newest = 0;
  for (const entry of readdirSync(new URL('src', root), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

/** @param {string} file */
function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** @param {'cli' | 'build' | 'images/encode-process' | 'images/download-thread'} name */
export async function load(name) {
  const built = new URL(`dist/${name}.js`, root);
  const builtAt = mtime(built);
  const hasSources = existsSync(new URL('src', root));
  if (builtAt !== null && (!hasSources || builtAt >= newestSource())) return import(built.href);
  if (!hasSources) {
    throw new Error(`feed-digest is incomplete: ${built.pathname} is missing (reinstall the package)`);
  }
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    throw new Error(`feed-digest: ${builtAt === null ? 'dist/ is not built' : 'src/ is newer than dist/'} and tsx is not installed: run "npm install" (or "npm run build") in ${root.pathname}`);
  }
  register();
  return import(new URL(`src/${name}.ts`, root).href);
}
