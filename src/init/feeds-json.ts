/**
 * The feeds.json of a new site repository, as text: the site's settings, a
 * note on what to edit (`$comment`, since JSON has no comments), and either
 * an OPML export's subscriptions or two example feeds, one feed a line as
 * the sample feeds.json writes them. It goes through the same checks as a
 * build's config, so init never writes a config a build would refuse.
 */
import { appendFeeds } from '../opml/insert.ts';
import { addSubscriptions } from '../opml/index.ts';
import type { readOpml } from '../opml/read.ts';
import { parseJson, resolveConfig } from '../config/index.ts';

export interface FeedsJsonInput {
  /** The config's path, for messages. */
  file: string;
  /** `$schema`: where the installed package's schema will be, relative to the file. */
  schema: string;
  title: string;
  siteUrl: string;
  language: string;
  /** Subscriptions to list instead of the examples. */
  opml?: ReturnType<typeof readOpml>;
}

const EXAMPLES = [
  { id: 'jsonfeed', url: 'https://www.jsonfeed.org/feed.json', title: 'JSON Feed', category: 'example' },
  { id: 'github-blog', url: 'https://github.blog/feed/', title: 'The GitHub Blog', category: 'example' },
];

export interface FeedsJson {
  text: string;
  feeds: number;
  /** OPML entries left out (listed twice) and problems found in the OPML. */
  skipped: { url: string; reason: string }[];
  problems: string[];
}

export function feedsJson(input: FeedsJsonInput): FeedsJson {
  const comment = [
    'The digest: site.url is the address GitHub Pages serves this repository at (https://<user>.github.io/<repo>/).',
    'Each feed needs a url; id (a slug naming its pages), title and category are optional.',
    ...(input.opml ? [] : ['The two feeds below are examples: replace them ("npx feed-digest import-opml FILE.opml" adds a feed reader\'s export).']),
    'Every other key, with its default, is described in the $schema file; "npx feed-digest check" checks this file.',
  ];
  const base = `${JSON.stringify(
    {
      $schema: input.schema,
      $comment: comment,
      site: { title: input.title, url: input.siteUrl, description: '', language: input.language },
      feeds: [],
    },
    null,
    2,
  )}\n`;
  if (input.opml) {
    const { text, result } = addSubscriptions(base, input.file, input.opml);
    return { text, feeds: result.added.length, skipped: result.skipped, problems: result.problems };
  }
  const text = appendFeeds(base, EXAMPLES)!;
  resolveConfig(parseJson(text, input.file), input.file);
  return { text, feeds: EXAMPLES.length, skipped: [], problems: [] };
}
