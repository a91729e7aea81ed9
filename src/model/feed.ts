/** What `parse` produces from one feed document: plain data, no I/O. */

export interface Attachment {
  url: string;
  mimeType: string;
  sizeBytes: number | null;
  title: string | null;
}

export interface ParsedItem {
  /** Lowercase hex MD5 of `link` (the original system's linkMd5). */
  id: string;
  /** Absolute, normalized link (or a stand-in when the item had none). */
  link: string;
  guid: string | null;
  /** Plain text. */
  title: string;
  /** Plain text. */
  author: string | null;
  /** ISO 8601, or null when the feed gave no usable date. */
  published: string | null;
  updated: string | null;
  /** Raw (unsanitized) HTML from the feed; `content` sanitizes it. */
  contentHtml: string;
  /** The feed's own summary (Atom summary, an RSS description beside content:encoded) as plain text, when the item also has content; else null. */
  summary: string | null;
  /** The base URL for relative URLs in `contentHtml` (xml:base, else the item's link). */
  baseUrl: string;
  categories: string[];
  attachments: Attachment[];
  /** Media RSS thumbnail, enclosure image or JSON Feed `image`. */
  thumbnail: string | null;
}

export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

export interface FeedDoc {
  format: FeedFormat;
  title: string | null;
  homeUrl: string | null;
  description: string | null;
  iconUrl: string | null;
  language: string | null;
  items: ParsedItem[];
  /** Things that were recovered from (bad dates, repaired XML): reported, not fatal. */
  warnings: string[];
}
