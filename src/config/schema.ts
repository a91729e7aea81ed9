/**
 * The feeds.json schema: the one place where every option, its default and
 * its one-line description live. `config/index.ts` validates with it;
 * `npm run schema` (scripts/make-schema.ts) turns it into feeds.schema.json,
 * the JSON Schema editors use for autocomplete, so the descriptions here are
 * what users read while typing.
 */
import { z } from 'zod';
import { isLanguageTag, STRING_KEYS, type StringKey } from '../i18n/index.ts';

const httpUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an absolute http(s) URL');

/** A feed URL may also be a file: URL or a path (resolved against feeds.json). */
const feedUrl = z.string().trim().min(1, 'expected a URL or a file path');

export const FEED_ID = /^[a-z0-9][a-z0-9-]*$/;

const proxyUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      return ['http:', 'https:', 'socks:', 'socks5:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'expected a proxy URL such as "http://proxy.example:3128" or "socks5://127.0.0.1:1080"');

/** A pattern must compile, so a typo is reported by `check`, not at build time. */
const pattern = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    try {
      new RegExp(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
    }
  });

export const FILTER_FIELDS = ['title', 'content', 'author', 'category'] as const;

const filterRule = z.union([
  pattern.meta({ description: 'A regular expression, matched case-insensitively against title, content, author and categories.' }),
  z
    .strictObject({
      pattern: pattern.meta({ description: 'A regular expression (JavaScript syntax).' }),
      fields: z
        .array(z.enum(FILTER_FIELDS))
        .min(1)
        .default([...FILTER_FIELDS])
        .meta({ description: 'What the pattern is matched against (default: all of title, content, author, category).' }),
      caseSensitive: z.boolean().default(false).meta({ description: 'Match letter case exactly (default false).' }),
    })
    .meta({ description: 'A regular expression limited to some fields.' }),
]);

const filters = z
  .strictObject({
    include: z
      .array(filterRule)
      .default([])
      .meta({ description: 'Keep only items matching at least one of these (no rules: keep everything).' }),
    exclude: z.array(filterRule).default([]).meta({ description: 'Drop items matching any of these.' }),
  })
  .prefault({});

/** A text with {placeholders}, or plural forms (Intl.PluralRules categories, "other" required). */
const message = z.union(
  [
    z.string(),
    z.strictObject({
      zero: z.string().optional(),
      one: z.string().optional(),
      two: z.string().optional(),
      few: z.string().optional(),
      many: z.string().optional(),
      other: z.string(),
    }),
  ],
  { error: 'expected a text, or plural forms such as {"one": "{count} article", "other": "{count} articles"}' },
);

/**
 * Catalog key → text: the keys are the English catalog's, so editors complete
 * them and a typo is an unknown key. Placeholders are checked in config/index.ts
 * (with every other problem, not only once the shapes are right).
 */
const siteStrings = z
  .partialRecord(z.enum(STRING_KEYS as [StringKey, ...StringKey[]]), message)
  .default({})
  .meta({ description: 'Overrides of the words the site writes itself: catalog key → text, e.g. {"nav.latest": "Newest"} (keys: README "Language").' });

