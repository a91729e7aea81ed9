/**
 * OPML (1.0 / 2.0, as every feed reader exports it) → subscriptions. Pure.
 * An outline with an xmlUrl is a feed; an outline without one is a folder,
 * and the folders above a feed become its category ("Tech / Rust" when they
 * nest). A feed outside any folder may carry OPML 2.0's `category`
 * attribute ("/Tech/Rust,/Other"): its first path is used.
 * cheerio in XML mode reads it: lenient, and it expands no DTD entities.
 */
import { load } from 'cheerio';
import type { Element } from 'domhandler';

export interface Subscription {
  url: string;
  title: string | null;
  category: string | null;
  /** Where it was in the OPML, for messages: "Tech / Rust › Some Blog". */
  where: string;
}

export function readOpml(text: string): { subscriptions: Subscription[]; problems: string[] } {
  const $ = load(text.replace(/^\uFEFF/, ''), { xml: true });
  const body = $('opml > body').first();
  if (body.length === 0) throw new Error('not an OPML file (no <opml><body>)');
  const subscriptions: Subscription[] = [];
  const problems: string[] = [];

  const walk = (outlines: Element[], folders: string[]) => {
    for (const el of outlines) {
      const a = attrs(el);
      const name = (a.title || a.text || '').trim();
      const xmlUrl = (a.xmlurl ?? '').trim();
      const children = $(el).children('outline').get();
      if (!xmlUrl) {
        if (children.length > 0) walk(children, name ? [...folders, name] : folders);
        else if (a.type === 'rss') problems.push(`"${name || '(untitled)'}" has no xmlUrl`);
        continue;
      }
      let url: string;
      try {
        url = new URL(xmlUrl).href;
      } catch {
        problems.push(`"${name || xmlUrl}": not a URL: ${xmlUrl}`);
        continue;
      }
      const category = folders.length > 0 ? folders.join(' / ') : categoryAttribute(a.category);
      subscriptions.push({ url, title: name || null, category, where: [...folders, name || url].join(' › ') });
      // A feed outline with children is rare, but its children are still subscriptions.
      if (children.length > 0) walk(children, folders);
    }
  };
  walk(body.children('outline').get(), []);
  return { subscriptions, problems };
}

/** Attribute names, lower-cased: exporters disagree on "xmlUrl" vs "xmlurl". */
function attrs(el: Element): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attribs)) out[k.toLowerCase()] = v;
  return out;
}

function categoryAttribute(value: string | undefined): string | null {
  const first = value?.split(',')[0]?.trim();
  if (!first) return null;
  const parts = first.split('/').map((p) => p.trim()).filter(Boolean);
  return parts.length > 0 ? parts.join(' / ') : null;
}
