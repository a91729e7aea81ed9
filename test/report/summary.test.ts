/**
 * The terminal summary: its Time line shows the few steps a user cares about
 * (restore, feeds, images, pages), each by its wall-clock time; the full step
 * list stays in the report (api/report.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, type BuildReport } from '../../src/report/index.ts';

function report(steps: Record<string, number>): BuildReport {
  return {
    version: 1,
    startedAt: '2026-11-20T08:00:00.000Z',
    finishedAt: '2026-11-20T08:00:12.345Z',
    durationMs: 12_345,
    steps,
    totals: {
      feeds: { total: 2, fetched: 2, notModified: 0, failed: 0, disabled: 0 },
      articles: { new: 3, updated: 0, total: 3 },
      images: { converted: 0, reused: 0, cached: 0, failed: 0, backoff: 0, pruned: 0, sourceBytes: 0, bytes: 0 },
      pages: 10,
      pagesWritten: 10,
      stateFilesWritten: 2,
    },
    feeds: [],
    images: [],
    warnings: [],
  };
}

const timeLine = (text: string) => text.split('\n').find((l) => l.startsWith('Time:'));

test('the Time line shows restore, feeds, images and pages; not the internal steps', () => {
  const steps = { restore: 1_500, load: 40, fetch: 900, parse: 300, content: 200, archive: 20, ingest: 2_100, imagesWait: 8_000, save: 60, assets: 1, rewrite: 30, render: 2_000, 'render.eleventy': 1_200, 'render.pagefind': 500 };
  assert.equal(timeLine(summarize(report(steps))), 'Time: 12.3 s (restore 1.5 s, feeds 2.1 s, images 8.0 s, pages 2.0 s)');
});

test('steps a build did not run are left out (no restore; a shard renders nothing)', () => {
  assert.equal(timeLine(summarize(report({ load: 10, ingest: 2_100, imagesWait: 300, save: 5 }))), 'Time: 12.3 s (feeds 2.1 s, images 0.3 s)');
  assert.equal(timeLine(summarize(report({}))), 'Time: 12.3 s');
});
