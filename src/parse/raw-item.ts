/** The shape every format parser returns before `parse/index.ts` normalizes identity. */
import type { Attachment } from '../model/feed.ts';

export interface ParseInput {
  /** The URL the document came from: the base for relative links. */
  url: string;
}

export interface RawItem {
  title: string;
  link: string | null;
  guid: string | null;
  author: string | null;
  published: string | null;
  updated: string | null;
  contentHtml: string;
  categories: string[];
  attachments: Attachment[];
  thumbnail: string | null;
  /** Base URL for the item's relative links (xml:base aware). */
  base: string;
  /** True when `base` came from xml:base, which then wins over the item's link. */
  baseIsExplicit: boolean;
}
