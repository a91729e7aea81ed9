/**
 * Is any word on a rendered page English UI text? For a site built in
 * another language: what a reader sees (text nodes, and attributes such as
 * title, alt, aria-label, placeholder) minus what the feeds and the config
 * wrote (titles, excerpts, content, authors, tags, feed and category names,
 * URLs), minus format and product names (Atom, JSON Feed, OPML, HTTP,
 * JavaScript, URL, feed-digest) and byte units (KB, MB), must hold no Latin word.
 *
 * The pages are read by cheerio here (shownInHtml) or by Chromium
 * (SHOWN_IN_PAGE, evaluated in the page); both skip the same parts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';
import { VISIBLE_ATTRIBUTES } from './ui-lint.ts';

export interface Shown {
  /** "feeds/index.html: <td> data-label" */
  where: string;
  text: string;
}

/**
 * Parts that are not the site's own words: the article body (feed content),
 * the fetcher's technical message behind a failing feed's "details", and a
 * search result's title and excerpt (feed text, which Pagefind re-spaces).
 */
export const NOT_UI = 'script, style, template, .content, .error-detail code, .pagefind-ui__result-title, .pagefind-ui__result-excerpt';
const NAMES = ['feed-digest', 'JSON Feed', 'JavaScript', 'Atom', 'OPML', 'HTTP', 'URL'];

/** What a reader sees or hears in an HTML file, as cheerio reads it. */
export function shownInHtml(html: string, file: string): Shown[] {
  const $ = cheerio.load(html);
  $(NOT_UI).remove();
  const shown: Shown[] = [];
  const walk = (nodes: AnyNode[]) => {
    for (const node of nodes) {
      if (node.type === 'text') {
        if (node.data.trim()) shown.push({ where: `${file}: <${node.parent && 'tagName' in node.parent ? node.parent.tagName : '?'}>`, text: node.data });
      } else if (node.type === 'tag') {
        for (const [name, value] of Object.entries(node.attribs)) if (VISIBLE_ATTRIBUTES.has(name) && value.trim()) shown.push({ where: `${file}: <${node.tagName}> ${name}`, text: value });
        walk(node.children);
      }
    }
  };
  walk($.root().children().toArray());
  return shown;
}

/** The same, evaluated in a page by Chromium (after its scripts ran): returns Shown[]. */
export const SHOWN_IN_PAGE = `((notUi, attrs) => {
  const shown = [];
  const skip = new Set(document.querySelectorAll(notUi));
  const walk = (el) => {
    if (skip.has(el)) return;
    for (const name of el.getAttributeNames()) if (attrs.includes(name) && el.getAttribute(name).trim()) shown.push({ where: location.pathname + ': <' + el.localName + '> ' + name, text: el.getAttribute(name) });
    for (const child of el.childNodes) {
      if (child.nodeType === Node.TEXT_NODE && child.data.trim()) shown.push({ where: location.pathname + ': <' + el.localName + '>', text: child.data });
      else if (child.nodeType === Node.ELEMENT_NODE) walk(child);
    }
  };
  walk(document.documentElement);
  return shown;
})(${JSON.stringify(NOT_UI)}, ${JSON.stringify([...VISIBLE_ATTRIBUTES])})`;

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Everything the feeds and the config wrote, from the built site's JSON
 * (api/all.json and its pages, api/feeds.json) and the config's texts.
 */
export async function feedTexts(siteDir: string, siteUrl: string, configTexts: string[]): Promise<string[]> {
  const texts = new Set(configTexts.map(squash));
  const add = (v: unknown) => {
    if (typeof v === 'string' && squash(v)) texts.add(squash(v));
  };
  type Item = { title?: string; summary?: string; content_html?: string; url?: string; authors?: { name?: string }[]; tags?: string[]; attachments?: { title?: string; url?: string; mime_type?: string }[] };
  let next: string | undefined = path.join(siteDir, 'api', 'all.json');
  while (next) {
    const page = JSON.parse(await readFile(next, 'utf8')) as { items: Item[]; next_url?: string };
    for (const item of page.items) {
      add(item.title);
      add(item.summary);
      add(item.url);
      if (item.content_html) add(cheerio.load(item.content_html).root().text());
      for (const a of item.authors ?? []) add(a.name);
      for (const tag of item.tags ?? []) add(tag);
      for (const att of item.attachments ?? []) [att.title, att.url, att.mime_type].forEach(add);
    }
    next = page.next_url ? path.join(siteDir, new URL(page.next_url).pathname.slice(new URL(siteUrl).pathname.length)) : undefined;
  }
  const feeds = JSON.parse(await readFile(path.join(siteDir, 'api', 'feeds.json'), 'utf8')) as { feeds: Record<string, unknown>[] };
  for (const f of feeds.feeds) ['title', 'description', 'url', 'home_page_url', 'category'].forEach((k) => add(f[k]));
  return [...texts];
}

/** The Latin words left in what is shown once feed and config text (`notSite`), URLs and format names are taken out. */
export function englishWords(shown: Shown[], notSite: string[]): Shown[] {
  // Longest first, so a title is taken out before a shorter text inside it.
  const feed = [...notSite].sort((a, b) => b.length - a.length);
  const found: Shown[] = [];
  for (const s of shown) {
    let text = squash(s.text);
    // A truncated excerpt ("…first words of the summary...") is a piece of feed text.
    const piece = text.replace(/(\.\.\.|…)$/, '').trim();
    if (piece && feed.some((f) => f.includes(piece))) continue;
    for (const f of feed) if (f.length > 1 && text.includes(f)) text = text.replaceAll(f, ' ');
    text = text.replace(/\b(?:https?:\/\/)?[\w.-]+(?::\d+)?\/\S*/g, ' ');
    for (const name of NAMES) text = text.replaceAll(name, ' ');
    text = text.replace(/\b\d+(\.\d+)? [KMG]?B\b/g, ' ');
    const words = text.match(/[A-Za-z]{2,}/g);
    if (words) found.push({ where: s.where, text: `${words.join(' ')}  ←  ${squash(s.text)}` });
  }
  return found;
}
