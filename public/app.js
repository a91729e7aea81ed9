// Progressive enhancement only: every page works without this file.
// Reading state: articles you opened are marked as read in lists (localStorage).
// Its words come from the page (data-read-label, in the site's language): none are written here.
(() => {
  const KEY = 'feed-digest:read';
  let read;
  try {
    read = new Set(JSON.parse(localStorage.getItem(KEY) || '[]'));
  } catch {
    return; // storage disabled: nothing to do
  }
  const article = document.querySelector('article.article[data-article]');
  if (article) {
    read.delete(article.dataset.article); // re-adding moves it to the end: the oldest are dropped first
    read.add(article.dataset.article);
    const list = [...read].slice(-5000);
    try { localStorage.setItem(KEY, JSON.stringify(list)); } catch { /* quota: ignore */ }
  }
  const label = document.body.dataset.readLabel;
  for (const card of document.querySelectorAll('.card[data-article]')) {
    if (!read.has(card.dataset.article)) continue;
    card.classList.add('read');
    const meta = card.querySelector('.meta');
    if (label && meta && !meta.querySelector('.read-mark')) {
      const mark = document.createElement('span');
      mark.className = 'read-mark';
      mark.textContent = label;
      // The card may be in its feed's language; the mark is in the site's (the list page's).
      mark.lang = document.documentElement.lang;
      mark.dir = document.documentElement.dir;
      meta.append(mark);
    }
  }
})();

// Arriving from a search result (?highlight=word): mark the words in the article with
// Pagefind's highlighter. Its own <style> would break the CSP: style.css styles the marks.
(() => {
  if (!document.querySelector('[data-pagefind-body]')) return;
  if (!new URLSearchParams(location.search).has('highlight')) return;
  const base = document.body.dataset.base || '/';
  import(`${base}pagefind/pagefind-highlight.js`)
    .then(({ default: PagefindHighlight }) => {
      new PagefindHighlight({
        highlightParam: 'highlight',
        addStyles: false,
        markOptions: { className: 'search-hit', exclude: ['[data-pagefind-ignore]', '[data-pagefind-ignore] *'] },
      });
    })
    .catch(() => { /* no search bundle in this build: nothing to highlight */ });
})();
