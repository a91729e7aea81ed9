/**
 * Pure: render input → the data templates receive. Lists are paginated here,
 * so no template loops over the whole archive. Documented in the README
 * ("Templates"): keep the two in step.
 */
import { createTranslator, type Translator } from '../i18n/index.ts';
import { createHash } from 'node:crypto';
import { ASSET_BASE_TOKEN } from '../model/asset-url.ts';
import type { FailureCode } from '../model/errors.ts';
import { dateFormats } from './dates.ts';
import type { RenderArticle, RenderFeed, RenderImage, RenderInput } from './input.ts';
import { stablePages, type Seal } from './pagination.ts';
import { outputFile, paths, slugify } from './paths.ts';

export interface ImageView {
  src: string;
  srcset: string;
  width: number;
  height: number;
}

/**
 * What a feed is: the same from one build to the next unless the feed
 * itself changes, so list and article pages that show it can be kept.
 */
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
  /** feeds[].fullText: articles are read from the publisher's pages (true), or only summary-only ones ("auto"). */
  fullText: boolean | 'auto';
}

/**
 * How a feed is doing, as its landing page shows it: nothing here changes
 * from one build to the next unless the feed's counts or health do, so
 * the page is kept while the feed is quiet.
 */
export interface FeedStatusView {
  articleCount: number;
  health: {
    ok: boolean;
    /** While the feed fails: when it last worked (null while it works). */
    lastSuccessAt: string | null;
    /** The fetcher's message (technical, in English) and what kind of failure it was, for the catalog's words. */
    error: string | null;
    errorCode: FailureCode | null;
    /** The HTTP status the failure came with, if any. */
    errorStatus: number | null;
    consecutiveFailures: number;
    /** Failing for more than 7 days. */
    stale: boolean;
    movedTo: string | null;
  };
}

/**
 * A feed in the feeds directory (the `feeds` global): what it is, how it is
 * doing, and the figures of this build's fetch, which change every build.
 */
export interface FeedDirectoryEntry extends FeedView, FeedStatusView {
  /** Articles new in this build. */
  newArticles: number;
  health: FeedStatusView['health'] & {
    lastFetchedAt: string | null;
    /** Always set, failing or not. */
    lastSuccessAt: string | null;
    /** The last fetch's HTTP status. */
    status: number | null;
  };
}

/** The digest as of this build, for the river's landing page. */
export interface DigestStatus {
  articleCount: number;
  feedCount: number;
  failingFeeds: number;
  generatedAt: string;
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
  /** The first feed's language (config, else the feed's own), or null when unknown. */
  language: string | null;
}

export interface ArticleView extends ArticleSummary {
  head: PageHead;
  path: string;
  html: string;
  modified: string | null;
  /** The feed's own tags for the item (plain text). */
  categories: string[];
  attachments: { url: string; mimeType: string; kind: 'audio' | 'video' | 'image' | 'other'; sizeBytes: number | null; title: string | null }[];
  prev: { href: string; title: string } | null;
  next: { href: string; title: string } | null;
}

/**
 * What a page's <head> needs, computed once here rather than by Nunjucks
 * front matter per page (eleventyComputed renders a template per key per
 * page: thousands of renders on a large archive). layout.njk reads it from
 * the page's `a` or `p`; plain templates still set the same names in front matter.
 */
export interface PageHead {
  title: string;
  description: string | null;
  language: string | null;
  section: string | null;
  alternateTitle: string | null;
  alternateAtom: string | null;
  alternateJson: string | null;
  /** Absolute URL. */
  ogImage: string | null;
}

/**
 * A page of a list (the river, a feed, a category, a month): its landing
 * page (index.html, feeds/<id>/…) or page N (page/N/…). Pages are numbered
 * from the oldest (pagination.ts): a full page keeps its articles and its
 * links for good, so nothing on it may change when articles arrive (no
 * total of pages, counts only on the landing page).
 */
