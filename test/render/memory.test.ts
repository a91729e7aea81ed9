import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import test from 'node:test';
import { collectGarbage } from '../../src/render/memory.ts';

/** A 1 MB string only a WeakRef points at (a WeakRef keeps its target alive until the current job ends). */
async function garbage(): Promise<WeakRef<object>> {
  const ref = new WeakRef({ html: 'x'.repeat(1_000_000) });
  await tick();
  return ref;
}

test('collectGarbage runs a real collection once the heap is large: an object nothing references is gone after it', async () => {
  const ref = await garbage();
  collectGarbage(0);
  assert.equal(ref.deref(), undefined);
  collectGarbage(0);
});

test('collectGarbage leaves a small heap to V8 (the render calls it between runs, where it would only cost time)', async () => {
  assert.ok(process.memoryUsage().heapUsed < 256 * 2 ** 20, 'this test runs with a small heap');
  const ref = await garbage();
  collectGarbage();
  assert.notEqual(ref.deref(), undefined, 'no collection ran');
});
