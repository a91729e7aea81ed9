/**
 * The feeds.json schema: the one place where every option and its default
 * lives. `config/index.ts` validates with it; `npm run schema` turns it into
 * the JSON Schema that editors use (feeds.schema.json).
 */
import { z } from 'zod';

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

const feedSchema = z.strictObject({
  id: z
    .string()
    .regex(FEED_ID, 'expected a slug: lowercase letters, digits and "-", not starting with "-"')
    .optional(),
  url: feedUrl,
  title: z.string().trim().min(1).optional(),
  category: z.string().trim().min(1).optional(),
  enabled: z.boolean().default(true),
  language: z.string().trim().min(1).optional(),
  userAgent: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).default({}),
  maxItems: z.int().positive().optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  site: z
    .strictObject({
      title: z.string().trim().min(1).default('Feed Digest'),
      url: httpUrl.default('http://localhost:8080/'),
      description: z.string().default(''),
      language: z.string().trim().min(1).default('en'),
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
        .default('UTC'),
      itemsPerPage: z.int().min(1).max(500).default(30),
      templates: z.string().min(1).optional(),
      cname: z.string().min(1).optional(),
    })
    .prefault({}),
  images: z
    .strictObject({
      quality: z.int().min(1).max(100).default(75),
      maxWidth: z.int().min(16).max(8192).default(1600),
      widths: z.array(z.int().min(16).max(8192)).min(1).default([480, 960, 1600]),
      maxBytes: z.int().positive().default(20 * 1024 * 1024),
      maxPixels: z.int().positive().default(50_000_000),
      referers: z.record(z.string(), httpUrl).default({}),
    })
    .prefault({}),
  fetch: z
    .strictObject({
      allowPrivateNetworks: z.boolean().default(false),
      concurrency: z.int().min(1).max(256).default(8),
      perHost: z.int().min(1).max(64).default(2),
      timeoutSeconds: z.number().positive().max(600).default(30),
      maxBytes: z.int().positive().default(10 * 1024 * 1024),
      maxRedirects: z.int().min(0).max(20).default(5),
      userAgent: z.string().min(1).optional(),
    })
    .prefault({}),
  archive: z
    .strictObject({
      maxItemsPerFeed: z.int().positive().optional(),
      maxAgeDays: z.number().positive().optional(),
    })
    .prefault({}),
  feeds: z.array(feedSchema),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ConfigParsed = z.output<typeof configSchema>;
