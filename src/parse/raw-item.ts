/** The shape every format parser returns before `parse/index.ts` normalizes identity. */
import type { Attachment } from '../model/feed.ts';

export interface ParseInput {
  /** The URL the document came from: the base for relative links. */
  url: string;
  /** IANA zone for dates that name none (the site's timezone). */
  timezone?: string | null;
  /** Overrides the feed's own language (feeds[].language), e.g. for reading "CST". */
  language?: string | null;
  /** Items read from the document, in document order (default MAX_ITEMS). */
  maxItems?: number | null;
}

/** A feed listing more items than this is read only up to here, unless feeds[].maxItems says otherwise. */
export const MAX_ITEMS = 1000;

export interface RawItem {
  /** Plain text (each format reader decides what its titles mean). */
  title: string;
  link: string | null;
  guid: string | null;
  author: string | null;
  published: string | null;
  updated: string | null;
  contentHtml: string;
  /** The feed's own summary as plain text, when the item also has content; else null. */
  summary: string | null;
  categories: string[];
  attachments: Attachment[];
  thumbnail: string | null;
  /** Base URL for the item's relative links (xml:base aware). */
  base: string;
  /** True when `base` came from xml:base, which then wins over the item's link. */
  baseIsExplicit: boolean;
}
