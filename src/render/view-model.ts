/**
 * Pure: render input → the data templates receive. Lists are paginated here,
 * so no template loops over the whole archive. Documented in the README
 * ("Templates"): keep the two in step.
 */
import { ASSET_BASE_TOKEN } from '../model/asset-url.ts';
import type { RenderArticle, RenderFeed, RenderImage, RenderInput } from './input.ts';
import { outputFile, paths, slugify } from './paths.ts';

export interface ImageView {
  src: string;
  srcset: string;
  width: number;
  height: number;
}

export interface FeedView {
  id: string;
  title: string;
  url: string;
  homeUrl: string | null;
  description: string | null;
  category: string | null;
  categoryHref: string | null;
  language: string | null;
  icon: ImageView | null;
  href: string;
  atomHref: string;
  jsonHref: string;
  articleCount: number;
  newArticles: number;
  health: {
    ok: boolean;
    lastFetchedAt: string | null;
    lastSuccessAt: string | null;
    status: number | null;
    error: string | null;
    consecutiveFailures: number;
    /** Failing for more than 7 days. */
    stale: boolean;
    movedTo: string | null;
  };
}

export interface ArticleSummary {
  id: string;
  href: string;
  title: string;
  link: string;
  published: string;
  excerpt: string;
  author: string | null;
  feeds: { id: string; title: string; href: string; icon: ImageView | null }[];
  cover: ImageView | null;
}

export interface ArticleView extends ArticleSummary {
  path: string;
  html: string;
  modified: string | null;
  /** The feed's own tags for the item (plain text). */
  categories: string[];
  attachments: { url: string; mimeType: string; kind: 'audio' | 'video' | 'image' | 'other'; sizeBytes: number | null; title: string | null }[];
  language: string | null;
  prev: { href: string; title: string } | null;
  next: { href: string; title: string } | null;
}

export interface ListPage {
  path: string;
  href: string;
  title: string;
  pageNumber: number;
  totalPages: number;
  items: ArticleSummary[];
  prevHref: string | null;
  nextHref: string | null;
  feed: FeedView | null;
  category: { name: string; href: string } | null;
}

export interface SiteView {
  title: string;
  url: string;
  basePath: string;
  description: string;
  language: string;
  timezone: string;
  generatedAt: string;
  articleCount: number;
}

export interface ViewModel {
  site: SiteView;
  feeds: FeedView[];
  categories: { name: string; href: string; count: number }[];
  riverPages: ListPage[];
  feedPages: ListPage[];
  categoryPages: ListPage[];
  articlePages: ArticleView[];
}

const WEEK = 7 * 86_400_000;

