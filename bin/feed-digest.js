#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are (no
// build step to forget), sizes libuv's pool for sharp before anything uses
// it, then hands over to src/cli.ts.
import os from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, os.availableParallelism() + 2));
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
