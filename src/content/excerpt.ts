/** A plain-text excerpt whose length is counted in display width: a CJK character counts as two. */
import { decodeHTML } from 'entities';
import { isWide } from '../format/display-width.ts';

export function htmlToText(html: string): string {
  return decodeHTML(
    html
      .replace(/<(script|style|figcaption)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<\/(p|div|li|h[1-6]|blockquote|tr|pre)>|<br\s*\/?>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
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
