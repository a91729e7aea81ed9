/**
 * The hourly loop never jams: a day and more of simulated hourly runs with
 * every fault a real deployment meets (see soak.ts). `npm run soak` runs
 * longer soaks with other seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../support/tmp.ts';
import { soak } from './soak.ts';

test('25 hourly runs on fresh runners with cancels, kills, evictions, overlaps and outages: every run not killed deploys, nothing deployed is lost, nothing is stuck', async (t) => {
  const root = await tempDir(t);
  const seed = Number(process.env.SOAK_SEED ?? 16);
  const result = await soak({ root, hours: 24, seed, log: (line) => t.diagnostic(line) });
  assert.deepEqual(result.problems, [], `seed ${seed}`);
  const f = result.figures;
  t.diagnostic(
    `reliability: soak of ${f.runs} runs (seed ${seed}): deployed ${f.deployed}, killed ${f.killed}, refused to publish less ${f.refused}, articles lost ${f.lost}, stuck ${f.stuck}; final site ${f.final} of ${f.published} articles published`,
  );
  assert.ok(f.runs >= 24);
  assert.equal(f.final, f.published, 'the final site holds every article published');

  // What a person reading the run pages sees.
  const cancelled = result.runs.filter((r) => r.faults.includes('cancel') && r.killed);
  assert.ok(cancelled.length > 0, 'a run is cancelled while it runs');
  for (const r of cancelled) {
    assert.equal(r.code, 130, `a cancelled run exits 130: ${r.stderr}`);
    assert.match(r.summary, /## Feed digest: stopped by SIGINT/);
  }
  // A run killed holding the lock saved it in the cache: the next runner takes it over.
  const afterKill = result.runs.filter((r) => result.runs.some((k) => k.n === r.n - 1 && k.leftLock && !r.faults.includes('evict')));
  assert.ok(afterKill.length > 0, 'a run follows one killed holding its lock');
  for (const r of afterKill) assert.match(r.stderr, /took over .*build\.lock from a build that is gone \(pid \d+ on runner-\d+, since .*\): no heartbeat for 60 min/);
  const refused = result.runs.find((r) => r.faults.includes('site-down-during-restore'));
  assert.match(refused?.summary ?? '', /## Feed digest: the archive could not be restored/);
});
