/**
 * One build in its own process, for tests that measure it: runs `build()`
 * with the options given as JSON in argv[2] (short retry delays), then
 * prints one JSON line: wall time and the process's peak resident memory.
 * Exit code 0 when the site was written, 1 when the build threw.
 */
import { build } from '../../src/build.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { config: string; out: string; cache: string; quiet?: boolean; now?: string };
const started = performance.now();
let code = 0;
try {
  await build({
    config: options.config,
    out: options.out,
    cache: options.cache,
    quiet: options.quiet ?? true,
    ...(options.now ? { now: new Date(options.now) } : {}),
    http: { retryBaseMs: 10 },
  });
} catch (err) {
  process.stderr.write(`build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  code = 1;
}
const ms = Math.round(performance.now() - started);
// maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ ms, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
process.exitCode = code;
