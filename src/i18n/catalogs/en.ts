/**
 * English: the reference catalog. Its keys are the catalog keys; every
 * other catalog has exactly these keys (the type checks it, and
 * test/i18n/catalogs.test.ts), and a translation uses no placeholder the
 * English text does not have. Texts are plain text (never HTML); a
 * placeholder may stand for a link or a date the template makes.
 */
import type { FailureCode } from '../../model/errors.ts';
import type { Message } from '../message.ts';

export const en = {
  // Every page: the shell (templates/_includes/layout.njk).
  'site.skipToContent': 'Skip to content',
  'site.sections': 'Sections',
  /** A page's <title>, an Atom document's title: the page, then the site. */
  'site.pageTitle': '{title} · {site}',
  /** The title of a page's JSON Feed link. */
  'site.jsonFeedTitle': '{title} (JSON Feed)',
  'nav.latest': 'Latest',
  'nav.feeds': 'Feeds',
  'nav.archive': 'Archive',
  'search.label': 'Search the archive',
  'search.placeholder': 'Search',
  'search.submit': 'Search',
  /** {feeds}: a link whose text is footer.feeds; {generator}: "feed-digest". */
  'footer.about': 'A digest of {feeds}, made with {generator}.',
  'footer.feeds': "{site}'s feeds",
  'footer.sitemap': 'Sitemap',
  'format.atom': 'Atom',
  'format.jsonFeed': 'JSON Feed',
  'format.opml': 'OPML',

  // Lists of articles (river, feed, category, month).
  'list.empty': 'No articles yet.',
  /** The mark public/app.js puts on articles you opened. */
  'list.read': 'Read',
  'pager.label': 'Pages',
  'pager.newer': 'Newer',
  'pager.older': 'Older',
  'pager.count': 'Page {page}',
  /** The title of a list's later pages. */
  'page.numbered': '{title} (page {page})',
  'count.articles': { one: '{count} article', other: '{count} articles' },
  'count.feeds': { one: '{count} feed', other: '{count} feeds' },
  'count.failing': '{count} failing',

  // The river (index.html, page/N/).
  'home.title': 'Latest',
  'home.titlePage': 'Latest, page {page}',
  /** {articles}: count.articles; {feeds}: a link whose text is count.feeds; {time}: the build time. */
  'home.status': '{articles} from {feeds} · updated {time}',
  /** The same with {failing}: count.failing. */
  'home.statusFailing': '{articles} from {feeds} ({failing}) · updated {time}',

  // The feeds directory (feeds/).
  'feeds.title': 'Feeds',
  /** {feeds}: count.feeds; {report}, {opml}: links whose texts are feeds.report and format.opml. */
  'feeds.ledeHealthy': '{feeds}, all healthy at the last build ({report}, {opml}).',
  /** The same with {failing}: count.failing. */
  'feeds.ledeFailing': '{feeds}, {failing} at the last build ({report}, {opml}).',
  'feeds.report': 'build report',
  'feeds.caption': 'Every feed with its health at the last build',
  'feeds.columnFeed': 'Feed',
  'feeds.columnArticles': 'Articles',
  'feeds.columnFetched': 'Last fetched',
  'feeds.columnStatus': 'Status',
  'feeds.never': 'never',

  // A feed's health (feeds directory and the feed's page).
  'health.ok': 'OK',
  'health.failing': 'Failing',
  'health.http': 'HTTP {status}',
  'health.staleShort': 'failing for 7+ days',
  'health.staleLong': 'for more than 7 days',
  'health.inARow': { one: '{count} build in a row', other: '{count} builds in a row' },
  'health.movedTo': 'moved to {url}',
  /** Opens the fetcher's own message (technical, in English). */
  'health.details': 'Details',
  'health.error.config': 'Configuration error',
  'health.error.network': 'Could not connect',
  'health.error.timeout': 'Timed out',
  'health.error.http-status': 'The server answered HTTP {status}',
  'health.error.too-large': 'Too large',
  'health.error.too-many-redirects': 'Too many redirects',
  'health.error.redirect-loop': 'Redirect loop',
  'health.error.blocked-address': 'Blocked: a private network address',
  'health.error.bad-url': 'Invalid URL',
  'health.error.not-a-feed': 'Not a feed',
  'health.error.parse': 'Could not be read as a feed',
  'health.error.image-decode': 'The image could not be decoded',
  'health.error.image-too-large': 'The image is too large',
  'health.error.image-unsupported': 'Unsupported image format',
  'health.error.state': 'Could not be saved',
  'health.error.internal': 'Internal error',
  'health.error.stopped': 'Stopped before it was done',
  'health.error.not-html': 'Not an HTML page',
  'health.error.too-short': 'No article on the page',
  'health.error.login-wall': 'Behind a login',
  'health.error.consent-wall': 'Behind a consent banner',

  // A feed's page (feeds/<id>/).
  'feed.website': 'Website',
  'feed.subscribe': 'Subscribe',
  'feed.sourceFeed': 'Source feed',
  'feed.category': 'Category',
  'feed.articles': 'Articles',
  'feed.status': 'Status',
  'feed.error': 'Error',
  'feed.lastSuccess': 'Last success',
  /** A feed whose articles are extracted from their pages (feeds[].fullText). */
  'feed.fullText': 'full text from the site',
  'feed.content': 'Content',
  'feed.fullTextAuto': '(for items the feed sends as a summary)',

  // A category's page (categories/<slug>/).
  /** {articles}: count.articles; {atom}: a link whose text is category.atomFeed. */
  'category.lede': '{articles} · {atom}',
  'category.atomFeed': 'Atom feed',

  // The archive (archive/, archive/YYYY/MM/).
  'archive.title': 'Archive',
  /** {zone}: the site's time zone, named in the site's language. */
  'archive.lede': 'Every archived article, month by month ({zone}).',
  'archive.year': '{year}',

  // An article's page (articles/<id>/).
  'article.updated': 'updated {time}',
  'article.attachments': 'Attachments',
  'article.download': 'Download',
  'article.tags': 'Tags',
  'article.original': 'Read the original',
  'article.moreFrom': 'More from {feed}',
  'article.newer': 'Newer',
  'article.older': 'Older',

  // The 404 page.
  'notFound.pageTitle': 'Not found',
  'notFound.title': 'Page not found',
  /** {latest}, {archive}, {feeds}: links whose texts are the three keys below. */
  'notFound.lede': 'This page does not exist (any more). Try the {latest}, the {archive}, the {feeds}, or search:',
  'notFound.latest': 'latest articles',
  'notFound.archive': 'archive',
  'notFound.feeds': 'list of feeds',

  // The search page (search/) and its script (public/search.js, Pagefind's UI).
  'search.title': 'Search',
  'search.lede': 'Full-text search over every archived article, in every language of the site.',
  /** {archive}, {feeds}: links whose texts are the two keys below. */
  'search.noScript': 'Search runs in your browser and needs JavaScript. Without it, browse the {archive}, the {feeds} or the topics above.',
  'search.noScriptArchive': 'archive by month',
  'search.noScriptFeeds': 'feeds',
  'search.inputLabel': 'Search articles',
  'search.indexMissing': 'The search index is missing from this build.',
  'search.clear': 'Clear',
  'search.loadMore': 'Load more results',
  'search.filters': 'Filters',
  /** The name of the filter by feed beside the results. */
  'search.feedFilter': 'Feed',
  'search.results': { one: '{count} result for {query}', other: '{count} results for {query}' },
  'search.noResults': 'No results for {query}',
  /** {other}: the term searched instead. */
  'search.altSearch': 'No results for {query}. Showing results for {other} instead',
  'search.suggestion': 'No results for {query}. Try one of the following searches:',
  'search.searching': 'Searching for {query}...',
  'search.error': 'Search failed',
  'search.resultsLabel': 'Search results',
} satisfies Record<string, Message> & Record<`health.error.${FailureCode}`, Message>;
