/** A plain-text excerpt whose length is counted in display width: a CJK character counts as two. */
import { isWide } from '../format/display-width.ts';
import { htmlToText as blockText } from '../text/html-text.ts';

/** Captions are left out of an excerpt: they describe a picture, not the article. */
const NOT_IN_EXCERPT = new Set(['figcaption']);

/** The text of an article, one line per block, for its excerpt (no-break spaces are spaces here). */
export function htmlToText(html: string): string {
  return blockText(html, { omit: NOT_IN_EXCERPT }).replaceAll('\u00a0', ' ');
}

/** Cuts at `maxWidth` display columns, preferring a sentence or word boundary. */
export function excerpt(text: string, maxWidth = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  let width = 0;
  let cut = -1;
  const chars = [...flat];
  for (let i = 0; i < chars.length; i++) {
    width += isWide(chars[i]!) ? 2 : 1;
    if (width > maxWidth) {
      cut = i;
      break;
    }
  }
  if (cut < 0) return flat;
  let head = chars.slice(0, cut).join('');
  const boundary = Math.max(head.lastIndexOf('。'), head.lastIndexOf('. '), head.lastIndexOf('！'), head.lastIndexOf('？'));
  if (boundary > head.length * 0.6) head = head.slice(0, boundary + 1);
  else if (!isWide(chars[cut - 1] ?? '')) {
    const space = head.lastIndexOf(' ');
    if (space > head.length * 0.6) head = head.slice(0, space);
  }
  return `${head.trimEnd()}…`;
}
