/** Every output path and link, in one place, matching CONTRACT.md's layout. */

/** Output file for a page path ("" → "index.html", "feeds/x/" → "feeds/x/index.html"). */
export function outputFile(pagePath: string): string {
  return `${pagePath}index.html`;
}

/**
 * A list's landing page without `page`, else its page `page` (1 the oldest,
 * render/pagination.ts); the same for the JSON archive's documents.
 */
export const paths = {
  home: (page?: number) => (page === undefined ? '' : `page/${page}/`),
  feed: (id: string, page?: number) => (page === undefined ? `feeds/${id}/` : `feeds/${id}/page/${page}/`),
  category: (slug: string, page?: number) => (page === undefined ? `categories/${slug}/` : `categories/${slug}/page/${page}/`),
  /** `month` is "YYYY/MM" in the site's time zone. */
  month: (month: string, page?: number) => (page === undefined ? `archive/${month}/` : `archive/${month}/page/${page}/`),
  archive: () => 'archive/',
  article: (id: string) => `articles/${id}/`,
  feedsDirectory: () => 'feeds/',
  search: () => 'search/',
  /** Pagefind's bundle folder (written after Eleventy). */
  searchBundle: () => 'pagefind/',
  /** Without `page` the newest document, which links to the older ones (next_url). */
  allJson: (page?: number) => (page === undefined ? 'api/all.json' : `api/all/${page}.json`),
  feedJson: (id: string, page?: number) => (page === undefined ? `api/feeds/${id}.json` : `api/feeds/${id}/${page}.json`),
  feedsJson: () => 'api/feeds.json',
  reportJson: () => 'api/report.json',
  digestSchema: () => 'api/digest.schema.json',
  atom: () => 'feed.xml',
  feedAtom: (id: string) => `feeds/${id}/feed.xml`,
  categoryAtom: (slug: string) => `categories/${slug}/feed.xml`,
  opml: () => 'feeds.opml',
  sitemap: () => 'sitemap.xml',
  /** Over 50,000 URLs, sitemap.xml is an index of these. */
  sitemapPart: (n: number) => `sitemaps/${n}.xml`,
};

/** A URL-safe slug for categories (keeps CJK characters, which browsers handle). */
export function slugify(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'uncategorized'
  );
}