export interface ListPage {
  head: PageHead;
  path: string;
  href: string;
  title: string;
  /** The list's landing page (index.html, feeds/<id>/…): the newest page's articles and the last full page's. */
  landing: boolean;
  /** Page N of the list, 1 the oldest; null on the landing page. */
  pageNumber: number | null;
  items: ArticleSummary[];
  /** The page of newer articles (null on the landing and the newest page). */
  newerHref: string | null;
  /** The page of older articles. */
  olderHref: string | null;
  feed: FeedView | null;
  /** On a feed's landing page only: its counts and health at this build. */
  feedStatus: FeedStatusView | null;
  /** On the river's landing page only: the digest's counts and build time. */
  digest: DigestStatus | null;
  /** Its `count` only on the landing page (null on the others). */
  category: CategoryView | null;
  /** Its `count` only on the landing page (null on the others). */
  month: MonthView | null;
}

export interface CategoryView {
  name: string;
  slug: string;
  href: string;
  atomHref: string;
  count: number | null;
}

export interface MonthView {
  /** "2026/11" in the site's time zone. */
  key: string;
  /** "November 2026" in the site's language. */
  label: string;
  href: string;
  count: number | null;
}

/** One Atom document: the digest, a feed or a category. */
export interface AtomFeedView {
  /** Output path below the site root ("feed.xml", "feeds/x/feed.xml"). */
  path: string;
  title: string;
  subtitle: string | null;
  /** Absolute URLs. */
  id: string;
  selfUrl: string;
  htmlUrl: string;
  language: string | null;
  items: AtomEntryView[];
}

/**
 * An article page as the view model holds it: everything but the HTML, made
 * by `content()` with its asset links unresolved. placeArticle() makes the
 * ArticleView a template receives, only for a page that is rendered, so the
 * kept pages of a large archive never make or copy their HTML.
 */
export interface ArticlePage extends Omit<ArticleView, 'html'> {
  /** The article's HTML with asset links still relative to ASSET_BASE_TOKEN. */
  content: () => string;
  /** A key of what content() makes (RenderArticle.htmlKey, else the HTML's hash). */
  contentKey: () => string;
}

/** An Atom document as the view model holds it: placeAtomFeed() makes the AtomFeedView. */
export interface AtomFeedPage extends Omit<AtomFeedView, 'items'> {
  items: ArticlePage[];
}

export interface AtomEntryView extends ArticleView {
  /** Absolute URL of the article page. */
  url: string;
  /** Content with absolute image URLs. */
  absoluteHtml: string;
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
  /** Feeds whose last fetch failed. */
  failingFeeds: number;
}

export interface ViewModel {
  site: SiteView;
  feeds: FeedDirectoryEntry[];
  categories: CategoryView[];
  /** Newest first, grouped by year for the archive index. */
  years: { year: string; months: MonthView[] }[];
  riverPages: ListPage[];
  feedPages: ListPage[];
  categoryPages: ListPage[];
  monthPages: ListPage[];
  articlePages: ArticlePage[];
  atomFeeds: AtomFeedPage[];
  /** Every list's seals (pagination.ts), for the next render: not for templates. */
  seals: Record<string, Seal[]>;
}

/** The page a template receives: the content with asset links under the site's base path. */
export function placeArticle({ content, contentKey: _key, ...page }: ArticlePage, site: Pick<SiteView, 'basePath'>): ArticleView {
  return { ...page, html: content().replaceAll(ASSET_BASE_TOKEN, site.basePath) };
}

/** The document a template receives: entries with absolute URLs, since readers fetch them out of context. */
export function placeAtomFeed(feed: AtomFeedPage, site: Pick<SiteView, 'basePath' | 'url'>): AtomFeedView {
  return {
    ...feed,
    items: feed.items.map((a) => ({
      ...placeArticle(a, site),
      url: site.url + paths.article(a.id),
      absoluteHtml: a.content().replaceAll(ASSET_BASE_TOKEN, site.url),
    })),
  };
}

const WEEK = 7 * 86_400_000;
/** Entries per Atom document: readers poll it, so it stays small. */
export const ATOM_ITEMS = 50;

