/**
 * The command line (CONTRACT.md). Parses arguments, runs a command, maps
 * outcomes to exit codes: 0 site written (even with failed feeds), 1 no site
 * (or --strict with failures), 2 bad config or arguments.
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT, PACKAGE_VERSION } from './package-root.ts';
import { RestoreError } from './restore/restore-error.ts';
import { parseShardSpec, type ShardSpec } from './shard/index.ts';
import { loadConfig } from './config/index.ts';
import { checkConfig } from './config/check.ts';
import { importOpml } from './opml/index.ts';
import { ConfigError, MismatchError, StoppedError, UsageError } from './model/errors.ts';
import { LockedError, releaseHeldLocksSync } from './io/lock.ts';
import { exitCodeFor, watchStopSignals } from './io/signals.ts';
import { reportNoSiteToCi, type CiReporting } from './deploy/index.ts';
import { serveSite } from './serve/index.ts';

const HELP = `feed-digest: RSS/Atom/JSON feeds in, a static site and a JSON Feed archive out.

Usage:
  feed-digest init [DIR] [--site-url URL] [--language TAG] [--title TEXT]
                   [--opml FILE.opml]
  feed-digest build [--config feeds.json] [--out _site] [--cache .cache]
                    [--concurrency N] [--strict] [--quiet]
                    [--restore-from URL | --no-restore] [--shard i/n]
  feed-digest merge STATE... [--config feeds.json] [--cache .cache]
                    [--allow-unlisted] [--allow-missing]
  feed-digest render [--config feeds.json] [--cache .cache] [--out _site]
                     [--allow-unlisted] [--allow-missing]
  feed-digest assets [--config feeds.json] [--cache .cache] [--out _assets]
  feed-digest check [--config feeds.json]
  feed-digest import-opml FILE.opml [--config feeds.json] [--dry-run]
  feed-digest serve [--out _site] [--config feeds.json] [--port 8080] [--host 127.0.0.1]
  feed-digest help | version

Commands:
  init    Start a site repository in DIR (default: the current folder):
          feeds.json, package.json, the hourly GitHub Pages workflow,
          .gitignore and a README. Never replaces a file that exists (it
          says which it skipped) and asks nothing.
  build   Fetch every feed, merge new articles into the archive in --cache,
          convert images to WebP and write the site to --out.
  check   Validate the config and list every problem at once (errors, then
          warnings such as a feed listed twice or a missing templates folder).
  import-opml
          Add the subscriptions of an OPML export to feeds.json (folders
          become categories; feeds already there and all settings are kept).
  serve   Serve the built site locally, under the path of site.url.
  merge   Combine the partial states of "build --shard" jobs into --cache.
  render  Write the site from the state in --cache, fetching nothing.
  assets  Lay out the sealed jsDelivr image shards as folders, one per tag,
          with manifest.json, for the workflow to push (config "assets").

Options:
  --config FILE      the config file (default: feeds.json)
  --out DIR          the site folder to write (default: _site)
  --cache DIR        state kept between builds (default: .cache)
  --concurrency N    feeds fetched at once (default: fetch.concurrency, 8)
  --strict           exit 1 if any feed failed (the site is still written)
  --quiet            print nothing but errors
  --restore-from URL when --cache holds no state, first read the archive
                     back from this deployed site (default: site.url, unless
                     it is a localhost URL)
  --no-restore       never restore: an empty --cache starts a new archive
  --shard i/n        fetch only shard i of n (feeds split by a hash of their
                     id), save the partial state in --cache, render nothing

  --allow-unlisted   merge, render: leave out the feeds a state holds that
                     the config does not list (without it: exit 2, naming them)
  --allow-missing    merge, render: publish configured feeds that no state
                     holds as empty (without it: exit 2, naming them)

  --port N, --host H where serve listens (default 127.0.0.1:8080)

  --site-url URL     init: site.url, the address the site is served at
                     (default: the GitHub Pages address of DIR's git remote
                     "origin", else a placeholder to replace)
  --language TAG     init: site.language (default: en)
  --title TEXT       init: site.title (default: My Feed Digest)
  --opml FILE        init: list an OPML export's feeds instead of examples

On GitHub Actions, build appends a Markdown report to $GITHUB_STEP_SUMMARY,
prints a ::warning:: annotation for each failing feed, and writes the
outputs site-dir, articles-new, articles-total and feeds-failed to
$GITHUB_OUTPUT.

SIGINT or SIGTERM stop a build cleanly: what was archived is saved, the
cache released; a second signal exits at once.

Exit codes: 0 site written (failed feeds are reported), 1 no site written
(or --strict with failures, or the cache is in use), 2 bad config or
arguments (or merge/render would publish less than their input), 130/143
stopped by SIGINT/SIGTERM.

With npx, put "--" before --help and --version: npx -- feed-digest --help
(or: npx feed-digest help, npx feed-digest version).
`;

/**
 * How long a stopped command may take to wind down before it exits anyway:
 * inside the 7.5 s GitHub Actions waits between SIGINT and SIGTERM.
 */
