/**
 * sitemap.xml: every page of the site. The protocol allows 50,000 URLs in
 * one file; a larger site gets sitemap.xml as an index of sitemaps/<n>.xml,
 * which search engines read the same way. Written from here rather than a
 * template: it is for machines, and an archive's worth of URLs is a loop
 * Nunjucks would run on every build.
 */
import { paths } from './paths.ts';
import type { SiteFile } from './jsonfeed.ts';

export interface SitemapUrl {
  /** Absolute URL. */
  loc: string;
  /** ISO date, or null when unknown. */
  lastmod: string | null;
}

/** The protocol's limit per file. */
export const SITEMAP_MAX_URLS = 50_000;

const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

export function sitemapFiles(urls: SitemapUrl[], siteUrl: string, maxUrls = SITEMAP_MAX_URLS): SiteFile[] {
  const parts: SitemapUrl[][] = [];
  for (let i = 0; i < urls.length; i += maxUrls) parts.push(urls.slice(i, i + maxUrls));
  if (parts.length <= 1) return [{ path: paths.sitemap(), body: urlset(urls) }];
  const files = parts.map((part, i) => ({ path: paths.sitemapPart(i + 1), body: urlset(part) }));
  const index = files.map((f) => `  <sitemap><loc>${escape(siteUrl + f.path)}</loc></sitemap>\n`).join('');
  return [{ path: paths.sitemap(), body: `<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="${NS}">\n${index}</sitemapindex>\n` }, ...files];
}

function urlset(urls: SitemapUrl[]): string {
  const lines = urls.map((u) => `  <url><loc>${escape(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>\n`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="${NS}">\n${lines.join('')}</urlset>\n`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