export function buildViewModel(input: RenderInput): ViewModel {
  const { config } = input;
  const base = config.site.basePath;
  const href = (p: string) => base + p;
  // Images may live on a CDN (RenderInput.assetUrl); pages link them there.
  const assetHref = (p: string) => input.assetUrl?.(p) ?? href(p);
  const perPage = config.site.itemsPerPage;
  const t = createTranslator(config.site.language, config.site.strings);
  const withSite = (title: string) => t.text('site.pageTitle', { title, site: config.site.title });

  const feedViews = input.feeds.map((f) => feedView(f, href, assetHref));
  const feedStatuses = input.feeds.map((f) => feedStatusView(f, input.now));
  const feeds: FeedDirectoryEntry[] = feedViews.map((v, i) => {
    const h = input.feeds[i]!.state.health;
    const status = feedStatuses[i]!;
    return {
      ...v,
      ...status,
      newArticles: input.feeds[i]!.newArticles,
      health: { ...status.health, lastFetchedAt: h.lastFetchAt, lastSuccessAt: h.lastSuccessAt, status: h.lastStatus },
    };
  });
  const feedById = new Map(feeds.map((f) => [f.id, f]));
  // One object per feed, shared by its articles' summaries.
  const feedRefs = new Map(feeds.map((f) => [f.id, { id: f.id, title: f.title, href: f.href, icon: f.icon }]));

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
        feeds: ra.feedIds.flatMap((id) => feedRefs.get(id) ?? []),
        cover: ra.cover ? imageView(ra.cover, assetHref, 480) : null,
        language: feedById.get(ra.feedIds[0] ?? '')?.language ?? null,
      };
      summaries.set(a.id, s);
    }
    return s;
  };

  const river = input.articles.map(summaryOf);
  const noContext: PageContext = { feed: null, category: null, month: null, feedStatus: null, digest: null };
  const failingFeeds = feeds.filter((f) => !f.health.ok).length;
  const digest: DigestStatus = { articleCount: input.articles.length, feedCount: feeds.length, failingFeeds, generatedAt: input.now.toISOString() };
  const lists: ListOptions = { perPage, seals: input.seals ?? {}, next: {}, href, t };
  const riverPages = paginate('river', river, paths.home, config.site.title, { ...noContext, digest }, { ...NO_HEAD, description: config.site.description || null, section: 'latest' }, lists);

  const byFeed = new Map<string, RenderArticle[]>();
  const byCategory = new Map<string, { name: string; items: ArticleSummary[]; articles: RenderArticle[] }>();
  const byMonth = new Map<string, ArticleSummary[]>();
  const dates = dateFormats(config.site.language, config.site.timezone);
  for (const ra of input.articles) {
    const month = dates.monthKey(ra.article.published);
    let monthList = byMonth.get(month);
    if (!monthList) byMonth.set(month, (monthList = []));
    monthList.push(summaryOf(ra));
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
      if (!entry) byCategory.set(slug, (entry = { name: c, items: [], articles: [] }));
      entry.items.push(summaryOf(ra));
      entry.articles.push(ra);
    }
  }

  const feedPages = feedViews.flatMap((f, i) =>
    paginate(
      `feed ${f.id}`,
      (byFeed.get(f.id) ?? []).map(summaryOf),
      (n) => paths.feed(f.id, n),
      f.title,
      { ...noContext, feed: f, feedStatus: feedStatuses[i]! },
      { ...NO_HEAD, description: f.description, section: 'feeds', alternateTitle: f.title, alternateAtom: f.atomHref, alternateJson: f.jsonHref },
      lists,
    ),
  );
  const categoryEntries = [...byCategory.entries()]
    .map(([slug, entry]) => ({
      view: { slug, name: entry.name, href: href(paths.category(slug)), atomHref: href(paths.categoryAtom(slug)), count: entry.items.length },
      ...entry,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, config.site.language));
  const categoryPages = categoryEntries.flatMap((c) =>
    paginate(
      `category ${c.view.slug}`,
      c.items,
      (n) => paths.category(c.view.slug, n),
      c.name,
      { ...noContext, category: c.view },
      { ...NO_HEAD, section: `category:${c.view.slug}`, alternateTitle: withSite(c.name), alternateAtom: c.view.atomHref },
      lists,
    ),
  );

  // Month keys sort as strings ("2026/11" > "2026/02"); newest first.
  const months = [...byMonth.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([key, items]) => ({ view: { key, label: dates.monthLabel(key), href: href(paths.month(key)), count: items.length }, items }));
  const monthPages = months.flatMap((m) =>
    paginate(`month ${m.view.key}`, m.items, (n) => paths.month(m.view.key, n), m.view.label, { ...noContext, month: m.view }, { ...NO_HEAD, section: 'archive' }, lists),
  );
  const years: ViewModel['years'] = [];
  for (const { view } of months) {
    const year = view.key.slice(0, 4);
    const last = years[years.length - 1];
    if (last?.year === year) last.months.push(view);
    else years.push({ year, months: [view] });
  }

  // Previous/next within the article's first feed.
  const neighbours = new Map<string, { prev: RenderArticle | null; next: RenderArticle | null }>();
  for (const list of byFeed.values()) {
    list.forEach((ra, i) => {
      if (neighbours.has(ra.article.id)) return;
      neighbours.set(ra.article.id, { prev: list[i + 1] ?? null, next: list[i - 1] ?? null });
    });
  }

  const articlePages: ArticlePage[] = input.articles.map((ra) => {
    const a = ra.article;
    const n = neighbours.get(a.id);
    const summary = summaryOf(ra);
    const cover = summary.cover?.src ?? null;
    // Fields listed, not spread: { ...summary, more } makes objects V8 handles ~10× slower, 100,000 of them here.
    return {
      id: summary.id,
      href: summary.href,
      title: summary.title,
      link: summary.link,
      published: summary.published,
      excerpt: summary.excerpt,
      author: summary.author,
      feeds: summary.feeds,
      cover: summary.cover,
      language: summary.language,
      head: {
        title: a.title,
        description: a.excerpt || null,
        language: summary.language,
        section: null,
        alternateTitle: null,
        alternateAtom: null,
        alternateJson: null,
        // Absolute, as Open Graph wants: a CDN URL already is, a site path gets the site's origin.
        ogImage: cover ? (/^https?:\/\//.test(cover) ? cover : config.site.url + cover.slice(base.length)) : null,
      },
      path: outputFile(paths.article(a.id)),
      content: () => ra.html,
      contentKey: () => ra.htmlKey ?? createHash('md5').update(ra.html).digest('base64url'),
      modified: a.modified,
      categories: a.categories,
      attachments: a.attachments.map((att) => ({ ...att, kind: mediaKind(att.mimeType) })),
      prev: n?.prev ? { href: href(paths.article(n.prev.article.id)), title: n.prev.article.title } : null,
      next: n?.next ? { href: href(paths.article(n.next.article.id)), title: n.next.article.title } : null,
    };
  });

  // Atom: the digest, each feed, each category.
  const siteUrl = config.site.url;
  const articleById = new Map(articlePages.map((a) => [a.id, a]));
  const entries = (list: RenderArticle[]): ArticlePage[] => list.slice(0, ATOM_ITEMS).map((ra) => articleById.get(ra.article.id)!);
  const atomFeeds: AtomFeedPage[] = [
    {
      path: paths.atom(),
      title: config.site.title,
      subtitle: config.site.description || null,
      id: siteUrl,
      selfUrl: siteUrl + paths.atom(),
      htmlUrl: siteUrl,
      language: config.site.language,
      items: entries(input.articles),
    },
    ...feeds.map((f) => ({
      path: paths.feedAtom(f.id),
      title: withSite(f.title),
      subtitle: f.description,
      id: siteUrl + paths.feed(f.id),
      selfUrl: siteUrl + paths.feedAtom(f.id),
      htmlUrl: siteUrl + paths.feed(f.id),
      language: f.language,
      items: entries(byFeed.get(f.id) ?? []),
    })),
    ...categoryEntries.map((c) => ({
      path: paths.categoryAtom(c.view.slug),
      title: withSite(c.name),
      subtitle: null,
      id: siteUrl + paths.category(c.view.slug),
      selfUrl: siteUrl + paths.categoryAtom(c.view.slug),
      htmlUrl: siteUrl + paths.category(c.view.slug),
      language: config.site.language,
      items: entries(c.articles),
    })),
  ];

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
      failingFeeds,
    },
    feeds,
    categories: categoryEntries.map((c) => c.view),
    years,
    riverPages,
    feedPages,
    categoryPages,
    monthPages,
    articlePages,
    atomFeeds,
    seals: lists.next,
  };
}

