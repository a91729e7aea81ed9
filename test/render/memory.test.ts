import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import test from 'node:test';
import { collectGarbage } from '../../src/render/memory.ts';

test('collectGarbage runs a real collection: an object nothing references is gone after it', async () => {
  let pages: object | null = { html: 'x'.repeat(1_000_000) };
  const ref = new WeakRef(pages);
  pages = null;
  // A WeakRef keeps its target alive until the current job ends.
  await tick();
  collectGarbage();
  assert.equal(ref.deref(), undefined);
  collectGarbage();
});