const STOP_GRACE_MS = 6_000;

/** GitHub Actions, read from the environment here (the stages read none). */
function ciReporting(): CiReporting | null {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  const onActions = process.env.GITHUB_ACTIONS === 'true' || Boolean(summaryFile);
  return onActions ? { summaryFile, outputFile: process.env.GITHUB_OUTPUT, annotate: (line: string) => process.stdout.write(`${line}\n`) } : null;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The commands that hold the cache lock stop cleanly on SIGINT / SIGTERM (see io/signals.ts).
  const stops = command === 'build' || command === 'merge' || command === 'render' ? watchStopSignals({ graceMs: STOP_GRACE_MS, write: (line) => process.stderr.write(`${line}\n`) }) : null;
  try {
    switch (command) {
      case 'init':
        return await runInit(rest);
      case 'build':
        return await runBuild(rest, stops!.signal);
      case 'check':
        return await runCheck(rest);
      case 'import-opml':
        return await runImportOpml(rest);
      case 'serve':
        return await runServe(rest);
      case 'merge':
        return await runMerge(rest);
      case 'render':
        return await runRender(rest, stops!.signal);
      case 'assets':
        return await runAssets(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
      case 'version': {
        process.stdout.write(`${PACKAGE_VERSION}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof MismatchError) {
      process.stderr.write(`feed-digest: ${err.message}\n`);
      if (err instanceof UsageError) process.stderr.write('Run "feed-digest help" for usage.\n');
      return 2;
    }
    if (err instanceof StoppedError) {
      // One line saying where it stopped; then out at once: work the stop cut short may still hold the event loop.
      process.stderr.write(`feed-digest: ${err.message}\n`);
      const ci = ciReporting();
      if (ci) await reportNoSiteToCi(ci, `stopped by ${err.signal}`, err.message).catch(() => {});
      releaseHeldLocksSync();
      process.exit(exitCodeFor(err.signal));
    }
    if (err instanceof LockedError || err instanceof RestoreError) {
      process.stderr.write(`feed-digest: ${err.message}\n`);
      const ci = ciReporting();
      if (ci) await reportNoSiteToCi(ci, err instanceof LockedError ? 'the cache is in use' : 'the archive could not be restored', err.message).catch(() => {});
      return 1;
    }
    process.stderr.write(`feed-digest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    stops?.dispose();
  }
}

/** parseArgs, with its errors turned into usage errors (exit 2). */
function parse<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

// Options several commands share.
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
const CONFIG_OPTION = { config: { type: 'string', default: 'feeds.json' } } as const;
const CACHE_OPTION = { cache: { type: 'string', default: '.cache' } } as const;
const QUIET_OPTION = { quiet: { type: 'boolean', default: false } } as const;
const SHRINK_OPTIONS = { 'allow-unlisted': { type: 'boolean', default: false }, 'allow-missing': { type: 'boolean', default: false } } as const;

function printHelp(): number {
  process.stdout.write(HELP);
  return 0;
}

async function runBuild(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(() =>
    parseArgs({
      args,
      options: {
        ...HELP_OPTION,
        ...CONFIG_OPTION,
        out: { type: 'string', default: '_site' },
        ...CACHE_OPTION,
        concurrency: { type: 'string' },
        strict: { type: 'boolean', default: false },
        ...QUIET_OPTION,
        'restore-from': { type: 'string' },
        restore: { type: 'boolean', default: true },
        shard: { type: 'string' },
      },
      allowNegative: true,
    }),
  );
  if (values.help) return printHelp();
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
      throw new UsageError(`--concurrency expects a whole number from 1 to 256, got "${String(values.concurrency)}"`);
    }
  }
  const from = values['restore-from'];
  if (from !== undefined && !values.restore) throw new UsageError('--restore-from and --no-restore contradict each other');
  if (from !== undefined && !/^https?:\/\//i.test(from)) throw new UsageError(`--restore-from expects the deployed site's http(s) URL, got "${from}"`);
  let shard: ShardSpec | undefined;
  if (values.shard !== undefined) {
    const parsed = parseShardSpec(values.shard);
    if (!parsed.ok) throw new UsageError(parsed.message);
    shard = parsed.value;
  }
  const ci = ciReporting();
  // Tests and simulations only: the build's clock, so hours can pass between simulated runs.
  const testNow = process.env.FEED_DIGEST_TEST_NOW ? new Date(process.env.FEED_DIGEST_TEST_NOW) : null;
  // Loaded on demand: check, serve and import-opml start without Eleventy and sharp.
  const { build } = await import('./build.ts');
  const { report } = await build({
    ...(testNow && !Number.isNaN(testNow.getTime()) ? { now: testNow } : {}),
    config: values.config,
    out: values.out,
    cache: values.cache,
    ...(concurrency ? { concurrency } : {}),
    quiet: values.quiet,
    restoreFrom: from ?? values.restore,
    ...(shard ? { shard } : {}),
    ...(ci ? { ci } : {}),
  }, signal);
  if (!values.quiet) {
    process.stderr.write(shard ? `Partial state of shard ${shard.index}/${shard.count} saved in ${path.resolve(values.cache)}\n` : `Site written to ${path.resolve(values.out)}\n`);
  }
  return values.strict && report.totals.feeds.failed > 0 ? 1 : 0;
}

async function runInit(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...HELP_OPTION,
        'site-url': { type: 'string' },
        language: { type: 'string' },
        title: { type: 'string' },
        opml: { type: 'string' },
      },
    }),
  );
  if (values.help) return printHelp();
  if (positionals.length > 1) throw new UsageError('init expects at most one folder');
  const { initSite } = await import('./init/index.ts');
  const result = await initSite({ dir: positionals[0] ?? '.', siteUrl: values['site-url'], language: values.language, title: values.title, opml: values.opml });
  const out = process.stdout;
  out.write(`${result.dir}:\n`);
  for (const f of result.created) out.write(`  + ${f}${f === 'feeds.json' ? ` (${result.feeds} feed${result.feeds === 1 ? '' : 's'}${values.opml ? ` from ${values.opml}` : ', examples to replace'})` : ''}\n`);
  for (const f of result.skipped) out.write(`  = ${f}: exists, left as it is\n`);
  for (const note of result.notes) out.write(`  ! ${note}\n`);
  if (result.created.length === 0) {
    out.write('Nothing to do: every file exists.\n');
    return 0;
  }
  out.write(
    [
      '',
      'Next:',
      `  1. Edit feeds.json: your feeds, and site.url (${result.siteUrlFrom === 'placeholder' ? 'now a placeholder: set it to your Pages address' : `${result.siteUrl}, from ${result.siteUrlFrom === 'option' ? '--site-url' : 'the git remote'}`}).`,
      '  2. npm install, then npx feed-digest build and npx feed-digest serve to look at it.',
      '  3. Commit, push to GitHub, and in Settings → Pages set Source to "GitHub Actions".',
      '',
    ].join('\n'),
  );
  return 0;
}