export function buildViewModel(input: RenderInput): ViewModel {
  const { config } = input;
  const base = config.site.basePath;
  const href = (p: string) => base + p;
  const perPage = config.site.itemsPerPage;

  const feeds = input.feeds.map((f) => feedView(f, href, input.now));
  const feedById = new Map(feeds.map((f) => [f.id, f]));

  const summaries = new Map<string, ArticleSummary>();
  const summaryOf = (ra: RenderArticle): ArticleSummary => {
    let s = summaries.get(ra.article.id);
    if (!s) {
      const a = ra.article;
      s = {
        id: a.id,
        href: href(paths.article(a.id)),
        title: a.title,
        link: a.link,
        published: a.published,
        excerpt: a.excerpt,
        author: a.author,
        feeds: ra.feedIds.flatMap((id) => {
          const f = feedById.get(id);
          return f ? [{ id, title: f.title, href: f.href, icon: f.icon }] : [];
        }),
        cover: ra.cover ? imageView(ra.cover, href, 480) : null,
      };
      summaries.set(a.id, s);
    }
    return s;
  };

  const river = input.articles.map(summaryOf);
  const riverPages = paginate(river, perPage, (n) => paths.home(n), href, config.site.title, { feed: null, category: null });

  const byFeed = new Map<string, RenderArticle[]>();
  const byCategory = new Map<string, { name: string; items: ArticleSummary[] }>();
  for (const ra of input.articles) {
    for (const id of ra.feedIds) {
      let list = byFeed.get(id);
      if (!list) byFeed.set(id, (list = []));
      list.push(ra);
    }
    const cats = new Set<string>();
    for (const id of ra.feedIds) {
      const c = feedById.get(id)?.category;
      if (c) cats.add(c);
    }
    for (const c of cats) {
      const slug = slugify(c);
      let entry = byCategory.get(slug);
      if (!entry) byCategory.set(slug, (entry = { name: c, items: [] }));
      entry.items.push(summaryOf(ra));
    }
  }

  const feedPages = feeds.flatMap((f) =>
    paginate((byFeed.get(f.id) ?? []).map(summaryOf), perPage, (n) => paths.feed(f.id, n), href, f.title, { feed: f, category: null }),
  );
  const categories = [...byCategory.entries()]
    .map(([slug, { name, items }]) => ({ slug, name, href: href(paths.category(slug)), count: items.length, items }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const categoryPages = categories.flatMap((c) =>
    paginate(c.items, perPage, (n) => paths.category(c.slug, n), href, c.name, { feed: null, category: { name: c.name, href: c.href } }),
  );

  // Previous/next within the article's first feed.
  const neighbours = new Map<string, { prev: RenderArticle | null; next: RenderArticle | null }>();
  for (const list of byFeed.values()) {
    list.forEach((ra, i) => {
      if (neighbours.has(ra.article.id)) return;
      neighbours.set(ra.article.id, { prev: list[i + 1] ?? null, next: list[i - 1] ?? null });
    });
  }

  const articlePages: ArticleView[] = input.articles.map((ra) => {
    const a = ra.article;
    const n = neighbours.get(a.id);
    const primary = feedById.get(ra.feedIds[0] ?? '');
    return {
      ...summaryOf(ra),
      path: outputFile(paths.article(a.id)),
      html: ra.html.replaceAll(ASSET_BASE_TOKEN, base),
      modified: a.modified,
      categories: a.categories,
      attachments: a.attachments.map((att) => ({ ...att, kind: mediaKind(att.mimeType) })),
      language: primary?.language ?? null,
      prev: n?.prev ? { href: href(paths.article(n.prev.article.id)), title: n.prev.article.title } : null,
      next: n?.next ? { href: href(paths.article(n.next.article.id)), title: n.next.article.title } : null,
    };
  });

  return {
    site: {
      title: config.site.title,
      url: config.site.url,
      basePath: base,
      description: config.site.description,
      language: config.site.language,
      timezone: config.site.timezone,
      generatedAt: input.now.toISOString(),
      articleCount: input.articles.length,
    },
    feeds,
    categories: categories.map(({ name, href: h, count }) => ({ name, href: h, count })),
    riverPages,
    feedPages,
    categoryPages,
    articlePages,
  };
}

function paginate(
  items: ArticleSummary[],
  perPage: number,
  pathOf: (page: number) => string,
  href: (p: string) => string,
  title: string,
  context: { feed: FeedView | null; category: { name: string; href: string } | null },
): ListPage[] {
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const pages: ListPage[] = [];
  for (let n = 1; n <= totalPages; n++) {
    pages.push({
      path: outputFile(pathOf(n)),
      href: href(pathOf(n)),
      title: n === 1 ? title : `${title} (${n}/${totalPages})`,
      pageNumber: n,
      totalPages,
      items: items.slice((n - 1) * perPage, n * perPage),
      prevHref: n > 1 ? href(pathOf(n - 1)) : null,
      nextHref: n < totalPages ? href(pathOf(n + 1)) : null,
      ...context,
    });
  }
  return pages;
}

function feedView(f: RenderFeed, href: (p: string) => string, now: Date): FeedView {
  const h = f.state.health;
  const lastSuccess = h.lastSuccessAt ? Date.parse(h.lastSuccessAt) : null;
  const failing = h.consecutiveFailures > 0;
  return {
    id: f.config.id,
    title: f.config.title ?? f.state.meta.title ?? f.config.id,
    url: f.config.url,
    homeUrl: f.state.meta.homeUrl,
    description: f.state.meta.description,
    category: f.config.category,
    categoryHref: f.config.category ? href(paths.category(slugify(f.config.category))) : null,
    language: f.config.language ?? f.state.meta.language,
    icon: f.icon ? imageView(f.icon, href, 64) : null,
    href: href(paths.feed(f.config.id)),
    atomHref: href(paths.feedAtom(f.config.id)),
    jsonHref: href(paths.feedJson(f.config.id, 1)),
    articleCount: f.state.articles.length,
    newArticles: f.newArticles,
    health: {
      ok: !failing,
      lastFetchedAt: h.lastFetchAt,
      lastSuccessAt: h.lastSuccessAt,
      status: h.lastStatus,
      error: h.lastError?.message ?? null,
      consecutiveFailures: h.consecutiveFailures,
      stale: failing && (lastSuccess === null ? h.consecutiveFailures >= 168 : now.getTime() - lastSuccess > WEEK),
      movedTo: f.lastFetch.movedTo,
    },
  };
}

/** The smallest variant at least `want` px wide as src, every variant in srcset. */
function imageView(img: RenderImage, href: (p: string) => string, want: number): ImageView {
  const pick = img.variants.find((v) => v.width >= want) ?? img.variants[img.variants.length - 1]!;
  return {
    src: href(pick.path),
    srcset: img.variants.map((v) => `${href(v.path)} ${v.width}w`).join(', '),
    width: pick.width,
    height: pick.height,
  };
}

function mediaKind(mime: string): 'audio' | 'video' | 'image' | 'other' {
  const top = mime.split('/')[0];
  return top === 'audio' || top === 'video' || top === 'image' ? top : 'other';
}
