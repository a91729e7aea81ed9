/**
 * Parse tests read fixtures the way a build does: served by a loopback
 * server (scripts/fixture-server.ts: Content-Type by extension, ETag), then
 * the real fetch (charset decoding) and parse stages.
 */
import path from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startFixtureServer } from '../../scripts/fixture-server.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { createFeedFetcher } from '../../src/fetch/index.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { parseFeed, type ParseOptions } from '../../src/parse/index.ts';
import { emptyFeedState } from '../../src/model/archive.ts';
import type { Result } from '../../src/model/errors.ts';
import type { FeedDoc } from '../../src/model/feed.ts';
import { FIXTURES } from '../support/tmp.ts';

export type Reader = (file: string, options?: ParseOptions) => Promise<Result<FeedDoc>>;

export async function fixtureReader(t: Pick<TestContext, 'after'>, dir = path.join(FIXTURES, 'feeds')): Promise<Reader & { origin: string }> {
  const server = await startFixtureServer(dir);
  const client = createHttpClient({ userAgent: 'test' });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const config = resolveConfig({ feeds: [] }, '/tmp/feeds.json');
  const fetcher = createFeedFetcher(client, config.fetch);
  const read = async (file: string, options: ParseOptions = {}) => {
    const feed = resolveConfig({ feeds: [{ id: 'f', url: `${server.origin}/${file}` }] }, '/tmp/feeds.json').feeds[0]!;
    const fetched = await fetcher.fetch(feed, emptyFeedState('f', feed.url).http);
    assert.ok(fetched.kind === 'fetched', `${file}: ${JSON.stringify(fetched)}`);
    return parseFeed(fetched.text, fetched.url, options);
  };
  return Object.assign(read, { origin: server.origin });
}

/** The value of an ok result (fails the test otherwise). */
export function ok<T>(r: Result<T>): T {
  assert.ok(r.ok, `expected success, got ${JSON.stringify(!r.ok && r.error)}`);
  return r.value;
}
