// The search page: mounts Pagefind's UI (pagefind/pagefind-ui.js, loaded before this file)
// and runs the query from ?q= (the search box in every page's header). Its words, and
// Pagefind's, come from the page (data-translations, data-index-missing), in the site's
// language: none are written here.
//
// The index comes in parts (pagefind/parts.json lists them: up to 5,000
// articles each, so a large archive is indexed in bounded memory, and a
// small newest part, so an hourly build indexes what is new), and Pagefind keeps one
// index per page language in each part; its UI loads only the one matching
// this page's <html lang>. A digest mixes languages (an English site with
// Chinese feeds), so every other language of every part is merged in: each
// index segments the query its own way (Chinese and Japanese words need
// Intl.Segmenter), and the results come back as one list, ranked by score.
(async () => {
  const root = document.getElementById('search');
  if (!root || typeof PagefindUI !== 'function') return;
  const bundle = root.dataset.bundle;
  let translations = {};
  try {
    translations = JSON.parse(root.dataset.translations || '{}');
  } catch {
    /* a template without them: Pagefind's own strings for the page's language */
  }
  const base = document.body.dataset.base || '/';
  let parts = [];
  try {
    parts = (await (await fetch(`${bundle}parts.json`)).json()).parts;
    if (!parts[0]) throw new Error('no part');
  } catch {
    const notice = document.createElement('p');
    notice.className = 'notice';
    notice.textContent = root.dataset.indexMissing || '';
    root.before(notice);
    return;
  }
  // Each part's languages, largest first (the order Pagefind falls back in).
  const languagesOf = (part) => Object.entries(part.languages).sort((a, b) => b[1] - a[1]).map(([code]) => code);
  // The language Pagefind will pick for this page in the first part: exact, then the base language, then the largest index.
  const lang = document.documentElement.lang.toLowerCase();
  const first = languagesOf(parts[0]);
  const primary = first.find((l) => l === lang) || first.find((l) => l === lang.split('-')[0]) || first[0];
  // Pagefind skips a merged index whose path is the primary's own; "./" names the same folder differently.
  const merged = parts.flatMap((part, n) =>
    languagesOf(part)
      .filter((language) => n > 0 || language !== primary)
      .map((language) => ({ bundlePath: `${bundle}${part.path}${n === 0 ? './' : ''}`, language, baseUrl: base, highlightParam: 'highlight' })),
  );
  const ui = new PagefindUI({
    element: root,
    bundlePath: `${bundle}${parts[0].path}`,
    baseUrl: base,
    showImages: true,
    showSubResults: false,
    excerptLength: 24,
    // Result links carry ?highlight=<words>; app.js marks them in the article.
    highlightParam: 'highlight',
    autofocus: !new URLSearchParams(location.search).get('q'),
    mergeIndex: merged,
    translations,
  });
  document.getElementById('search-fallback')?.remove();
  // Pagefind's input has a placeholder but no label.
  if (translations.search_label) root.querySelector('input')?.setAttribute('aria-label', translations.search_label);
  const q = new URLSearchParams(location.search).get('q');
  if (q) ui.triggerSearch(q);
  // Keep ?q= in step with what is typed, so a result page can be bookmarked or shared.
  root.addEventListener('input', (event) => {
    if (!(event.target instanceof HTMLInputElement)) return;
    const url = new URL(location.href);
    if (event.target.value) url.searchParams.set('q', event.target.value);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url);
  });
  const header = document.getElementById('search-q');
  if (header && q) header.value = q;
})();