const feedSchema = z.strictObject({
  id: z
    .string()
    .regex(FEED_ID, 'expected a slug: lowercase letters, digits and "-", not starting with "-"')
    .optional()
    .meta({ description: 'Stable slug naming the feed\'s pages and state (default: derived from the URL). Changing it starts a new archive.' }),
  url: feedUrl.meta({ description: 'The feed\'s http(s) URL (a file: URL or a path relative to feeds.json also works).' }),
  title: z.string().trim().min(1).optional().meta({ description: 'Shown instead of the feed\'s own title.' }),
  category: z.string().trim().min(1).optional().meta({ description: 'Groups feeds on category pages and in feeds.opml.' }),
  enabled: z.boolean().default(true).meta({ description: 'false: not fetched; its archived articles stay on the site.' }),
  language: z.string().trim().min(1).optional().meta({ description: 'Overrides the feed\'s language (e.g. "zh-CN"): used for dates without a zone and on pages.' }),
  userAgent: z.string().min(1).optional().meta({ description: 'User-Agent for this feed (default: fetch.userAgent).' }),
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name'),
      z.string().refine((v) => !/[\r\n\0]/.test(v), 'a header value cannot contain line breaks'),
    )
    .default({})
    .meta({ description: 'Extra request headers for this feed, e.g. {"Cookie": "..."} or {"Referer": "..."}.' }),
  maxItems: z.int().positive().optional().meta({ description: 'Read at most this many items (the first in the document) from each fetch.' }),
  proxy: proxyUrl.optional().meta({ description: 'Fetch this feed through this proxy (else HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply).' }),
  filters: filters.meta({ description: 'Include/exclude rules for this feed\'s new items (on top of the global "filters").' }),
  fullText: z
    .union([z.boolean(), z.literal('auto')], { error: 'expected true, false or "auto"' })
    .default(false)
    .meta({
      description:
        'Fetch each new article\'s page and publish the article extracted from it, keeping the feed\'s text as its summary: true for every item, "auto" for items whose feed text is shorter than 500 columns (a CJK character counts as two), false never. A page that fails falls back to the feed\'s text and is reported.',
    }),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'Path or URL of this JSON Schema, for editors.' }),
  $comment: z.union([z.string(), z.array(z.string())]).optional().meta({ description: 'Notes for whoever edits this file (JSON has no comments); ignored by feed-digest.' }),
  site: z
    .strictObject({
      title: z.string().trim().min(1).default('Feed Digest').meta({ description: 'The site\'s title.' }),
      url: httpUrl
        .default('http://localhost:8080/')
        .meta({ description: 'Absolute URL the site is served at; its path is the path prefix (e.g. "https://user.github.io/repo/").' }),
      description: z.string().default('').meta({ description: 'One line under the title.' }),
      language: z
        .string()
        .trim()
        .refine(isLanguageTag, 'expected a BCP 47 language tag such as "en", "zh-CN", "zh-TW", "ja" or "ko"')
        .default('en')
        .meta({
          description:
            'The site\'s language (BCP 47): its <html lang>, dates and numbers, and the catalog of the words the site writes itself (built in: en, zh-CN, zh-TW, ja, ko; others get English).',
        }),
      strings: siteStrings,
      timezone: z
        .string()
        .refine((tz) => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        }, 'expected an IANA time zone name such as "Asia/Shanghai" or "UTC"')
        .default('UTC')
        .meta({ description: 'IANA time zone for displayed dates and for feed dates that give no zone (never the build machine\'s).' }),
      itemsPerPage: z.int().min(1).max(500).default(30).meta({ description: 'Articles per list page.' }),
      templates: z.string().min(1).optional().meta({ description: 'Folder of template overrides, relative to feeds.json.' }),
      cname: z.string().min(1).optional().meta({ description: 'Custom domain written to CNAME (GitHub Pages).' }),
    })
    .prefault({})
    .meta({ description: 'The site: title, URL (and so its path prefix), language, time zone, pages.' }),
  images: z
    .strictObject({
      quality: z.int().min(1).max(100).default(75).meta({ description: 'WebP quality.' }),
      effort: z
        .int()
        .min(0)
        .max(6)
        .default(4)
        .meta({ description: 'WebP encoder effort, 0 (fastest) to 6 (smallest files); 2 encodes in ~60% of the time of 4 for ~4% larger files. Applies to images converted from now on.' }),
      maxWidth: z.int().min(16).max(8192).default(1600).meta({ description: 'Widest image written, in pixels.' }),
      widths: z.array(z.int().min(16).max(8192)).min(1).default([480, 960, 1600]).meta({ description: 'Responsive widths written (capped at maxWidth).' }),
      maxBytes: z.int().positive().default(20 * 1024 * 1024).meta({ description: 'Largest source image downloaded, in bytes.' }),
      maxPixels: z.int().positive().default(50_000_000).meta({ description: 'Largest source image decoded, in pixels.' }),
      referers: z
        .record(z.string(), httpUrl)
        .default({})
        .meta({ description: 'Host suffix → Referer for hotlink-protected image hosts, e.g. {"sinaimg.cn": "https://weibo.com/"}.' }),
    })
    .prefault({})
    .meta({ description: 'Image optimization: WebP quality, widths, limits, Referers for hotlink-protected hosts.' }),
  fetch: z
    .strictObject({
      allowPrivateNetworks: z
        .boolean()
        .default(false)
        .meta({ description: 'Allow URLs found in feed content to reach loopback/private addresses (feed URLs in this file always may).' }),
      concurrency: z.int().min(1).max(256).default(8).meta({ description: 'Feeds fetched at once.' }),
      perHost: z.int().min(1).max(64).default(2).meta({ description: 'Feeds fetched at once from one host.' }),
      timeoutSeconds: z.number().positive().max(600).default(30).meta({ description: 'Time allowed for one HTTP attempt.' }),
      feedDeadlineSeconds: z
        .number()
        .positive()
        .max(3600)
        .default(60)
        .meta({ description: 'Time allowed for one feed, retries and their waits included.' }),
      retries: z.int().min(0).max(10).default(2).meta({ description: 'Retries after a timeout, a reset, a 5xx or a 429 (Retry-After is honoured).' }),
      maxBytes: z.int().positive().default(10 * 1024 * 1024).meta({ description: 'Largest feed body, in bytes after decompression.' }),
      maxRedirects: z.int().min(0).max(20).default(5).meta({ description: 'Redirects followed per request.' }),
      userAgent: z.string().min(1).optional().meta({ description: 'User-Agent sent with every request.' }),
      pageDelaySeconds: z
        .number()
        .min(0)
        .max(60)
        .default(1)
        .meta({ description: 'Full text: pause between two article pages fetched from one host.' }),
    })
    .prefault({})
    .meta({ description: 'How feeds are fetched: concurrency, timeouts, retries, size and redirect limits.' }),
  archive: z
    .strictObject({
      maxItemsPerFeed: z.int().positive().optional().meta({ description: 'Keep at most this many articles per feed (default: all).' }),
      maxAgeDays: z.number().positive().optional().meta({ description: 'Drop articles published longer ago than this (default: never).' }),
    })
    .prefault({})
    .meta({ description: 'Retention: how long articles are kept (default: forever).' }),
  assets: z
    .strictObject({
      cdn: z.literal('jsdelivr').meta({ description: 'The CDN: "jsdelivr" (images served from a GitHub repository through jsDelivr).' }),
      repo: z
        .string()
        .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'expected a GitHub repository as "owner/name"')
        .meta({ description: 'The GitHub repository ("owner/name") the image shards are pushed to as tags.' }),
      host: z
        .string()
        .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'expected a host name such as "cdn.jsdelivr.net" or "fastly.jsdelivr.net"')
        .default('cdn.jsdelivr.net')
        .meta({ description: 'jsDelivr host; "fastly.jsdelivr.net" or "gcore.jsdelivr.net" where the main one is blocked.' }),
      shardMB: z
        .number()
        .positive()
        .max(50)
        .default(45)
        .meta({ description: 'Largest shard in MB (jsDelivr serves at most 50 MB per repository tag).' }),
      tagPrefix: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"')
        .default('assets-')
        .meta({ description: 'Shard tags are this prefix and a number ("assets-00001").' }),
      sealAfterHours: z
        .number()
        .min(0)
        .default(24)
        .meta({ description: 'Images wait on the site this long before their shard is sealed and they move to the CDN (0: every build).' }),
    })
    .optional()
    .meta({ description: 'Serve images from jsDelivr in immutable shards (see README "Deploy").' }),
  filters: filters.meta({ description: 'Include/exclude rules applied to every feed\'s new items.' }),
  feeds: z.array(feedSchema).meta({ description: 'The subscriptions.' }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ConfigParsed = z.output<typeof configSchema>;
export type FilterRuleInput = z.output<typeof filterRule>;