async function runCheck(args: string[]): Promise<number> {
  const { values } = parse(() => parseArgs({ args, options: { ...HELP_OPTION, ...CONFIG_OPTION } }));
  if (values.help) return printHelp();
  const result = await checkConfig(values.config);
  const line = (kind: string, p: { path: string; message: string }) => `  ${kind} ${p.path || '(file)'}: ${p.message}\n`;
  if (result.errors.length > 0) {
    process.stderr.write(`${result.file}: ${result.errors.length} error${result.errors.length > 1 ? 's' : ''}${result.warnings.length ? `, ${result.warnings.length} warning${result.warnings.length > 1 ? 's' : ''}` : ''}\n`);
    for (const p of result.errors) process.stderr.write(line('error  ', p));
    for (const p of result.warnings) process.stderr.write(line('warning', p));
    return 2;
  }
  const config = result.config!;
  process.stdout.write(`${result.file}: OK, ${config.feeds.length} feeds (${config.feeds.filter((f) => f.enabled).length} enabled)${result.warnings.length ? `, ${result.warnings.length} warning${result.warnings.length > 1 ? 's' : ''}` : ''}\n`);
  for (const p of result.warnings) process.stdout.write(line('warning', p));
  return 0;
}

async function runImportOpml(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: { ...HELP_OPTION, config: { type: 'string', default: 'feeds.json' }, 'dry-run': { type: 'boolean', default: false } },
    }),
  );
  if (values.help) return printHelp();
  if (positionals.length !== 1) throw new UsageError('import-opml expects one OPML file');
  const result = await importOpml(positionals[0]!, values.config, {
    schemaFile: path.join(PACKAGE_ROOT, 'feeds.schema.json'),
    dryRun: values['dry-run'],
  });
  const out = process.stdout;
  for (const a of result.added) out.write(`  + ${a.id}: ${a.url}${a.category ? ` [${a.category}]` : ''}\n`);
  for (const s of result.skipped) out.write(`  = ${s.url}: ${s.reason}\n`);
  for (const p of result.problems) out.write(`  ! ${p}\n`);
  const verb = values['dry-run'] ? 'would add' : result.written ? (result.created ? 'created with' : 'added') : 'added';
  out.write(`${result.file}: ${verb} ${result.added.length} feed${result.added.length === 1 ? '' : 's'}, skipped ${result.skipped.length}${values['dry-run'] ? ' (dry run: nothing written)' : ''}\n`);
  return 0;
}