const NO_HEAD: Omit<PageHead, 'title'> = {
  description: null,
  language: null,
  section: null,
  alternateTitle: null,
  alternateAtom: null,
  alternateJson: null,
  ogImage: null,
};

/** What every page of one list shares; `feedStatus` and `digest` go on its landing page only. */
type PageContext = Pick<ListPage, 'feed' | 'feedStatus' | 'digest' | 'category' | 'month'>;

interface ListOptions {
  perPage: number;
  /** The seals of the last render, by list name; this render's are added to `next`. */
  seals: Readonly<Record<string, Seal[]>>;
  next: Record<string, Seal[]>;
  href: (p: string) => string;
  t: Translator;
}

/**
 * A list's pages: its landing page, then page 1 (the oldest) to the newest.
 * The landing page shows the newest page and the last full one, so it never
 * holds less than a page (once the list has one) and its "older" link goes
 * on from where it ends. A page with no articles (emptied by retention) is
 * not written and links skip it; the newest page is written even empty
 * while a full page links to it.
 */
function paginate(
  name: string,
  items: ArticleSummary[],
  pathOf: (page?: number) => string,
  title: string,
  context: PageContext,
  head: Omit<PageHead, 'title'>,
  options: ListOptions,
): ListPage[] {
  const { pages, seals } = stablePages(items, (s) => s, options.seals[name] ?? [], { items: options.perPage, sealWhenFull: true });
  options.next[name] = seals;
  const newest = pages.length;
  const written = (n: number) => n === newest ? pages[n - 1]!.length > 0 || n > 1 : pages[n - 1]!.length > 0;
  const olderThan = (n: number) => {
    for (let k = n - 1; k >= 1; k--) if (written(k)) return options.href(pathOf(k));
    return null;
  };
  const newerThan = (n: number) => {
    for (let k = n + 1; k <= newest; k++) if (written(k)) return options.href(pathOf(k));
    return null;
  };
  // What changes with every article stays on the landing page.
  const later = { ...context, feedStatus: null, digest: null, category: context.category && { ...context.category, count: null }, month: context.month && { ...context.month, count: null } };
  const lastFull = newest - 1;
  const out: ListPage[] = [
    {
      head: { ...head, title },
      path: outputFile(pathOf()),
      href: options.href(pathOf()),
      title,
      landing: true,
      pageNumber: null,
      items: [...pages[newest - 1]!, ...(lastFull >= 1 ? pages[lastFull - 1]! : [])],
      newerHref: null,
      olderHref: olderThan(Math.max(1, lastFull)),
      ...context,
    },
  ];
  for (let n = 1; n <= newest; n++) {
    if (!written(n)) continue;
    const pageTitle = options.t.text('page.numbered', { title, page: n });
    out.push({
      head: { ...head, title: pageTitle },
      path: outputFile(pathOf(n)),
      href: options.href(pathOf(n)),
      title: pageTitle,
      landing: false,
      pageNumber: n,
      items: pages[n - 1]!,
      newerHref: newerThan(n),
      olderHref: olderThan(n),
      ...later,
    });
  }
  return out;
}

