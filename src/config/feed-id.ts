/** Derives a stable slug for a feed that has no `id` in feeds.json. */
import { createHash } from 'node:crypto';

/**
 * "https://www.tmtpost.com/feed" → "tmtpost-com-feed". Stable across builds
 * (it names the feed's state file and pages), so it depends only on the URL;
 * a clash with an earlier feed gets a short hash of the URL appended.
 */
export function deriveFeedId(url: string, taken: ReadonlySet<string>): string {
  let base: string;
  try {
    const u = new URL(url);
    base = u.protocol === 'file:' ? u.pathname.split('/').pop() ?? '' : `${u.hostname.replace(/^www\./, '')}${u.pathname}`;
  } catch {
    base = url;
  }
  const slug =
    base
      .toLowerCase()
      .replace(/\.(xml|rss|atom|json)$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'feed';
  if (!taken.has(slug)) return slug;
  return `${slug}-${createHash('md5').update(url).digest('hex').slice(0, 6)}`;
}
