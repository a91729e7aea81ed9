export function load(name: 'cli'): Promise<typeof import('../src/cli.ts')>;
export function load(name: 'build'): Promise<typeof import('../src/build.ts')>;
export function load(name: 'images/encode-process'): Promise<unknown>;