async function runServe(args: string[]): Promise<number> {
  const { values } = parse(() =>
    parseArgs({
      args,
      options: {
        ...HELP_OPTION,
        out: { type: 'string', default: '_site' },
        ...CONFIG_OPTION,
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
      },
    }),
  );
  if (values.help) return printHelp();
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects a port number, got "${values.port}"`);
  // The path prefix comes from site.url when the config is there; "/" otherwise.
  let basePath = '/';
  try {
    basePath = (await loadConfig(values.config)).site.basePath;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  const server = await serveSite({ root: values.out, basePath, port, host: values.host });
  process.stderr.write(`Serving ${path.resolve(values.out)} at ${server.url} (Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

async function runMerge(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...HELP_OPTION,
        ...CONFIG_OPTION,
        ...CACHE_OPTION,
        ...QUIET_OPTION,
        ...SHRINK_OPTIONS,
      },
    }),
  );
  if (values.help) return printHelp();
  if (positionals.length === 0) throw new UsageError('merge expects the partial state folders written by "build --shard i/n"');
  const { mergeStateDirs } = await import('./build.ts');
  await mergeStateDirs({
    config: values.config,
    cache: values.cache,
    states: positionals,
    quiet: values.quiet,
    allowUnlisted: values['allow-unlisted'],
    allowMissing: values['allow-missing'],
  });
  return 0;
}

async function runRender(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(() =>
    parseArgs({
      args,
      options: {
        ...HELP_OPTION,
        ...CONFIG_OPTION,
        ...CACHE_OPTION,
        out: { type: 'string', default: '_site' },
        ...QUIET_OPTION,
        ...SHRINK_OPTIONS,
      },
    }),
  );
  if (values.help) return printHelp();
  const { renderState } = await import('./build.ts');
  await renderState({
    config: values.config,
    cache: values.cache,
    out: values.out,
    quiet: values.quiet,
    signal,
    allowUnlisted: values['allow-unlisted'],
    allowMissing: values['allow-missing'],
  });
  return 0;
}

async function runAssets(args: string[]): Promise<number> {
  const { values } = parse(() =>
    parseArgs({
      args,
      options: {
        ...HELP_OPTION,
        ...CONFIG_OPTION,
        ...CACHE_OPTION,
        out: { type: 'string', default: '_assets' },
        ...QUIET_OPTION,
      },
    }),
  );
  if (values.help) return printHelp();
  const { layoutAssets } = await import('./build.ts');
  const result = await layoutAssets({ config: values.config, cache: values.cache, out: values.out });
  if (!values.quiet) {
    for (const s of result.shards) process.stderr.write(`  ${s.ref}: ${s.files} files, ${(s.bytes / 1_000_000).toFixed(1)} MB\n`);
    if (result.missing.length) process.stderr.write(`  ! ${result.missing.length} files listed in the manifest are no longer in the image cache (left out)\n`);
    process.stderr.write(`${result.shards.length} sealed shards laid out in ${path.resolve(values.out)}\n`);
  }
  return 0;
}
