/**
 * A longer soak of the hourly loop than the test suite runs (test/loop/soak.ts):
 *
 *   npm run soak -- [--hours 240] [--seed 1] [--keep DIR]
 *
 * Prints one line per run and the figures; exits 1 when something was lost
 * or a run was stuck.
 */
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { soak } from '../test/loop/soak.ts';

const { values } = parseArgs({ options: { hours: { type: 'string', default: '240' }, seed: { type: 'string', default: '1' }, keep: { type: 'string' } } });
const hours = Number(values.hours);
const seed = Number(values.seed);
const root = values.keep ? path.resolve(values.keep) : await mkdtemp(path.join(os.tmpdir(), 'feed-digest-soak-'));
const started = Date.now();
try {
  const result = await soak({ root, hours, seed, log: (line) => console.log(line) });
  const f = result.figures;
  console.log(
    `\n${f.runs} runs over ${hours} simulated hours (seed ${seed}, ${((Date.now() - started) / 60_000).toFixed(1)} min): ` +
      `deployed ${f.deployed}, killed ${f.killed}, refused to publish less ${f.refused}, articles lost ${f.lost}, stuck ${f.stuck}; ` +
      `final site ${f.final} of ${f.published} articles published`,
  );
  for (const p of result.problems) console.log(`  ✗ ${p}`);
  process.exitCode = result.problems.length > 0 ? 1 : 0;
} finally {
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
