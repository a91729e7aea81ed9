// The search page: mounts Pagefind's UI (pagefind/pagefind-ui.js, loaded before this file)
// and runs the query from ?q= (the search box in every page's header).
//
// Pagefind keeps one index per page language and its UI loads only the one
// matching this page's <html lang>. A digest mixes languages (an English
// site with Chinese feeds), so every other language in the bundle is merged
// in too: each index segments the query its own way (Chinese and Japanese
// words need Intl.Segmenter), and the results come back as one list.
(async () => {
  const root = document.getElementById('search');
  if (!root || typeof PagefindUI !== 'function') return;
  const bundle = root.dataset.bundle;
  const base = document.body.dataset.base || '/';
  let languages = [];
  try {
    const entry = await (await fetch(`${bundle}pagefind-entry.json`)).json();
    languages = Object.entries(entry.languages).sort((a, b) => b[1].page_count - a[1].page_count).map(([code]) => code);
  } catch {
    root.insertAdjacentHTML('beforebegin', '<p class="notice">The search index is missing from this build.</p>');
    return;
  }
  // The language Pagefind will pick for this page: exact, then the base language, then the largest index.
  const lang = document.documentElement.lang.toLowerCase();
  const primary = languages.find((l) => l === lang) || languages.find((l) => l === lang.split('-')[0]) || languages[0];
  const ui = new PagefindUI({
    element: root,
    bundlePath: bundle,
    baseUrl: base,
    showImages: true,
    showSubResults: false,
    excerptLength: 24,
    // Result links carry ?highlight=<words>; app.js marks them in the article.
    highlightParam: 'highlight',
    autofocus: !new URLSearchParams(location.search).get('q'),
    // Pagefind skips a merged index whose path is the primary's own; "./" names the same folder differently.
    mergeIndex: languages.filter((l) => l !== primary).map((language) => ({ bundlePath: `${bundle}./`, language, baseUrl: base, highlightParam: 'highlight' })),
    translations: { placeholder: 'Search articles' },
  });
  document.getElementById('search-fallback')?.remove();
  // Pagefind's input has a placeholder but no label.
  root.querySelector('input')?.setAttribute('aria-label', 'Search articles');
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