function feedView(f: RenderFeed, href: (p: string) => string, assetHref: (p: string) => string): FeedView {
  return {
    id: f.config.id,
    title: f.config.title ?? f.state.meta.title ?? f.config.id,
    url: f.config.url,
    homeUrl: f.state.meta.homeUrl,
    description: f.state.meta.description,
    category: f.config.category,
    categoryHref: f.config.category ? href(paths.category(slugify(f.config.category))) : null,
    language: f.config.language ?? f.state.meta.language,
    icon: f.icon ? imageView(f.icon, assetHref, 64) : null,
    href: href(paths.feed(f.config.id)),
    atomHref: href(paths.feedAtom(f.config.id)),
    jsonHref: href(paths.feedJson(f.config.id)),
    fullText: f.config.fullText,
  };
}

function feedStatusView(f: RenderFeed, now: Date): FeedStatusView {
  const h = f.state.health;
  const failing = h.consecutiveFailures > 0;
  return {
    articleCount: f.state.articles.length,
    health: {
      ok: !failing,
      lastSuccessAt: failing ? h.lastSuccessAt : null,
      error: h.lastError?.message ?? null,
      errorCode: h.lastError?.code ?? null,
      errorStatus: h.lastError?.status ?? (failing ? h.lastStatus : null),
      consecutiveFailures: h.consecutiveFailures,
      stale: failing && now.getTime() - Date.parse(h.failingSince ?? h.lastSuccessAt ?? h.lastFetchAt ?? now.toISOString()) > WEEK,
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
