#!/usr/bin/env node
// Entry point: sizes libuv's pool for sharp before anything uses it (the image
// encoder's process inherits it), then hands over to the CLI (built JavaScript
// when current, else the sources: load.js).
import os from 'node:os';
import { load } from './load.js';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, os.availableParallelism() + 2));
const { main } = await load('cli');
process.exitCode = await main(process.argv.slice(2));
