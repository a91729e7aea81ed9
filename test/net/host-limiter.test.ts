/**
 * The per-host limiter: at most perHost at once per host, and with a gap,
 * starts on one host at least the gap apart even when the event loop is
 * blocked (timers fire late) — the way page fetches are spaced while pages
 * are being extracted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHostLimiter } from '../../src/net/host-limiter.ts';

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

test('starts on one host are spaced by the gap, other hosts are not held up', async () => {
  const limit = createHostLimiter({ perHost: 2, gapMs: 60 });
  const starts: Record<'a' | 'b', number[]> = { a: [], b: [] };
  let inFlight = 0;
  let most = 0;
  const task = (host: 'a' | 'b', i: number) =>
    limit(`http://${host}.example/${i}`, async () => {
      starts[host].push(Date.now());
      inFlight++;
      most = Math.max(most, inFlight);
      // Some tasks block the event loop (an extraction) while another waits for its turn: its timer fires late.
      await sleep(1);
      if (i % 2 === 0) busyWait(200);
      await sleep(5);
      inFlight--;
    });
  await Promise.all([...Array.from({ length: 6 }, (_, i) => task('a', i)), task('b', 0)]);
  const a = starts.a.sort((x, y) => x - y);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]! - a[i - 1]! >= 60, `starts ${a.map((s) => s - a[0]!).join(', ')}`);
  assert.ok(most <= 2 + 1, 'at most perHost per host (b runs beside a)');
  assert.equal(starts.b.length, 1);
});

test('without a gap, only the per-host concurrency applies', async () => {
  const limit = createHostLimiter({ perHost: 2 });
  let inFlight = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      limit(`http://a.example/${i}`, async () => {
        most = Math.max(most, ++inFlight);
        await sleep(20);
        inFlight--;
      }),
    ),
  );
  assert.equal(most, 2);
});
